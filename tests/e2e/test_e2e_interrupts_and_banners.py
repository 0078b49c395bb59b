"""Real processes for what only a real process shows: Ctrl-C at a prompt on a terminal, Ctrl-C
under --json, `pixazo history` (an app of its own) speaking --json, and the sandbox banner's
command run exactly as printed."""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

from tests.e2e.harness import KEY, PIXAZO, Server, run_pixazo
from tests.e2e.test_signals import start_pixazo, until


def _read_until(fd: int, wanted: bytes, limit: float = 20.0) -> bytes:
    seen = b""
    end = time.monotonic() + limit
    while wanted not in seen:
        assert time.monotonic() < end, f"never saw {wanted!r}: {seen!r}"
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            seen += os.read(fd, 4096)
    return seen


def _own_terminal() -> None:
    os.setsid()  # a session of its own, whose controlling terminal is the pty (stdin)
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_ctrl_c_at_the_auth_login_prompt_exits_130(home: Path, tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PIXAZO_")}
    environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), TERM="xterm")
    leader, follower = os.openpty()
    proc = subprocess.Popen([str(PIXAZO), "auth", "login"], cwd=tmp_path, env=environ,
                            stdin=follower, stdout=follower, stderr=follower,
                            preexec_fn=_own_terminal)  # noqa: PLW1509 - a test's child only
    os.close(follower)
    try:
        _read_until(leader, b"Pixazo API key")
        os.write(leader, b"\x03")  # Ctrl-C, as typed: the terminal sends SIGINT
        proc.wait(timeout=20)
        screen = _read_until(leader, b"Interrupted") if proc.returncode == 130 else b""
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert b"Aborted!" not in screen
    assert not (home / ".config" / "pixazo" / "config.toml").exists()


def test_ctrl_c_while_waiting_with_json_is_one_object(server: Server, home: Path,
                                                      tmp_path: Path) -> None:
    server.reset(["job:never"])
    proc = start_pixazo(["nucleus", "a lighthouse", "--json"], home, tmp_path, server)
    until(lambda: server.stats()["status_polls"] >= 1, "the first poll")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    [line] = out.splitlines()
    report = json.loads(line)
    assert report["exit_code"] == 130 and report["request_id"].startswith("nucleus-image_")


def test_ctrl_c_in_a_batch_with_json_leaves_only_json_lines(server: Server, home: Path,
                                                            tmp_path: Path) -> None:
    server.reset(["job:never"])
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text('{"model": "sdxl", "prompt": "a fox", "seed": 1}\n'
                    '{"model": "nucleus", "prompt": "an owl"}\n')
    proc = start_pixazo(["batch", str(jobs), "-d", "out", "--json"], home, tmp_path, server)
    until(lambda: server.stats()["status_polls"] >= 1, "the nucleus job's first poll")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert all(isinstance(line, dict) for line in lines)
    assert [line["line"] for line in lines if line.get("status") == "saved"] == [1]


def test_history_run_as_its_own_app_speaks_json_on_a_parser_error(home: Path,
                                                                  tmp_path: Path) -> None:
    for args, said in ((["--limt", "3"], "Did you mean --limit?"),
                       (["-n", "0"], "whole number, at least 1")):
        result = run_pixazo(["history", *args, "--json"], home, tmp_path)
        assert result.returncode == 2 and "Usage:" not in result.stderr
        [line] = result.stdout.splitlines()
        report = json.loads(line)
        assert report["exit_code"] == 2 and said in report["error"] + report.get("hint", "")


def _banner_command(proc: subprocess.Popen[str]) -> str:
    assert proc.stderr is not None
    lines = [proc.stderr.readline() for _ in range(3)]
    return lines[2].strip()


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([str(PIXAZO), "sandbox", "serve", "--port", "0", "--latency", "0",
                             *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)


def _run_as_printed(command: str, home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The banner's line through a shell, with nothing of ours in the environment."""
    environ = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home),
               "XDG_CONFIG_HOME": str(home / ".config"),
               "XDG_DATA_HOME": str(home / ".local" / "share")}
    return subprocess.run(["sh", "-c", command], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=60)


def test_the_sandbox_banner_s_command_runs_as_printed(home: Path, tmp_path: Path) -> None:
    proc = _serve()
    try:
        command = _banner_command(proc)
        assert re.fullmatch(r"PIXAZO_BASE_URL=\S+ PIXAZO_API_KEY=\S+ pixazo .+", command)
        result = _run_as_printed(command, home, tmp_path)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert result.returncode == 0, result.stderr
    assert Path(tmp_path / result.stdout.strip()).is_file()


def test_the_banner_names_the_key_the_sandbox_was_told_to_take(home: Path,
                                                               tmp_path: Path) -> None:
    proc = _serve("--key", KEY)
    try:
        command = _banner_command(proc)
        result = _run_as_printed(command, home, tmp_path)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert f"PIXAZO_API_KEY={KEY}" in command
    assert result.returncode == 0, result.stderr
