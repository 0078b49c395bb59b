"""pixazo batch: every line checked first, parallel under one limiter, shardable, one exit code
for the run; a job that fails never hangs the batch. (Re-runs: test_batch_resume.py.)

Real HTTP against the in-process sandbox; the client's clock is fake, so nothing sleeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from pixazo_cli.batch.jobfile import read_jobs, shard
from pixazo_cli.sandbox import Sandbox, SandboxOptions, start
from tests.batch_support import lines, manifest, write, write_lines
from tests.conftest import run, run_bounded


def test_every_line_is_saved_and_its_path_printed(gateway: Sandbox, isolated: Path) -> None:
    result = run("batch", write(isolated, lines(5)), "-d", "out", "-j", "3")
    assert result.exit_code == 0, result.stderr
    paths = result.stdout.splitlines()
    assert len(paths) == 5
    for path in paths:
        with Image.open(isolated / path) as image:
            assert image.size == (512, 512)
    assert gateway.stats()["posts_accepted"] == 5


def test_an_invalid_line_17_stops_the_batch_before_any_request(gateway: Sandbox,
                                                               isolated: Path) -> None:
    text = lines(16) + json.dumps({"model": "sdxl", "prompt": "x", "steps": 99}) + "\n" \
        + lines(3)
    result = run("batch", write(isolated, text), "-d", "out")
    assert result.exit_code == 2
    assert "line 17" in result.stderr and "--steps 99" in result.stderr
    assert gateway.stats()["posts_received"] == 0
    assert not (isolated / "out" / "pixazo-manifest.jsonl").exists()


def test_skip_invalid_runs_the_valid_lines(gateway: Sandbox, isolated: Path) -> None:
    text = lines(2) + '{"model": "nucleus", "prompt": "x", "seed": 1}\n'
    result = run("batch", write(isolated, text), "-d", "out", "--skip-invalid")
    assert result.exit_code == 2, result.stderr  # a skipped line is not success (issue 14)
    assert "line 3" in result.stderr
    assert gateway.stats()["posts_accepted"] == 2


def test_plain_text_lines_need_a_model(gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, "a red fox\n\n# a comment\na blue fox\n", "prompts.txt")
    refused = run("batch", name, "-d", "out")
    assert refused.exit_code == 2 and "line 1" in refused.stderr and "line 4" in refused.stderr
    done = run("batch", name, "-d", "out", "--model", "lightning")
    assert done.exit_code == 0, done.stderr
    assert [p.split("/")[-1].split("-", 1)[0] for p in done.stdout.split()] == ["lightning"] * 2


def test_batch_reads_stdin(gateway: Sandbox, isolated: Path) -> None:
    result = run("batch", "-", "-d", "out", input=lines(2))
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_the_manifest_records_each_job(gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, '{"model": "sd3", "prompt": "a", "format": "jpg", "name": "a.{ext}"}\n')
    assert run("batch", name, "-d", "out").exit_code == 0
    entry = manifest(isolated / "out")[-1]
    assert entry["line"] == 1 and entry["status"] == "saved" and entry["model"] == "sd3"
    assert len(entry["body_sha256"]) == 64
    [file] = entry["files"]
    assert file["path"] == "a.jpg" and len(file["sha256"]) == 64


def test_exit_code_is_the_most_severe_failure_with_a_summary(gateway: Sandbox,
                                                             isolated: Path) -> None:
    gateway.set_faults(["job:failed*1", "download:404*3"])
    text = '{"model": "nucleus", "prompt": "fails"}\n' + lines(1)
    result = run("batch", write(isolated, text), "-d", "out", "-j", "1")
    assert result.exit_code == 8  # a file not saved outranks a failed generation
    assert "line  exit  error" in result.stderr


def test_json_gives_one_line_per_job(gateway: Sandbox, isolated: Path) -> None:
    result = run("batch", write(isolated, lines(3)), "-d", "out", "--json")
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(e["line"] for e in entries) == [1, 2, 3]
    assert all(e["status"] == "saved" for e in entries)


def test_shards_cover_every_line_exactly_once(gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, lines(10))
    seen: list[int] = []
    for index in (1, 2, 3):
        result = run("batch", name, "-d", f"shard{index}", "--shard", f"{index}/3", "--json")
        assert result.exit_code == 0, result.stderr
        seen += [json.loads(line)["line"] for line in result.stdout.splitlines()]
    assert sorted(seen) == list(range(1, 11))
    assert gateway.stats()["posts_received"] == 10


def test_shard_is_deterministic_and_splits_every_line_once() -> None:
    # Shards follow each job's content, not its position (issue 14): tests/test_batch_shards.py
    jobs, _ = read_jobs(lines(10), None, {})
    slices = [shard(jobs, (i, 3)) for i in (1, 2, 3)]
    assert sorted(j.line for s in slices for j in s) == list(range(1, 11))
    assert shard(jobs, (2, 3)) == shard(read_jobs(lines(10), None, {})[0], (2, 3))


def test_a_bad_shard_is_a_usage_error(isolated: Path) -> None:
    assert run("batch", write(isolated, lines(1)), "--shard", "4/3").exit_code == 2


def test_identical_lines_are_separate_jobs() -> None:
    jobs, _ = read_jobs(lines(1) * 2, None, {})
    assert jobs[0].key != jobs[1].key
    assert jobs[0].body_sha256 == jobs[1].body_sha256


def test_a_429_that_comes_anyway_is_retried_through_the_shared_limiter(
        gateway: Sandbox, isolated: Path, clock) -> None:
    gateway.set_faults(["submit:429*1"])
    result = run("batch", write(isolated, lines(3)), "-d", "out", "-j", "3")
    assert result.exit_code == 0, result.stderr
    assert gateway.stats()["posts_received"] == 4 and gateway.stats()["posts_accepted"] == 3
    assert 1.0 in clock.sleeps  # the sandbox's Retry-After: 1, waited in the limiter


def test_an_empty_wallet_stops_new_requests_but_saves_what_was_paid(
        isolated: Path, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with start(SandboxOptions(port=0, latency=0.3, quiet=True, balance=1)) as poor:
        monkeypatch.setenv("PIXAZO_BASE_URL", poor.base_url)
        name = write_lines(isolated, {"model": "nucleus", "prompt": "paid"},
                           {"model": "sdxl", "prompt": "refused"},
                           {"model": "sdxl", "prompt": "never"})
        result = run_bounded("batch", name, "-d", "out", "-j", "1")
        stats = poor.stats()
    assert result.exit_code == 4
    assert len(result.stdout.splitlines()) == 1  # the nucleus image, paid for, is saved
    assert stats["posts_received"] == 2


def test_a_bug_in_the_poller_ends_the_paid_job_as_queued_instead_of_hanging(
        gateway: Sandbox, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    with monkeypatch.context() as patched:
        patched.setattr("pixazo_cli.batch.poller.take_urls", broken)
        name = write_lines(isolated, {"model": "nucleus", "prompt": "a"},
                           {"model": "sdxl", "prompt": "b"})
        result = run_bounded("batch", name, "-d", "out")
    # Paid, so never exit 1 and never "failed": it may have cost, and it stays collectable.
    assert result.exit_code == 7 and "boom" in result.stderr
    assert len(result.stdout.splitlines()) == 1
    again = run_bounded("batch", name, "-d", "out")
    assert again.exit_code == 0, again.stderr
    assert gateway.stats()["posts_received"] == 2  # the nucleus job collected, not sent again


def test_batch_lines_sharing_a_name_stop_before_any_request(gateway: Sandbox,
                                                           isolated: Path) -> None:
    name = write_lines(isolated, {"model": "sdxl", "prompt": "a", "name": "hero.{ext}"},
                       {"model": "sdxl", "prompt": "b", "name": "hero.{ext}"})
    result = run("batch", name, "-d", "out")
    assert result.exit_code == 2 and "lines 1 and 2" in result.stderr
    assert gateway.stats()["posts_received"] == 0


def test_a_batch_name_already_on_disk_stops_before_any_request(gateway: Sandbox,
                                                              isolated: Path) -> None:
    (isolated / "out").mkdir()
    (isolated / "out" / "hero.png").write_bytes(b"mine")
    name = write_lines(isolated, {"model": "sdxl", "prompt": "a", "name": "hero.{ext}"})
    result = run("batch", name, "-d", "out")
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert gateway.stats()["posts_received"] == 0
