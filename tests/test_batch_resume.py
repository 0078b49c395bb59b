"""A batch run again picks up where it stopped: what is saved is skipped, what was paid for is
fetched again, never paid for again, and a request that may have been charged is held back.

Real HTTP against the in-process sandbox; the client's clock is fake, so nothing sleeps."""

from __future__ import annotations

import json
from pathlib import Path

from pixazo_cli.sandbox import Sandbox
from tests.batch_support import lines, manifest, write, write_lines
from tests.conftest import reset_sandbox, run


def test_a_rerun_skips_every_saved_job_and_pays_nothing(gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, lines(4) + '{"model": "nucleus", "prompt": "queued"}\n')
    first = run("batch", name, "-d", "out")
    again = run("batch", name, "-d", "out")
    assert first.exit_code == again.exit_code == 0
    assert gateway.stats()["posts_received"] == 5
    assert sorted(again.stdout.splitlines()) == sorted(first.stdout.splitlines())
    assert "5 already saved" in again.stderr


def test_a_rerun_sends_exactly_the_missing_requests(gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, lines(6))
    first_half = write(isolated, lines(3), "first.jsonl")
    assert run("batch", first_half, "-d", "out").exit_code == 0  # as if killed after three
    result = run("batch", name, "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert gateway.stats()["posts_received"] == 6
    bodies = [b["prompt"] for b in gateway.stats()["bodies"]]
    assert sorted(bodies) == [f"hero {n}" for n in range(1, 7)]


def test_a_failed_download_is_fetched_again_without_paying_again(gateway: Sandbox,
                                                                   isolated: Path) -> None:
    gateway.set_faults(["download:404*2"])
    name = write(isolated, lines(3))
    first = run("batch", name, "-d", "out", "-j", "1")
    assert first.exit_code == 8
    assert "2 failed" in first.stderr
    second = run("batch", name, "-d", "out")
    assert second.exit_code == 0, second.stderr
    assert gateway.stats()["posts_received"] == 3
    assert len(second.stdout.splitlines()) == 3


def test_a_queued_job_is_resumed_by_its_request_id(gateway: Sandbox, isolated: Path) -> None:
    gateway.set_faults(["status:503*100"])  # polls keep failing until the job times out
    name = write(isolated, '{"model": "nucleus", "prompt": "slow one"}\n')
    first = run("batch", name, "-d", "out", "--timeout", "5")
    assert first.exit_code == 7, first.stderr
    [entry] = [e for e in manifest(isolated / "out") if e["status"] == "queued" and
               e.get("error")]  # still queued at the gateway: collected by the next run
    gateway.set_faults([])
    second = run("batch", name, "-d", "out")
    assert second.exit_code == 0, second.stderr
    assert gateway.stats()["posts_received"] == 1
    assert manifest(isolated / "out")[-1]["request_id"] == entry["request_id"]


def test_generation_failures_are_retried_on_the_next_run(gateway: Sandbox,
                                                          isolated: Path) -> None:
    gateway.set_faults(["job:failed*1"])
    name = write(isolated, '{"model": "nucleus", "prompt": "flaky"}\n')
    assert run("batch", name, "-d", "out").exit_code == 6
    assert run("batch", name, "-d", "out").exit_code == 0
    assert gateway.stats()["posts_received"] == 2


def test_recorded_urls_are_fetched_again_never_paid_again(gateway: Sandbox,
                                                          isolated: Path) -> None:
    gateway.set_faults(["download:404*1"])
    name = write_lines(isolated, {"model": "sdxl", "prompt": "once", "seed": 1,
                                  "name": "once-{request_id}.{ext}"})
    assert run("batch", name, "-d", "out").exit_code == 8
    entry = json.loads((isolated / "out" / "pixazo-manifest.jsonl").read_text()
                       .splitlines()[-1])
    entry["error"]["exit_code"] = 1  # whatever the failure was, the URL is paid for
    (isolated / "out" / "pixazo-manifest.jsonl").write_text(json.dumps(entry) + "\n")
    again = run("batch", name, "-d", "out")
    assert again.exit_code == 0, again.stderr
    assert gateway.stats()["posts_received"] == 1
    assert [p.name for p in (isolated / "out").iterdir() if p.suffix == ".part"] == []


def test_a_request_that_may_have_been_charged_is_not_resent_unless_asked(
        gateway: Sandbox, isolated: Path) -> None:
    gateway.set_faults(["submit:500*1"])
    name = write_lines(isolated, {"model": "sdxl", "prompt": "maybe"})
    assert run("batch", name, "-d", "out").exit_code == 7
    held = run("batch", name, "-d", "out")
    assert held.exit_code == 7 and "--resend-maybe-charged" in held.stderr
    assert gateway.stats()["posts_received"] == 1
    resent = run("batch", name, "-d", "out", "--resend-maybe-charged")
    assert resent.exit_code == 0, resent.stderr
    assert gateway.stats()["posts_received"] == 2


def test_a_queued_job_the_gateway_forgot_may_have_cost_and_is_resent_only_when_asked(
        gateway: Sandbox, isolated: Path) -> None:
    gateway.set_faults(["status:503*100"])
    name = write_lines(isolated, {"model": "nucleus", "prompt": "forgotten"})
    assert run("batch", name, "-d", "out", "--timeout", "5").exit_code == 7
    reset_sandbox(gateway)  # the gateway no longer knows the request id
    lost = run("batch", name, "-d", "out")
    assert lost.exit_code == 7 and "no longer knows" in lost.stderr
    assert run("batch", name, "-d", "out").exit_code == 7  # held: it was paid for once
    assert gateway.stats()["posts_received"] == 0
    assert run("batch", name, "-d", "out", "--resend-maybe-charged").exit_code == 0
    assert gateway.stats()["posts_received"] == 1
