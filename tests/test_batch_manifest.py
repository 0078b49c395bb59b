"""The batch manifest: the newest line of a job is its state, a line cut short by a kill is
skipped, what is appended after such a line is never lost, and a line it indexed is
checked when read (another program may have changed the file)."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import pytest

from pixazo_cli.batch.manifest import Manifest
from pixazo_cli.errors import SaveError


def write_lines(path: Path, *entries: dict[str, object], tail: str = "") -> None:
    path.write_text("".join(json.dumps(e) + "\n" for e in entries) + tail, encoding="utf-8")


def test_the_newest_line_of_a_job_is_its_state(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    write_lines(path, {"job": "a", "status": "sending"}, {"job": "b", "status": "saved"},
                {"job": "a", "status": "saved", "files": [{"path": "a.png"}]})
    manifest = Manifest(path)
    assert manifest.get("a") == {"job": "a", "status": "saved", "files": [{"path": "a.png"}]}
    assert manifest.status("b") == "saved"
    assert manifest.get("c") is None


def test_a_line_cut_short_by_a_kill_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    write_lines(path, {"job": "a", "status": "saved"}, tail='{"job": "b", "sta')
    manifest = Manifest(path)
    assert manifest.status("a") == "saved"
    assert manifest.get("b") is None


def test_a_line_appended_after_a_cut_one_is_read_by_the_next_run(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    write_lines(path, {"job": "a", "status": "saved"}, tail='{"job": "b", "sta')
    Manifest(path).record("b", durable=True, status="sending")
    assert Manifest(path).status("b") == "sending"


def test_a_record_merges_over_the_state_an_earlier_run_left(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    write_lines(path, {"job": "a", "status": "submitted", "request_id": "r-1", "line": 3})
    manifest = Manifest(path)
    entry = manifest.record("a", status="saved", files=[{"path": "a.png"}])
    assert (entry["request_id"], entry["line"], entry["status"]) == ("r-1", 3, "saved")
    assert Manifest(path).get("a") == entry


def test_entries_lists_each_jobs_newest_state_once(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    write_lines(path, {"job": "a", "status": "sending"}, {"job": "a", "status": "saved"})
    manifest = Manifest(path)
    manifest.record("b", status="failed")
    assert sorted((e["job"], e["status"]) for e in manifest.entries()) == [
        ("a", "saved"), ("b", "failed")]


class DiskFillsMidLine:
    """A file opened for appending whose disk fills after `room` bytes."""

    def __init__(self, path: Path, room: int) -> None:
        self.handle = open(path, "ab")  # noqa: SIM115
        self.room = room

    def write(self, data: bytes) -> int:
        self.handle.write(data[:self.room])
        self.handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __enter__(self) -> DiskFillsMidLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def test_a_line_after_an_append_the_full_disk_cut_short_is_not_lost(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.jsonl"
    manifest = Manifest(path)
    manifest.record("a", status="saved")
    with monkeypatch.context() as patch:
        patch.setattr(manifest, "_append", lambda: DiskFillsMidLine(path, 12))
        with pytest.raises(SaveError):
            manifest.record("b", durable=True, status="sending")
    manifest.record("c", durable=True, status="sending")  # space is back: c is sent
    assert Manifest(path).status("c") == "sending"


def test_a_manifest_changed_by_another_program_is_an_error_not_another_jobs_state(
        tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    write_lines(path, {"job": "a", "status": "failed"}, {"job": "b", "status": "saved"})
    manifest = Manifest(path)
    write_lines(path, {"job": "b", "status": "saved"}, {"job": "a", "status": "failed"})
    with pytest.raises(SaveError, match="changed by another program"):
        manifest.get("a")
    path.write_text("")
    with pytest.raises(SaveError, match="changed by another program"):
        manifest.get("b")  # past the end now


def test_holding_the_manifest_reads_what_was_appended_since_it_was_read(
        tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    write_lines(path, {"job": "a", "status": "sending"})
    manifest = Manifest(path)
    write_lines(path, {"job": "a", "status": "sending"}, {"job": "a", "status": "saved"},
                tail='{"job": "b"')
    manifest.hold()
    try:
        assert manifest.status("a") == "saved"
        manifest.record("c", status="sending")
    finally:
        manifest.release()
    assert Manifest(path).status("c") == "sending"


def test_a_released_manifest_leaves_no_file_open(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    write_lines(path, {"job": "a", "status": "saved"})
    with Manifest(path) as manifest:
        assert manifest.status("a") == "saved"
        reader: Any = manifest._reader
    assert reader.closed


def test_a_line_another_run_was_still_writing_is_read_whole_once_the_lock_is_held(
        tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    line = json.dumps({"job": "x", "status": "sending"}) + "\n"
    write_lines(path, {"job": "y", "status": "saved"}, tail=line[:15])
    manifest = Manifest(path)
    with open(path, "a", encoding="utf-8") as other:  # the other run's write completes
        other.write(line[15:] + json.dumps({"job": "z", "status": "saved"}) + "\n")
    manifest.hold()
    try:
        assert (manifest.status("x"), manifest.status("z")) == ("sending", "saved")
    finally:
        manifest.release()


def test_a_last_line_whole_but_for_its_newline_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"  # killed between the write-ahead line and its newline
    write_lines(path, {"job": "y", "status": "saved"},
                tail=json.dumps({"job": "x", "status": "sending"}))
    manifest = Manifest(path)
    assert manifest.status("x") == "sending"
    manifest.record("z", status="sending")
    assert (Manifest(path).status("x"), Manifest(path).status("z")) == ("sending", "sending")


def test_a_manifest_replaced_before_the_lock_is_read_afresh(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    write_lines(path, {"job": "x", "status": "failed"}, {"job": "y", "status": "failed"})
    manifest = Manifest(path)
    assert manifest.status("y") == "failed"  # the reader is open on the old file
    replacement = tmp_path / "new.jsonl"
    write_lines(replacement, {"job": "y", "status": "saved"})
    replacement.replace(path)
    manifest.hold()
    try:
        assert (manifest.status("y"), manifest.get("x")) == ("saved", None)
    finally:
        manifest.release()


def test_a_manifest_that_is_a_symlink_is_never_written_through(tmp_path: Path) -> None:
    from pixazo_cli.batch.manifest import MANIFEST_NAME

    victim = tmp_path / "victim.txt"
    victim.write_text("the user's file\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / MANIFEST_NAME).symlink_to(victim)
    manifest = Manifest(tmp_path / "out" / MANIFEST_NAME)
    with pytest.raises(SaveError):
        manifest.hold()
    with pytest.raises(SaveError):
        manifest.record("a", status="saved")
    assert victim.read_text() == "the user's file\n"
