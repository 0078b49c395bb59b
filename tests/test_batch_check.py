"""`pixazo batch FILE --check`: what a run would do and cost, sending nothing, needing no key,
and right: its counts are what the real run then does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixazo_cli.sandbox import Sandbox
from tests.batch_ci_support import gateway, line, sdxl_lines, write  # noqa: F401
from tests.conftest import run


def check(*args: str) -> dict:
    result = run("batch", *args, "--check", "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == report["exit_code"], result.stderr
    return report


def test_check_sends_nothing_and_needs_no_key(sandbox: Sandbox, isolated: Path,  # noqa: F811
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXAZO_BASE_URL", sandbox.base_url)
    before = sandbox.stats()["posts_received"]
    name = write(isolated, sdxl_lines(3) + line("sd35", "a paper boat"))
    result = run("batch", name, "--check", "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert "Paid requests it would send: 4; $0.20 for the 1 on models with a stated price" \
        in result.stdout
    assert sandbox.stats()["posts_received"] == before
    assert not (isolated / "out").exists()  # nothing written either


def test_check_prices_sd35_and_sd3_at_20_cents_an_image(isolated: Path) -> None:
    name = write(isolated, line("sd35", "a") * 3 + line("sd3", "b") + line("sdxl", "c"))
    report = check(name)
    assert report["paid_requests"] == 5 and report["priced_requests"] == 4
    assert report["cost"] == pytest.approx(0.80)


def test_check_exits_2_and_counts_invalid_lines(isolated: Path) -> None:
    name = write(isolated, sdxl_lines(2) + line("sdxl", "x", steps=99))
    result = run("batch", name, "--check")
    assert result.exit_code == 2
    assert "1 invalid line(s)" in result.stdout and "line 3" in result.stderr
    assert check(name)["invalid"] == 1


def test_check_shows_the_shard_split(isolated: Path) -> None:
    name = write(isolated, sdxl_lines(30))
    report = check(name, "--shard", "2/3")
    assert report["shard"] == "2/3" and sum(report["shard_sizes"]) == 30
    assert report["jobs"] == report["shard_sizes"][1]


def test_check_reports_names_a_run_would_refuse(isolated: Path) -> None:
    name = write(isolated, line("sdxl", "a", name="same.{ext}") + line("sdxl", "b",
                                                                        name="same.{ext}"))
    report = check(name)
    assert report["exit_code"] == 2 and "lines 1 and 2 both write" in report["clashes"][0]


def test_check_counts_match_what_the_real_run_then_does(gateway: Sandbox,  # noqa: F811
                                                       isolated: Path) -> None:
    text = (sdxl_lines(4) + line("sd35", "boat") + line("nucleus", "fails")
            + line("sd3", "maybe charged") + line("nucleus", "queued ok"))
    name = write(isolated, text)
    # A first run leaves every kind of state behind: saved, failed, maybe charged.
    write(isolated, sdxl_lines(2) + line("nucleus", "fails") + line("sd3", "maybe charged"),
          "first.jsonl")
    gateway.set_faults(["job:failed*1", "submit:500*1"])
    assert run("batch", "first.jsonl", "-d", "out", "-j", "1").exit_code != 0
    gateway.set_faults([])
    (isolated / "out" / next(p for p in (isolated / "out").iterdir()
                             if p.suffix == ".png").name).unlink()  # one saved file lost
    posts_before = gateway.stats()["posts_received"]

    report = check(name, "-d", "out")
    assert (report["new"], report["already_saved"], report["failed"],
            report["maybe_charged"], report["download_again"]) == (4, 1, 1, 1, 1)
    assert report["paid_requests"] == 5 and report["cost"] == pytest.approx(0.20)
    assert gateway.stats()["posts_received"] == posts_before

    real = run("batch", name, "-d", "out", "--json")
    entries = [json.loads(raw) for raw in real.stdout.splitlines()]
    assert gateway.stats()["posts_received"] - posts_before == report["paid_requests"]
    assert sum(1 for e in entries if e.get("skipped")) == report["already_saved"]
    held = [e for e in entries if e["status"] == "failed"]
    assert len(held) == report["maybe_charged"] and held[0]["maybe_charged"] is True
    saved = [e for e in entries if e["status"] == "saved" and not e.get("skipped")]
    assert len(saved) == report["new"] + report["failed"] + report["download_again"]


def test_check_after_a_full_run_has_nothing_to_pay(gateway: Sandbox,  # noqa: F811
                                                   isolated: Path) -> None:
    name = write(isolated, sdxl_lines(3) + line("sd35", "boat"))
    assert run("batch", name, "-d", "out").exit_code == 0
    report = check(name, "-d", "out")
    assert report["already_saved"] == 4 and report["paid_requests"] == 0
    assert report["cost"] == 0
