"""Taking a batch file in for a run, line by line: the same jobs and shards as reading it whole,
jobs an earlier run saved kept as a line and a key only, and lines split where the file says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pixazo_cli.batch.intake import IntakeRules, take_in
from pixazo_cli.batch.jobfile import file_lines, read_jobs, shard, split_lines
from pixazo_cli.batch.manifest import MANIFEST_NAME, Manifest
from pixazo_cli.errors import UsageError
from pixazo_cli.sandbox import Sandbox
from tests.batch_support import lines, write
from tests.conftest import run


def rules(folder: Path, which: tuple[int, int] | None = None) -> IntakeRules:
    return IntakeRules(None, {}, which, folder)


def saved_manifest(folder: Path, text: str, saved_lines: set[int]) -> Manifest:
    """A manifest where the jobs on `saved_lines` were saved, with their files on disk."""
    folder.mkdir(exist_ok=True)
    with open(folder / MANIFEST_NAME, "w", encoding="utf-8") as handle:
        for job in read_jobs(text, None, {})[0]:
            if job.line in saved_lines:
                (folder / f"{job.line}.png").write_bytes(b"\x89PNG")
                handle.write(json.dumps({"job": job.key, "status": "saved", "model": "sdxl",
                                         "files": [{"path": f"{job.line}.png"}]}) + "\n")
    return Manifest(folder / MANIFEST_NAME)


def test_each_shard_takes_in_the_jobs_reading_the_whole_file_gives_it(tmp_path: Path) -> None:
    text = lines(12) + lines(2)  # repeats too
    whole = read_jobs(text, None, {})[0]
    for index in (1, 2, 3):
        intake = take_in(split_lines(text), Manifest(tmp_path / "none"),
                         rules(tmp_path, (index, 3)))
        assert intake.todo == shard(whole, (index, 3))


def test_a_job_saved_by_an_earlier_run_is_kept_as_its_line_and_key(tmp_path: Path) -> None:
    text = lines(4)
    manifest = saved_manifest(tmp_path / "out", text, {1, 3})
    intake = take_in(split_lines(text), manifest, rules(tmp_path / "out"))
    keys = {job.line: job.key for job in read_jobs(text, None, {})[0]}
    assert list(intake.saved) == [(1, keys[1]), (3, keys[3])]
    assert [job.line for job in intake.todo] == [2, 4]
    assert intake.total == 4


def test_a_saved_job_whose_file_is_gone_has_work_left(tmp_path: Path) -> None:
    text = lines(2)
    manifest = saved_manifest(tmp_path / "out", text, {1, 2})
    (tmp_path / "out" / "2.png").unlink()
    intake = take_in(split_lines(text), manifest, rules(tmp_path / "out"))
    assert [line for line, _ in intake.saved] == [1]
    assert [job.line for job in intake.todo] == [2]


def test_an_empty_shard_of_a_file_with_jobs_is_not_an_error(tmp_path: Path) -> None:
    intake = take_in(split_lines(lines(1)), Manifest(tmp_path / "none"), rules(tmp_path, (1, 1)))
    assert intake.total == 1
    for index in (1, 2):  # one job: one of the two shards is empty
        take_in(split_lines(lines(1)), Manifest(tmp_path / "none"), rules(tmp_path, (index, 2)))


def test_a_file_without_jobs_is_refused_even_when_sharded(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no jobs"):
        take_in(["# nothing"], Manifest(tmp_path / "none"), rules(tmp_path, (1, 2)))


def test_a_file_splits_into_lines_by_the_one_rule_stdin_follows(tmp_path: Path) -> None:
    """At \\n and \\r\\n only, as the README says: a lone CR (or U+2028, a form feed) stays
    inside its line, read from disk or from stdin, so it never splits into extra paid jobs."""
    data = "a fox\u2028at dusk\r\nan owl\rin rain\r\r\nb\fc\nlast\r".encode()
    path = tmp_path / "jobs.txt"
    path.write_bytes(data)
    assert list(file_lines(path)) == split_lines(data.decode())
    assert list(file_lines(path)) == ["a fox\u2028at dusk", "an owl\rin rain\r", "b\fc",
                                      "last"]


def test_a_lone_cr_in_a_batch_file_makes_one_job_from_disk_and_from_stdin(
        gateway: Sandbox, isolated: Path) -> None:
    data = b'{"model": "sdxl", "prompt": "a fox"}\r{"model": "sdxl", "prompt": "b"}\n'
    (isolated / "cr.jsonl").write_bytes(data)
    from_disk = run("batch", "cr.jsonl", "-d", "disk", "--check", "--json")
    from_stdin = run("batch", "-", "-d", "stdin", "--check", "--json", input=data)
    assert from_disk.stdout.replace("disk", "") == from_stdin.stdout.replace("stdin", "")
    assert from_disk.json()["jobs"] + from_disk.json()["invalid"] == 1
    assert gateway.stats()["posts_received"] == 0


def test_a_batch_file_that_is_not_utf8_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "jobs.txt"
    path.write_bytes(b"a fox\n" * 5000 + b"an \xff owl\n")
    with pytest.raises(UsageError, match=r"batch file .*jobs.txt: line 5001 is not UTF-8 "
                                         r"text \(byte 4 of the line\)"):
        list(file_lines(path))


def test_a_bad_byte_names_its_line_whatever_lone_crs_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "jobs.txt"
    path.write_bytes(b"one\r\ntwo\r\xffx\n")
    with pytest.raises(UsageError, match=re.escape("line 2 is not UTF-8 text (byte 5 of the "
                                                   "line)")):
        list(file_lines(path))


def test_a_missing_batch_file_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Cannot read the batch file"):
        file_lines(tmp_path / "missing.jsonl")


def test_an_invalid_line_after_saved_jobs_prints_no_saved_paths(gateway: Sandbox,
                                                               isolated: Path) -> None:
    assert run("batch", write(isolated, lines(3)), "-d", "out").exit_code == 0
    text = lines(3) + json.dumps({"model": "sdxl", "prompt": "x", "steps": 99}) + "\n"
    result = run("batch", write(isolated, text), "-d", "out")
    assert result.exit_code == 2
    assert result.stdout == "" and "line 4" in result.stderr
    assert gateway.stats()["posts_received"] == 3


def test_a_rerun_prints_each_saved_file_and_sends_nothing(gateway: Sandbox,
                                                          isolated: Path) -> None:
    first = run("batch", write(isolated, lines(3)), "-d", "out")
    again = run("batch", "jobs.jsonl", "-d", "out")
    assert again.exit_code == 0, again.stderr
    assert sorted(again.stdout.splitlines()) == sorted(first.stdout.splitlines())
    assert "Nothing to do: all 3 jobs are saved." in again.stderr
    assert gateway.stats()["posts_received"] == 3


def test_a_rerun_of_one_saved_job_says_so_in_the_singular(gateway: Sandbox,
                                                          isolated: Path) -> None:
    run("batch", write(isolated, lines(1)), "-d", "out")
    again = run("batch", "jobs.jsonl", "-d", "out")
    assert "Batch: 1 job," in again.stderr
    assert "Nothing to do: the job is saved." in again.stderr
