"""Where two promises of the ledger met and broke (found by review): a paid reply nothing can be
downloaded from, extra images of -n, a history that is locked for a moment or damaged inside,
a batch killed between saving and recording, a fetch that must not rewrite the row it
collects, a variation never sent, a huge image after paying."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _image, run
from tests.crafted_images import png_pixel_bomb
from tests.history.conftest import rows
from tests.hostile_server import Hostile, reply

SDXL = "/getImage/v1/getSDXLImage"
NUCLEUS = "/nucleus-image/v1/nucleus-image-request"


def test_a_paid_reply_with_an_unusable_url_is_never_resent_by_a_rerun(hostile: Hostile,
                                                                     isolated: Path) -> None:
    hostile.routes[("POST", SDXL)] = reply(200, b'{"imageUrl": "ftp://cdn.example/a.png"}')
    (isolated / "jobs.jsonl").write_text('{"model": "sdxl", "prompt": "a fox"}\n')
    assert run("batch", "jobs.jsonl", "-d", "out").exit_code == 6
    again = run("batch", "jobs.jsonl", "-d", "out")
    assert again.exit_code == 7 and "--resend-maybe-charged" in again.stderr
    assert hostile.posts == 1


def test_a_completed_job_with_an_unusable_url_is_never_resent_by_a_rerun(
        hostile: Hostile, isolated: Path) -> None:
    hostile.routes[("POST", NUCLEUS)] = reply(202, b'{"request_id": "req-1", "status": "QUEUED"}')
    hostile.routes[("GET", "/v2/requests/status/req-1")] = reply(200, json.dumps(
        {"request_id": "req-1", "status": "COMPLETED",
         "output": {"media_url": ["ftp://cdn.example/a.png"]}}).encode())
    (isolated / "jobs.jsonl").write_text('{"model": "nucleus", "prompt": "a fox"}\n')
    assert run("batch", "jobs.jsonl", "-d", "out").exit_code == 6
    run("batch", "jobs.jsonl", "-d", "out")
    assert hostile.posts == 1


def _two_images_each(hostile: Hostile) -> None:
    count, lock = {"n": 0}, threading.Lock()

    def behaviour(handler: Any) -> None:
        with lock:
            count["n"] += 1
            n = count["n"]
        urls = [f"{hostile.base_url}/cdn/{n}-{i}.png" for i in (1, 2)]
        reply(200, json.dumps({"imageUrl": urls}).encode())(handler)

    hostile.routes[("POST", SDXL)] = behaviour
    for n in (1, 2):
        for i in (1, 2):
            hostile.routes[("GET", f"/cdn/{n}-{i}.png")] = reply(
                200, _image("PNG", (n * 60, i * 60, 7)), "image/png")


def test_n_with_extra_images_and_one_output_file_saves_every_paid_image(
        hostile: Hostile, isolated: Path) -> None:
    _two_images_each(hostile)
    result = run("sdxl", "a fox", "-n", "2", "--seed", "1", "-o", "fixed.png")
    assert hostile.posts == 2
    assert result.exit_code == 0, result.stderr
    assert len(list(isolated.glob("fixed*.png"))) == 4
    assert {"fixed-1.png", "fixed-2.png"} <= {p.name for p in isolated.glob("*.png")}


def test_n_extra_images_are_never_replaced_by_a_later_variation(
        hostile: Hostile, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pixazo_cli.commands.variations.CONCURRENCY", 1)
    _two_images_each(hostile)
    result = run("sdxl", "a fox", "-n", "2", "--seed", "1", "--name", "x-{index}.png",
                 "--overwrite")
    assert result.exit_code == 0, result.stderr
    assert len(list(isolated.glob("x-*.png"))) == 4
    assert len(set(result.stdout.splitlines())) == 4


def test_a_damaged_history_does_not_stop_collecting_a_paid_job_by_its_id(
        gateway: Any, isolated: Path) -> None:
    from pixazo_cli.history.db import default_path

    request_id = run("nucleus", "an owl", "--no-wait").stdout.strip()
    path = default_path()
    for extra in path.parent.glob(path.name + "-*"):
        extra.unlink()
    path.write_bytes(b"this is not a database\n" * 200)
    collected = run("status", request_id, "--wait", "-d", "out")
    assert collected.exit_code == 0, collected.stderr
    assert "Warning" in collected.stderr


def test_a_history_damaged_inside_is_a_plain_error_for_every_reader(gateway: Any,
                                                                    isolated: Path) -> None:
    from pixazo_cli.history.db import default_path

    assert run("sdxl", "a fox " + "x" * 3000, "-d", "out").exit_code == 0
    path = default_path()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    data = bytearray(path.read_bytes())
    for start in range(4096, len(data), 4096):
        data[start:start + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    for args in (["fetch", "--last"], ["status", "--wait"], ["replay", "1"], ["history"]):
        result = run(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_a_batch_killed_after_saving_but_before_recording_it_completes_on_a_rerun(
        gateway: Any, isolated: Path) -> None:
    (isolated / "jobs.jsonl").write_text('{"model": "sdxl", "prompt": "a fox", "name": "fox"}\n')
    assert run("batch", "jobs.jsonl", "-d", "out").exit_code == 0
    path = isolated / "out" / "pixazo-manifest.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if '"status": "saved"' not in line))
    again = run("batch", "jobs.jsonl", "-d", "out")
    assert again.exit_code == 0, again.stderr
    assert gateway.stats()["posts_received"] == 1


def test_n_prints_every_saved_path_even_when_an_earlier_variation_was_not_sent(
        gateway: Any, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pixazo_cli.batch.run import BatchRun
    from pixazo_cli.http.limiter import Stopped

    original = BatchRun._submit

    def limiter_closed_for_variation_2(self: BatchRun, job: Any, outcome: Any) -> None:
        if job.line == 2:
            raise Stopped()
        return original(self, job, outcome)

    monkeypatch.setattr(BatchRun, "_submit", limiter_closed_for_variation_2)
    result = run("sdxl", "a fox", "-n", "3", "--seed", "1", "-d", "out")
    assert len(list((isolated / "out").glob("*.png"))) == 2
    assert len(result.stdout.splitlines()) == 2
    assert "2 saved" in result.stderr and "1 not run" in result.stderr


def test_fetch_elsewhere_keeps_the_original_rows_files(gateway: Any, isolated: Path) -> None:
    made = run("sdxl", "a fox", "-d", "out")
    [before] = rows()
    assert run("fetch", "--last", "-d", "elsewhere").exit_code == 0
    [after] = rows()
    paths = [f["path"] for f in after.files]
    assert str(isolated / made.stdout.strip()) in paths and len(paths) == 2
    assert (after.status, after.finished, after.request_id) == \
        (before.status, before.finished, before.request_id)


def test_fetch_of_a_sandbox_row_keeps_its_request_id(isolated: Path) -> None:
    assert run("--sandbox", "nucleus", "an owl", "-d", "out").exit_code == 0
    [before] = rows()
    assert run("fetch", "--last", "-d", "again").exit_code == 0
    assert run("fetch", before.request_id or "", "-d", "third").exit_code == 0


@pytest.mark.parametrize("args", [["batch", "jobs.jsonl", "-d", "out", "--sheet"],
                                  ["grid", "sdxl", "a fox", "--x", "steps=4,8", "-d", "g"]])
def test_a_huge_image_after_paying_is_not_exit_1(hostile: Hostile, isolated: Path,
                                                 args: list[str]) -> None:
    hostile.routes[("POST", SDXL)] = reply(200, json.dumps(
        {"imageUrl": hostile.base_url + "/cdn/a.png"}).encode())
    hostile.routes[("GET", "/cdn/a.png")] = reply(200, png_pixel_bomb(), "image/png")
    (isolated / "jobs.jsonl").write_text('{"model": "sdxl", "prompt": "a fox"}\n')
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_one_transient_lock_leaves_no_saved_image_as_sent_no_reply(
        gateway: Any, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pixazo_cli.history.store import History

    original, calls = History.update, {"n": 0}

    def locked_once(self: History, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise sqlite3.OperationalError("database is locked")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(History, "update", locked_once)
    (isolated / "jobs.jsonl").write_text("".join(
        f'{{"model": "sdxl", "prompt": "hero {n}"}}\n' for n in range(3)))
    assert run("batch", "jobs.jsonl", "-d", "out", "-j", "1").exit_code == 0
    recorded = rows()
    assert len(recorded) == 3 and {row.status for row in recorded} == {"saved"}


def test_a_locked_history_costs_one_wait_not_one_per_job(
        gateway: Any, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pixazo_cli.history.store import History

    waits: list[float] = []
    original = History.execute

    def slow_lock(self: History, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if sql.startswith(("INSERT", "UPDATE")):
            waits.append(time.monotonic())
            raise sqlite3.OperationalError("database is locked")
        return original(self, sql, params)

    monkeypatch.setattr(History, "execute", slow_lock)
    (isolated / "jobs.jsonl").write_text("".join(
        f'{{"model": "sdxl", "prompt": "hero {n}"}}\n' for n in range(8)))
    result = run("batch", "jobs.jsonl", "-d", "out", "-j", "8")
    assert result.exit_code == 0, result.stderr
    assert len(waits) == 2  # one while the batch ran, one more try at its end
    assert gateway.stats()["posts_received"] == 8


def _images(hostile: Hostile, paths: list[str]) -> None:
    urls = [hostile.base_url + path for path in paths]
    hostile.routes[("POST", SDXL)] = reply(200, json.dumps({"imageUrl": urls}).encode())
    for path in paths:
        hostile.routes[("GET", path)] = reply(200, _image("PNG"), "image/png")


def test_an_image_written_to_stdout_is_recorded_as_stdout_not_as_a_removed_path(
        hostile: Hostile) -> None:
    _images(hostile, ["/cdn/a.png"])
    result = run("sdxl", "a fox", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert "PNG" in result.stdout
    (row,) = rows()
    assert row.state == "saved" and [f["path"] for f in row.files] == ["-"]
    assert "(written to stdout)" in run("history").stdout


def test_stdout_given_more_images_than_asked_downloads_none_and_names_the_way_back(
        hostile: Hostile) -> None:
    _images(hostile, ["/cdn/a.png", "/cdn/b.png"])
    result = run("sdxl", "a fox", "-o", "-")
    assert result.exit_code == 8
    assert result.stdout == ""
    assert "exactly one" in result.stderr and "/cdn/b.png" in result.stderr
    assert ("GET", "/cdn/a.png") not in hostile.requests
    (row,) = rows()
    assert row.files == [] and len(row.urls or []) == 2 and row.exit_code == 8
