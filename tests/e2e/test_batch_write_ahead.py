"""A batch killed while a paid POST is in flight, then run again: the intent written before the
POST makes the re-run treat that job as "may have been charged" and send nothing, unless
--resend-maybe-charged. Real processes; the kill comes once the sandbox has the POST."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.e2e.harness import KEY, PIXAZO, Server, start_server
from tests.e2e.test_signals import until


@pytest.fixture
def slow_gateway() -> Server:
    server = start_server("--rate-limit", "0")
    yield server
    server.stop()


def kill_hard(proc: subprocess.Popen[str]) -> None:
    proc.kill()


def interrupt_then_terminate(proc: subprocess.Popen[str]) -> None:
    """GitHub Actions' cancel: SIGINT, then SIGTERM while the first is still being handled."""
    proc.send_signal(signal.SIGINT)
    assert proc.stderr is not None
    while "Stopping" not in proc.stderr.readline():  # the first signal is being handled
        pass
    proc.send_signal(signal.SIGTERM)


@pytest.mark.parametrize("stop", [kill_hard, interrupt_then_terminate],
                         ids=["sigkill", "sigint-then-sigterm"])
def test_a_post_in_flight_when_killed_is_never_resent_without_asking(
        stop, slow_gateway: Server, home: Path, tmp_path: Path) -> None:
    slow_gateway.reset(["submit:slow=30"])
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(json.dumps({"model": "sdxl", "prompt": "a paid fox"}) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIXAZO_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), PIXAZO_API_KEY=KEY,
               PIXAZO_BASE_URL=slow_gateway.url)
    command = [str(PIXAZO), "batch", str(jobs), "-d", "out"]
    first = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    until(lambda: slow_gateway.stats()["posts_received"] == 1, "the POST to arrive")
    stop(first)
    first.communicate(timeout=30)
    assert first.returncode != 0
    manifest = (tmp_path / "out" / "pixazo-manifest.jsonl").read_text()
    assert '"status": "sent"' in manifest  # the intent was on disk before the POST
    slow_gateway.control("/_sandbox/faults", {"faults": []})

    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=60)
    assert again.returncode == 7, again.stderr
    assert "may have been charged" in again.stderr
    assert slow_gateway.stats()["posts_received"] == 1  # not paid twice
    assert KEY not in again.stderr + again.stdout + manifest

    forced = subprocess.run([*command, "--resend-maybe-charged"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert forced.returncode == 0, forced.stderr
    assert slow_gateway.stats()["posts_received"] == 2
    assert len(forced.stdout.splitlines()) == 1
    leftovers = [p.name for p in (tmp_path / "out").iterdir()
                 if p.name.startswith(".") or p.name.endswith(".part")]
    assert leftovers == []
