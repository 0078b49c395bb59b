"""The batch manifest: the newest line of a job is its state, a line cut short by a kill is
skipped, and what is appended after such a line is never lost."""

from __future__ import annotations

import json
from pathlib import Path

from pixazo_cli.batch.manifest import Manifest


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
