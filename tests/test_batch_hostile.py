"""A batch under hostile local conditions: another batch on the same folder, a disk that is full
before paying, and a manifest that must never hold the key."""

from __future__ import annotations

import errno
import fcntl
import json
import os
from pathlib import Path

import pytest

from pixazo_cli.sandbox import Sandbox
from tests.conftest import KEY, run


def jobs(folder: Path, *prompts: str) -> str:
    (folder / "jobs.jsonl").write_text("".join(
        json.dumps({"model": "sdxl", "prompt": p}) + "\n" for p in prompts))
    return "jobs.jsonl"


def test_a_second_batch_on_the_same_folder_is_refused_at_once(
        gateway: Sandbox, isolated: Path) -> None:
    out = isolated / "out"
    out.mkdir()
    with open(out / "pixazo-manifest.jsonl", "a") as other:  # another process's batch
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run("batch", jobs(isolated, "a fox"), "-d", "out")
    assert result.exit_code == 2, result.stderr
    assert "Another pixazo batch" in result.stderr
    assert "another output folder (-d)" in result.stderr  # -o names a file, not a folder
    assert gateway.stats()["posts_received"] == 0
    assert [p.name for p in out.iterdir()] == ["pixazo-manifest.jsonl"]


def test_the_lock_dies_with_the_batch_so_a_rerun_works(
        gateway: Sandbox, isolated: Path) -> None:
    name = jobs(isolated, "a fox")
    assert run("batch", name, "-d", "out").exit_code == 0
    again = run("batch", name, "-d", "out")
    assert again.exit_code == 0, again.stderr
    assert gateway.stats()["posts_received"] == 1  # saved the first time: skipped


def test_a_batch_that_finishes_while_another_reads_its_file_is_not_paid_again(
        gateway: Sandbox, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run B takes the lock and saves every job while run A is still taking its file in
    (A's manifest was read before B wrote): A must read what B added once it holds the lock."""
    import pixazo_cli.commands.batch as batch_command

    name = jobs(isolated, "a fox", "a hen", "an owl")
    real_take_in = batch_command.take_in
    others: list[int] = []

    def take_in_while_another_runs(*args: object) -> object:
        if not others:  # only in run A: run B takes its file in as usual
            monkeypatch.setattr(batch_command, "take_in", real_take_in)
            others.append(run("batch", name, "-d", "out").exit_code)
        return real_take_in(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(batch_command, "take_in", take_in_while_another_runs)
    result = run("batch", name, "-d", "out")
    assert others == [0] and result.exit_code == 0, result.stderr
    assert "Nothing to do: all 3 jobs are saved." in result.stderr
    assert gateway.stats()["posts_received"] == 3


def test_a_full_disk_is_found_before_paying(
        gateway: Sandbox, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)  # the intent cannot be made durable
    result = run("batch", jobs(isolated, "a fox", "a hen"), "-d", "out")
    assert result.exit_code == 8, result.stderr
    assert "manifest" in result.stderr
    assert gateway.stats()["posts_received"] == 0
    assert [p.name for p in (isolated / "out").iterdir()] == ["pixazo-manifest.jsonl"]


def test_a_failure_the_full_disk_keeps_out_of_the_manifest_is_still_counted_and_shown(
        gateway: Sandbox, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pixazo_cli.batch.manifest import Manifest
    from pixazo_cli.errors import SaveError

    real_record = Manifest.record

    def record(self: Manifest, job: str, durable: bool = False, **fields: object) -> object:
        if fields.get("status") == "failed":
            raise SaveError("Cannot write the manifest: No space left on device.")
        return real_record(self, job, durable, **fields)

    monkeypatch.setattr(Manifest, "record", record)
    gateway.set_faults(["job:failed"])
    (isolated / "jobs.jsonl").write_text('{"model": "nucleus", "prompt": "fails"}\n')
    result = run("batch", "jobs.jsonl", "-d", "out")
    assert result.exit_code == 6, result.stderr
    assert "not recorded in the manifest: Cannot write the manifest" in result.stderr
    assert "1 job: 0 saved, 0 already saved, 1 failed, 0 not run" in result.stderr


def test_the_manifest_never_holds_the_key(
        gateway: Sandbox, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (isolated / "jobs.jsonl").write_text(json.dumps(
        {"model": "sdxl", "prompt": f"my key is {KEY}"}) + "\n")
    result = run("batch", "jobs.jsonl", "-d", "out")
    assert result.exit_code == 0, result.stderr
    manifest = (isolated / "out" / "pixazo-manifest.jsonl").read_text()
    assert KEY not in manifest and KEY not in result.stdout + result.stderr
    assert gateway.stats()["bodies"][-1]["prompt"] == f"my key is {KEY}"  # sent as written
