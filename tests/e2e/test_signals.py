"""SIGTERM to a single command (a CI runner cancelling a job) stops it like Ctrl-C: the request
id and the resume command are printed, no partial file is left, and the exit code is 143.

Real processes: the installed console script against `pixazo sandbox serve`. No fixed sleeps:
the test polls the sandbox's counters until the stage it wants has begun, then signals."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import KEY, PIXAZO, Server

RESUME = re.compile(r"pixazo status (nucleus-image_[0-9a-f-]+) --wait")


def start_pixazo(args: list[str], home: Path, cwd: Path, server: Server) -> subprocess.Popen[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PIXAZO_")}
    environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), PIXAZO_API_KEY=KEY,
                   PIXAZO_BASE_URL=server.url)
    return subprocess.Popen([str(PIXAZO), *args], cwd=cwd, env=environ, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def until(condition: Callable[[], bool], what: str, limit: float = 20.0) -> None:
    """Wait for a server-side event (not a fixed time); fail after `limit` seconds."""
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, f"never happened: {what}"
        time.sleep(0.02)


def terminate_when(server: Server, proc: subprocess.Popen[str],
                   ready: Callable[[dict[str, Any]], bool]) -> tuple[int, str, str]:
    until(lambda: ready(server.stats()), "the stage to begin")
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    return proc.returncode, out, err


def every_entry(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


def test_sigterm_while_waiting_exits_143_with_the_resume_command(
        server: Server, home: Path, tmp_path: Path) -> None:
    server.reset(["job:never"])
    work = tmp_path / "out"
    work.mkdir()
    proc = start_pixazo(["nucleus", "a lighthouse"], home, work, server)
    code, out, err = terminate_when(server, proc, lambda s: s["status_polls"] >= 1)
    assert code == 143, err
    assert out == ""
    match = RESUME.search(err)
    assert match, err
    assert "Traceback" not in err and KEY not in err
    stats = server.stats()
    assert stats["posts_received"] == 1
    assert every_entry(work) == []


def test_sigterm_while_downloading_exits_143_and_leaves_no_part_file(
        server: Server, home: Path, tmp_path: Path) -> None:
    server.reset(["download:slow=30"])
    work = tmp_path / "out"
    work.mkdir()
    proc = start_pixazo(["nucleus", "a lighthouse"], home, work, server)
    code, out, err = terminate_when(server, proc, lambda s: s["downloads"] >= 1)
    assert code == 143, err
    assert out == ""
    assert RESUME.search(err), err
    assert "Traceback" not in err and KEY not in err
    assert server.stats()["posts_received"] == 1
    assert every_entry(work) == []


def test_ctrl_c_of_a_batch_counts_its_paid_queued_jobs_as_queued_not_as_not_run(
        server: Server, home: Path, tmp_path: Path) -> None:
    server.reset(["job:never"])
    (tmp_path / "jobs.jsonl").write_text('{"model": "nucleus", "prompt": "a lighthouse"}\n')
    proc = start_pixazo(["batch", "jobs.jsonl", "-d", "out"], home, tmp_path, server)
    until(lambda: server.stats()["status_polls"] >= 1, "the job to be queued and polled")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "1 job: 0 saved, 0 already saved, 0 failed, 1 queued at the gateway" in err
    assert "0 not run" in err and "Traceback" not in err


def queued_id(server: Server, home: Path, cwd: Path) -> str:
    """A nucleus job submitted with --no-wait that never finishes (job:never is set)."""
    proc = start_pixazo(["nucleus", "a lighthouse", "--no-wait"], home, cwd, server)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    return out.strip()


# The way back: each queued job's `pixazo status ID --wait`, or, for a grid (resumable like a
# batch), running it again.
@pytest.mark.parametrize(("command", "posts", "rerun"), [
    (["nucleus", "a lighthouse", "-n", "2", "-d", "out"], 1, False),  # nucleus: 2 in 1 request
    (["grid", "nucleus", "a lighthouse", "--x", "steps=10,20", "-d", "g"], 2, True),
    (["status", "QUEUED", "--wait", "-d", "out"], 1, False),
    (["fetch", "QUEUED", "-d", "out"], 1, False),
], ids=["-n", "grid", "status --wait", "fetch"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_while_waiting_names_the_way_back_on_every_path(
        server: Server, home: Path, tmp_path: Path, command: list[str], posts: int,
        rerun: bool, sig: signal.Signals) -> None:
    server.reset(["job:never"])
    if "QUEUED" in command:
        command = [queued_id(server, home, tmp_path) if w == "QUEUED" else w for w in command]
    polled = server.stats()["status_polls"]
    proc = start_pixazo(command, home, tmp_path, server)
    until(lambda: server.stats()["status_polls"] >= polled + posts, "every job to be polled")
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == (130 if sig == signal.SIGINT else 143), err
    if rerun:
        assert f"{posts} queued at the gateway (the next run collects them)" in err, err
    else:
        assert len(set(RESUME.findall(err))) == posts, err
    assert "Traceback" not in err and KEY not in err + out
    assert server.stats()["posts_received"] == posts
    assert [p for p in every_entry(tmp_path) if p.name.startswith(".pixazo-")
            and p.suffix == ".part"] == []


def test_ctrl_c_twice_during_n_leaves_no_scratch_folder_behind(
        server: Server, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second Ctrl-C ends the process at once (no clean-up runs): -n's scratch manifest
    folder is removed before that, so nothing of the run is left in the temp folder."""
    import threading

    server.reset(["download:slow=30"])
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    proc = start_pixazo(["sdxl", "a lighthouse", "-n", "2", "-d", "out"], home, tmp_path, server)
    said: list[str] = []
    reader = threading.Thread(target=lambda: said.extend(iter(proc.stderr.readline, "")))
    reader.start()
    until(lambda: server.stats()["downloads"] >= 1, "a download to begin")
    assert list(temp.iterdir()), "the scratch folder is where the test looks"
    proc.send_signal(signal.SIGINT)
    until(lambda: any("Ctrl-C again" in line for line in said), "the first Ctrl-C to be taken")
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=20)
    reader.join(timeout=20)
    assert proc.returncode == 130, "".join(said)
    assert any("Aborted" in line for line in said)
    assert list(temp.iterdir()) == []
