"""The history helps, but never blocks (issue 19): a history file that is locked, full,
read-only or damaged is said once on stderr, and every image is still made and saved, on the
single command, -n and a batch; a batch run again pays for nothing.

In-process against the sandbox: the faults are SQLite's own (a real lock held by another
connection, a real damaged file) or, for a full disk and a read-only file (root writes
anyway), the exact errors SQLite raises for them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from pixazo_cli.history.db import default_path
from pixazo_cli.sandbox import Sandbox
from tests.conftest import KEY, Result, run
from tests.history.conftest import rows

PATHS = {
    "single": (["sdxl", "a fox", "-d", "out"], 1),
    "-n 3": (["sdxl", "a fox", "-n", "3", "-d", "out"], 3),
    "batch of 3": (["batch", "jobs.jsonl", "-d", "out"], 3),
}


def _existing_history() -> Path:
    """A history with one row in it, as any user who made an image has."""
    assert run("sdxl", "made before", "-d", "before").exit_code == 0
    return default_path()


@pytest.fixture
def faulty_history(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
                   gateway: Sandbox) -> Iterator[str]:
    fault = request.param
    if fault == "damaged":
        path = default_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"this is not a database\n" * 200)
        yield fault
        return
    path = _existing_history()
    if fault == "locked":
        monkeypatch.setattr("pixazo_cli.history.db.BUSY_TIMEOUT_MS", 50)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
        try:
            yield fault
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    message = "database or disk is full" if fault == "full" else \
        "attempt to write a readonly database"

    def refuse(self: object, *_: object, **__: object) -> None:
        raise sqlite3.OperationalError(message)

    target = "update" if fault == "full" else "execute"  # full: the disk filled mid-request
    monkeypatch.setattr(f"pixazo_cli.history.store.History.{target}", refuse)
    yield fault


def _posts(gateway: Sandbox) -> int:
    return gateway.stats()["posts_received"]


def _saved(result: Result, isolated: Path) -> list[Path]:
    return [isolated / line for line in result.stdout.splitlines()]


@pytest.mark.parametrize("faulty_history", ["locked", "full", "read-only", "damaged"],
                         indirect=True)
@pytest.mark.parametrize("path", list(PATHS))
def test_a_failing_history_never_costs_an_image(faulty_history: str, path: str,
                                                gateway: Sandbox, isolated: Path) -> None:
    (isolated / "jobs.jsonl").write_text("".join(
        f'{{"model": "sdxl", "prompt": "hero {n}"}}\n' for n in range(3)))
    args, images = PATHS[path]
    before = _posts(gateway)
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    saved = _saved(result, isolated)
    assert len(saved) == images and all(p.is_file() for p in saved)
    assert _posts(gateway) - before == images  # one paid request per image, none twice
    assert result.stderr.count("Warning: the history is not recorded") == 1, result.stderr
    assert "Traceback" not in result.stderr and "OperationalError" not in result.stderr
    assert KEY not in result.stdout + result.stderr
    if path == "batch of 3":
        again = run(*args)
        assert again.exit_code == 0, again.stderr
        assert _posts(gateway) - before == images  # the re-run pays for nothing


@pytest.mark.parametrize("faulty_history", ["damaged"], indirect=True)
def test_history_and_fetch_on_a_damaged_file_are_plain_errors(faulty_history: str,
                                                             isolated: Path) -> None:
    for args in (["history"], ["fetch", "--last"], ["history", "--cost"],
                 ["status", "--wait"], ["replay", "1"]):
        result = run(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert "history" in result.stderr and "Traceback" not in result.stderr
        assert result.stderr.startswith("Error: ")


@pytest.mark.parametrize("faulty_history", ["locked"], indirect=True)
def test_a_history_locked_by_a_writer_is_still_read(faulty_history: str, isolated: Path) -> None:
    result = run("history")
    assert result.exit_code == 0 and "made before" in result.stdout


def test_a_history_that_fills_mid_request_keeps_what_it_had(gateway: Sandbox, isolated: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    def full(self: object, *_: object, **__: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    with monkeypatch.context() as patched:
        patched.setattr("pixazo_cli.history.store.History.update", full)
        result = run("sdxl", "a fox", "-d", "out")
    assert result.exit_code == 0 and _saved(result, isolated)[0].is_file()
    [row] = rows()  # the write-ahead row went in before the disk filled
    assert (row.status, row.body["prompt"]) == ("sent", "a fox")
