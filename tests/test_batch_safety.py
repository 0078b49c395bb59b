"""The ways a batch could hang, or pay twice, found in review: each pinned by a test."""

from __future__ import annotations

import io
import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from pixazo_cli import record
from pixazo_cli.errors import RateLimitError
from pixazo_cli.http.clock import Deadline
from pixazo_cli.http.limiter import RateLimiter, Stopped
from pixazo_cli.sandbox import Sandbox, SandboxOptions, start
from tests.conftest import FakeClock, Result, run


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with start(SandboxOptions(port=0, latency=0, quiet=True, rate_limit=0)) as running:
        yield running


def reset(sandbox: Sandbox) -> None:
    urllib.request.urlopen(urllib.request.Request(sandbox.base_url + "/_sandbox/reset",
                                                  data=b"{}", method="POST")).close()


@pytest.fixture
def gateway(sandbox: Sandbox, key: str, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    reset(sandbox)
    monkeypatch.setenv("PIXAZO_BASE_URL", sandbox.base_url)
    return sandbox


def write(folder: Path, *lines: dict) -> str:
    (folder / "jobs.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return "jobs.jsonl"


def run_bounded(*args: str, seconds: float = 30) -> Result:
    """Run the CLI in a thread, so a hang fails the test instead of the suite."""
    results: list[Result] = []
    thread = threading.Thread(target=lambda: results.append(run(*args)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert results, f"pixazo {' '.join(args)} did not finish in {seconds} s"
    return results[0]


def test_an_empty_wallet_stops_new_requests_but_saves_what_was_paid(
        isolated: Path, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with start(SandboxOptions(port=0, latency=0.3, quiet=True, balance=1)) as poor:
        monkeypatch.setenv("PIXAZO_BASE_URL", poor.base_url)
        name = write(isolated, {"model": "nucleus", "prompt": "paid"},
                     {"model": "sdxl", "prompt": "refused"}, {"model": "sdxl", "prompt": "never"})
        result = run_bounded("batch", name, "-o", "out", "-j", "1")
        stats = poor.stats()
    assert result.exit_code == 4
    assert len(result.stdout.splitlines()) == 1  # the nucleus image, paid for, is saved
    assert stats["posts_received"] == 2


def test_a_closed_limiter_sends_nothing(clock: FakeClock) -> None:
    limiter = RateLimiter(1, clock)
    limiter.acquire()
    limiter.close()
    with pytest.raises(Stopped):
        limiter.acquire()


def test_a_stop_wakes_a_worker_waiting_for_a_slot() -> None:
    from pixazo_cli.http.clock import SystemClock

    limiter = RateLimiter(1, SystemClock())
    limiter.acquire()
    outcome: list[str] = []

    def worker() -> None:
        try:
            limiter.acquire()
            outcome.append("sent")
        except Stopped:
            outcome.append("stopped")

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    threading.Event().wait(0.1)
    limiter.close()
    thread.join(5)
    assert outcome == ["stopped"]


def test_the_limiter_refuses_a_wait_past_the_jobs_deadline(clock: FakeClock) -> None:
    limiter = RateLimiter(1, clock)
    limiter.acquire()
    with pytest.raises(RateLimitError, match="Not sent"):
        limiter.acquire(Deadline(clock, 5))
    assert clock.sleeps == []


def test_recorded_urls_are_fetched_again_never_paid_again(gateway: Sandbox,
                                                          isolated: Path) -> None:
    gateway.set_faults(["download:404*1"])
    name = write(isolated, {"model": "sdxl", "prompt": "once", "seed": 1,
                            "name": "once-{request_id}.{ext}"})
    assert run("batch", name, "-o", "out").exit_code == 8
    entry = json.loads((isolated / "out" / "pixazo-manifest.jsonl").read_text()
                       .splitlines()[-1])
    entry["error"]["exit_code"] = 1  # whatever the failure was, the URL is paid for
    (isolated / "out" / "pixazo-manifest.jsonl").write_text(json.dumps(entry) + "\n")
    again = run("batch", name, "-o", "out")
    assert again.exit_code == 0, again.stderr
    assert gateway.stats()["posts_received"] == 1
    assert [p.name for p in (isolated / "out").iterdir() if p.suffix == ".part"] == []


def test_a_request_that_may_have_been_charged_is_not_resent_unless_asked(
        gateway: Sandbox, isolated: Path) -> None:
    gateway.set_faults(["submit:500*1"])
    name = write(isolated, {"model": "sdxl", "prompt": "maybe"})
    assert run("batch", name, "-o", "out").exit_code == 7
    held = run("batch", name, "-o", "out")
    assert held.exit_code == 7 and "--resend-maybe-charged" in held.stderr
    assert gateway.stats()["posts_received"] == 1
    resent = run("batch", name, "-o", "out", "--resend-maybe-charged")
    assert resent.exit_code == 0, resent.stderr
    assert gateway.stats()["posts_received"] == 2


def test_a_queued_job_the_gateway_forgot_is_failed_then_submitted_again(
        gateway: Sandbox, isolated: Path) -> None:
    gateway.set_faults(["status:503*100"])
    name = write(isolated, {"model": "nucleus", "prompt": "forgotten"})
    assert run("batch", name, "-o", "out", "--timeout", "5").exit_code == 7
    reset(gateway)  # the gateway no longer knows the request id
    lost = run("batch", name, "-o", "out")
    assert lost.exit_code == 6 and "no longer knows" in lost.stderr
    assert gateway.stats()["posts_received"] == 0
    assert run("batch", name, "-o", "out").exit_code == 0
    assert gateway.stats()["posts_received"] == 1


def test_a_bug_in_the_poller_fails_the_job_instead_of_hanging(
        gateway: Sandbox, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> list[str]:
        raise RuntimeError("boom")

    monkeypatch.setattr("pixazo_cli.batch.poller.reply_urls", broken)
    name = write(isolated, {"model": "nucleus", "prompt": "a"}, {"model": "sdxl", "prompt": "b"})
    result = run_bounded("batch", name, "-o", "out")
    assert result.exit_code == 1 and "boom" in result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_a_name_with_a_format_spec_is_refused_before_paying(gateway: Sandbox) -> None:
    result = run("sdxl", "x", "--seed", "1", "--name", "{seed:05d}-{request_id}.{ext}")
    assert result.exit_code == 2 and "format" in result.stderr
    assert gateway.stats()["posts_received"] == 0


def test_overwrite_onto_a_folder_is_a_save_error_without_leftovers(gateway: Sandbox,
                                                                   isolated: Path) -> None:
    (isolated / "taken.png").mkdir()
    result = run("sdxl", "x", "--name", "taken.{ext}", "--overwrite")
    assert result.exit_code == 8
    assert sorted(p.name for p in isolated.iterdir()) == ["taken.png"]


def test_batch_lines_sharing_a_name_stop_before_any_request(gateway: Sandbox,
                                                           isolated: Path) -> None:
    name = write(isolated, {"model": "sdxl", "prompt": "a", "name": "hero.{ext}"},
                 {"model": "sdxl", "prompt": "b", "name": "hero.{ext}"})
    result = run("batch", name, "-o", "out")
    assert result.exit_code == 2 and "lines 1 and 2" in result.stderr
    assert gateway.stats()["posts_received"] == 0


def test_a_batch_name_already_on_disk_stops_before_any_request(gateway: Sandbox,
                                                              isolated: Path) -> None:
    (isolated / "out").mkdir()
    (isolated / "out" / "hero.png").write_bytes(b"mine")
    name = write(isolated, {"model": "sdxl", "prompt": "a", "name": "hero.{ext}"})
    result = run("batch", name, "-o", "out")
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert gateway.stats()["posts_received"] == 0


def test_nan_in_a_param_is_sent_as_text(gateway: Sandbox) -> None:
    shown = run("sdxl", "x", "--param", "note=NaN", "--dry-run", "--json").json()
    assert shown["body"]["note"] == "NaN"


@pytest.mark.parametrize(("key_name", "value"), [("timeout", "nan"), ("max_download_mb", "inf"),
                                                 ("base_url", "http://[::1")])
def test_config_refuses_values_that_would_break_every_command(key_name: str, value: str) -> None:
    assert run("config", "set", key_name, value).exit_code == 2


@pytest.mark.parametrize("line", ['name = 5', 'base_url = 5', 'output_dir = ["a"]'])
def test_a_config_value_of_the_wrong_type_is_a_clear_error(line: str, key: str) -> None:
    path = Path(run("config", "path").stdout.strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(line + "\n")
    result = run("sdxl", "x", "--dry-run")
    assert result.exit_code == 2 and line.split(" ")[0] in result.stderr


def _image_with(record_data: dict, folder: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    buffer.seek(0)
    path = folder / "crafted.png"
    with open(path, "wb") as out:
        record.embed(buffer, out, record_data, "png")
    return path


def test_replay_checks_a_crafted_record_like_flags(gateway: Sandbox, isolated: Path) -> None:
    crafted = _image_with({"model": "nucleus",
                           "endpoint": "/nucleus-image/v1/nucleus-image-request",
                           "body": {"prompt": "x", "num_images": 99}}, isolated)
    result = run("replay", str(crafted))
    assert result.exit_code == 2 and "--num-images 99" in result.stderr
    assert gateway.stats()["posts_received"] == 0


def test_replay_never_takes_headers_from_the_file(gateway: Sandbox, isolated: Path) -> None:
    crafted = _image_with({"model": "sdxl", "endpoint": "/getImage/v1/getSDXLImage",
                           "body": {"prompt": "x"},
                           "headers": {"X-Webhook-URL": "http://evil.example/"}}, isolated)
    shown = run("replay", str(crafted), "--dry-run", "--json").json()
    assert "X-Webhook-URL" not in shown["headers"]
