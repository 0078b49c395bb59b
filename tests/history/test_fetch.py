"""`pixazo fetch`: a past generation's images downloaded again from the history, never paid
for twice, named and recorded like the first time, and never copied when already saved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pixazo_cli.sandbox import Sandbox
from tests.conftest import run
from tests.history.conftest import rows


def counts(sandbox: Sandbox) -> tuple[int, int, int]:
    """Paid POSTs received, status polls and downloads so far (the sandbox's /_sandbox/stats)."""
    stats = sandbox.stats()
    return stats["posts_received"], stats["status_polls"], stats["downloads"]


def since(sandbox: Sandbox, before: tuple[int, int, int]) -> tuple[int, int, int]:
    now = counts(sandbox)
    return now[0] - before[0], now[1] - before[1], now[2] - before[2]


def test_a_download_that_failed_after_paying_is_fetched_without_paying_again(
        sandbox: Sandbox, isolated: Path) -> None:
    sandbox.set_faults(["download:404"])
    assert run("sd35", "a lighthouse", "-d", "out").exit_code == 8
    sandbox.set_faults([])
    [row] = rows()
    assert (row.status, row.state) == ("answered", "paid, not saved") and row.urls
    before = counts(sandbox)
    result = run("fetch", str(row.id), "-d", "out")
    assert result.exit_code == 0, result.stderr
    [path] = result.stdout.splitlines()
    assert path.startswith("out/sd35-") and path.endswith("-a-lighthouse-1.webp")
    assert since(sandbox, before) == (0, 0, 1)
    record = json.loads(run("inspect", "--json", path).stdout)
    assert record["body"] == row.body and record["model"] == "sd35"
    [done] = rows()
    assert done.status == "saved" and Path(done.files[0]["path"]) == isolated / path


def test_fetch_last_of_a_saved_generation_finds_the_file_instead_of_a_copy(
        sandbox: Sandbox, isolated: Path) -> None:
    first = run("sdxl", "a sparrow", "-d", "out").stdout.strip()
    before = counts(sandbox)
    result = run("fetch", "--last", "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert Path(result.stdout.strip()) == isolated / first
    assert [p.name for p in (isolated / "out").iterdir()] == [Path(first).name]
    assert since(sandbox, before)[0] == 0


def test_fetching_twice_into_another_folder_saves_once(sandbox: Sandbox, isolated: Path) -> None:
    assert run("sdxl", "a sparrow", "-d", "out").exit_code == 0
    [row] = rows()
    before = counts(sandbox)
    once = run("fetch", str(row.id), "-d", "copy")
    (isolated / "copy" / Path(once.stdout.strip()).name).rename(isolated / "copy" / "kept.png")
    twice = run("fetch", str(row.id), "-d", "copy")
    assert once.exit_code == twice.exit_code == 0
    # The same bytes under another name are found, not copied.
    assert [p.name for p in (isolated / "copy").iterdir()] == ["kept.png"]
    assert Path(twice.stdout.strip()).name == "kept.png"
    assert since(sandbox, before)[0] == 0


def test_fetch_takes_a_request_id_and_the_naming_options(sandbox: Sandbox, isolated: Path) -> None:
    assert run("sd35", "a lighthouse", "-d", "out").exit_code == 0
    [row] = rows()
    result = run("fetch", row.request_id or "", "-d", "named", "--name", "{slug}.{ext}",
                 "--json")
    assert result.exit_code == 0, result.stderr
    assert Path(result.json()["files"][0]["path"]).name == "a-lighthouse.webp"


def test_fetch_of_a_queued_job_asks_the_status_endpoint(sandbox: Sandbox, isolated: Path) -> None:
    request_id = run("nucleus", "a queued owl", "--no-wait").stdout.strip()
    before = counts(sandbox)
    result = run("fetch", request_id, "-d", "got")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().endswith("-a-queued-owl-1.png")
    posts, polls, downloads = since(sandbox, before)
    assert (posts, downloads) == (0, 1) and polls >= 1


def test_fetch_of_a_request_that_never_got_a_reply_refuses(sandbox: Sandbox, isolated: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    def interrupted(self: object, request: object, before_send: Any) -> object:
        before_send()  # the POST is going out, and no reply ever comes
        raise KeyboardInterrupt

    monkeypatch.setattr("pixazo_cli.http.client.Gateway.submit", interrupted)
    assert run("sdxl", "a fox", "-d", "out").exit_code == 130
    [row] = rows()
    result = run("fetch", str(row.id))
    assert result.exit_code == 2
    assert "never answered" in result.stderr and f"pixazo replay {row.id}" in result.stderr


def test_fetch_needs_an_id_or_last(isolated: Path) -> None:
    assert run("fetch").exit_code == 2
    assert run("fetch", "3", "--last").exit_code == 2
    assert "No generation '3'" in run("fetch", "3").stderr
