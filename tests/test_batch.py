"""pixazo batch: every line checked first, parallel under one limiter, resumable, shardable.

Real HTTP against the in-process sandbox; the client's clock is fake, so nothing sleeps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from pixazo_cli.batch.jobfile import read_jobs, shard
from pixazo_cli.sandbox import Sandbox, SandboxOptions, start
from tests.conftest import run


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with start(SandboxOptions(port=0, latency=0, quiet=True, rate_limit=0)) as running:
        yield running


@pytest.fixture
def gateway(sandbox: Sandbox, key: str, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    sandbox.set_faults([])
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(sandbox.base_url + "/_sandbox/reset",
                                                  data=b"{}", method="POST")).close()
    monkeypatch.setenv("PIXAZO_BASE_URL", sandbox.base_url)
    return sandbox


def lines(count: int, model: str = "sdxl") -> str:
    return "".join(json.dumps({"model": model, "prompt": f"hero {n}", "width": 512,
                               "height": 512, "seed": n}) + "\n" for n in range(1, count + 1))


def write(tmp: Path, text: str, name: str = "jobs.jsonl") -> str:
    (tmp / name).write_text(text, encoding="utf-8")
    return name


def manifest(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "pixazo-manifest.jsonl").read_text()
            .splitlines()]


def test_every_line_is_saved_and_its_path_printed(gateway: Sandbox, isolated: Path) -> None:
    result = run("batch", write(isolated, lines(5)), "-o", "out", "-j", "3")
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
    result = run("batch", write(isolated, text), "-o", "out")
    assert result.exit_code == 2
    assert "line 17" in result.stderr and "--steps 99" in result.stderr
    assert gateway.stats()["posts_received"] == 0
    assert not (isolated / "out" / "pixazo-manifest.jsonl").exists()


def test_skip_invalid_runs_the_valid_lines(gateway: Sandbox, isolated: Path) -> None:
    text = lines(2) + '{"model": "nucleus", "prompt": "x", "seed": 1}\n'
    result = run("batch", write(isolated, text), "-o", "out", "--skip-invalid")
    assert result.exit_code == 2, result.stderr  # a skipped line is not success (issue 14)
    assert "line 3" in result.stderr
    assert gateway.stats()["posts_accepted"] == 2


def test_plain_text_lines_need_a_model(gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, "a red fox\n\n# a comment\na blue fox\n", "prompts.txt")
    refused = run("batch", name, "-o", "out")
    assert refused.exit_code == 2 and "line 1" in refused.stderr and "line 4" in refused.stderr
    done = run("batch", name, "-o", "out", "--model", "lightning")
    assert done.exit_code == 0, done.stderr
    assert [p.split("/")[-1].split("-", 1)[0] for p in done.stdout.split()] == ["lightning"] * 2


def test_batch_reads_stdin(gateway: Sandbox, isolated: Path) -> None:
    result = run("batch", "-", "-o", "out", input=lines(2))
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_a_rerun_skips_every_saved_job_and_pays_nothing(gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, lines(4) + '{"model": "nucleus", "prompt": "queued"}\n')
    first = run("batch", name, "-o", "out")
    again = run("batch", name, "-o", "out")
    assert first.exit_code == again.exit_code == 0
    assert gateway.stats()["posts_received"] == 5
    assert sorted(again.stdout.splitlines()) == sorted(first.stdout.splitlines())
    assert "5 already saved" in again.stderr


def test_a_rerun_sends_exactly_the_missing_requests(gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, lines(6))
    first_half = write(isolated, lines(3), "first.jsonl")
    assert run("batch", first_half, "-o", "out").exit_code == 0  # as if killed after three
    result = run("batch", name, "-o", "out")
    assert result.exit_code == 0, result.stderr
    assert gateway.stats()["posts_received"] == 6
    bodies = [b["prompt"] for b in gateway.stats()["bodies"]]
    assert sorted(bodies) == [f"hero {n}" for n in range(1, 7)]


def test_a_failed_download_is_fetched_again_without_paying_again(gateway: Sandbox,
                                                                   isolated: Path) -> None:
    gateway.set_faults(["download:404*2"])
    name = write(isolated, lines(3))
    first = run("batch", name, "-o", "out", "-j", "1")
    assert first.exit_code == 8
    assert "2 failed" in first.stderr
    second = run("batch", name, "-o", "out")
    assert second.exit_code == 0, second.stderr
    assert gateway.stats()["posts_received"] == 3
    assert len(second.stdout.splitlines()) == 3


def test_a_queued_job_is_resumed_by_its_request_id(gateway: Sandbox, isolated: Path) -> None:
    gateway.set_faults(["status:503*100"])  # polls keep failing until the job times out
    name = write(isolated, '{"model": "nucleus", "prompt": "slow one"}\n')
    first = run("batch", name, "-o", "out", "--timeout", "5")
    assert first.exit_code == 7, first.stderr
    [entry] = [e for e in manifest(isolated / "out") if e["status"] == "failed"]
    gateway.set_faults([])
    second = run("batch", name, "-o", "out")
    assert second.exit_code == 0, second.stderr
    assert gateway.stats()["posts_received"] == 1
    assert manifest(isolated / "out")[-1]["request_id"] == entry["request_id"]


def test_generation_failures_are_retried_on_the_next_run(gateway: Sandbox,
                                                          isolated: Path) -> None:
    gateway.set_faults(["job:failed*1"])
    name = write(isolated, '{"model": "nucleus", "prompt": "flaky"}\n')
    assert run("batch", name, "-o", "out").exit_code == 6
    assert run("batch", name, "-o", "out").exit_code == 0
    assert gateway.stats()["posts_received"] == 2


def test_the_manifest_records_each_job(gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, '{"model": "sd3", "prompt": "a", "format": "jpg", "name": "a.{ext}"}\n')
    assert run("batch", name, "-o", "out").exit_code == 0
    entry = manifest(isolated / "out")[-1]
    assert entry["line"] == 1 and entry["status"] == "saved" and entry["model"] == "sd3"
    assert len(entry["body_sha256"]) == 64
    [file] = entry["files"]
    assert file["path"] == "a.jpg" and len(file["sha256"]) == 64


def test_exit_code_is_the_most_severe_failure_with_a_summary(gateway: Sandbox,
                                                             isolated: Path) -> None:
    gateway.set_faults(["job:failed*1", "download:404*3"])
    text = '{"model": "nucleus", "prompt": "fails"}\n' + lines(1)
    result = run("batch", write(isolated, text), "-o", "out", "-j", "1")
    assert result.exit_code == 8  # a file not saved outranks a failed generation
    assert "line  exit  error" in result.stderr


def test_json_gives_one_line_per_job(gateway: Sandbox, isolated: Path) -> None:
    result = run("batch", write(isolated, lines(3)), "-o", "out", "--json")
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(e["line"] for e in entries) == [1, 2, 3]
    assert all(e["status"] == "saved" for e in entries)


def test_shards_cover_every_line_exactly_once(gateway: Sandbox, isolated: Path) -> None:
    name = write(isolated, lines(10))
    seen: list[int] = []
    for index in (1, 2, 3):
        result = run("batch", name, "-o", f"shard{index}", "--shard", f"{index}/3", "--json")
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


@pytest.mark.parametrize(("model", "extra", "suffix"), [
    ("sdxl", {}, ".png"), ("sd3", {"format": "jpg"}, ".jpg"), ("sd35", {}, ".webp")])
def test_inspect_round_trips_the_record(gateway: Sandbox, isolated: Path, model: str,
                                        extra: dict, suffix: str) -> None:
    made = run(model, "a lighthouse at dusk", *[a for k, v in extra.items()
                                                for a in (f"--{k}", v)], "--json")
    report = made.json()
    path = report["files"][0]["path"]
    assert path.endswith(suffix)
    record = run("inspect", "--json", path).json()
    assert record["model"] == model and record["body"] == report["body"]
    assert record["endpoint"] == report["endpoint"]
    assert record["tool"].startswith("pixazo-cli/")


def test_replay_sends_the_identical_body(gateway: Sandbox, isolated: Path) -> None:
    made = run("sdxl", "a sparrow", "--seed", "40", "--width", "768", "--json").json()
    replayed = run("replay", made["files"][0]["path"], "--json")
    assert replayed.exit_code == 0, replayed.stderr
    first, second = gateway.stats()["bodies"][-2:]
    assert first == second == made["body"]


def test_replay_flags_override_the_record(gateway: Sandbox, isolated: Path) -> None:
    made = run("sdxl", "a sparrow", "--seed", "40", "--json").json()
    assert run("replay", made["files"][0]["path"], "--seed", "41").exit_code == 0
    assert gateway.stats()["bodies"][-1] == {**made["body"], "seed": 41}
    refused = run("replay", made["files"][0]["path"], "--aspect-ratio", "1:1")
    assert refused.exit_code == 2 and "sdxl does not take --aspect-ratio" in refused.stderr


def test_sidecar_writes_the_record_beside_the_image(gateway: Sandbox, isolated: Path) -> None:
    made = run("sdxl", "a sparrow", "--sidecar", "--json").json()
    sidecar = Path(made["files"][0]["path"]).with_suffix(".json")
    data = json.loads(sidecar.read_text())
    assert data["body"] == made["body"] and data["file"]["sha256"] == made["files"][0]["sha256"]


def test_inspect_refuses_a_file_without_a_record(isolated: Path) -> None:
    Image.new("RGB", (4, 4)).save(isolated / "plain.png")
    result = run("inspect", "plain.png")
    assert result.exit_code == 2 and "no pixazo generation record" in result.stderr


def test_a_429_that_comes_anyway_is_retried_through_the_shared_limiter(
        gateway: Sandbox, isolated: Path, clock) -> None:
    gateway.set_faults(["submit:429*1"])
    result = run("batch", write(isolated, lines(3)), "-o", "out", "-j", "3")
    assert result.exit_code == 0, result.stderr
    assert gateway.stats()["posts_received"] == 4 and gateway.stats()["posts_accepted"] == 3
    assert 1.0 in clock.sleeps  # the sandbox's Retry-After: 1, waited in the limiter


class _TerminalStderr:
    """stderr that says it is a terminal, so the spinner and the progress bar really run."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def isatty(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr("pixazo_cli.ui.output.Ui.err", property(lambda self: _TerminalStderr(
        sys.stderr)))


def test_paths_stay_on_stdout_while_the_progress_bar_runs(gateway: Sandbox, isolated: Path,
                                                          terminal: None) -> None:
    result = run("batch", write(isolated, lines(3)), "-o", "out")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    assert all(line.startswith("out/") for line in result.stdout.splitlines())
    assert "out/" not in result.stderr


def test_the_path_stays_on_stdout_while_the_spinner_runs(gateway: Sandbox, isolated: Path,
                                                         terminal: None) -> None:
    result = run("sdxl", "a red fox", "-o", "out")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("out/sdxl-") and "out/" not in result.stderr
