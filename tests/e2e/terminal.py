"""Running the installed `pixazo` with stdout and/or stderr on a pseudo-terminal, the way a
person at a terminal sees it, for behaviour that depends on isatty()."""

from __future__ import annotations

import os
import pty
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.harness import KEY, PIXAZO


@dataclass
class TerminalRun:
    returncode: int
    screen: str  # everything written to the terminal, control sequences included
    stdout: bytes  # what went to a pipe instead, when only stderr is the terminal


def run_on_terminal(args: list[str], home: Path, cwd: Path, env: dict[str, str] | None = None,
                    stdout_on_terminal: bool = True, timeout: float = 60) -> TerminalRun:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PIXAZO_")}
    environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), PIXAZO_API_KEY=KEY,
                   TERM="xterm-256color", COLUMNS="100")
    environ.pop("NO_COLOR", None)
    environ.update(env or {})
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [str(PIXAZO), *args], cwd=cwd, env=environ, stdin=subprocess.DEVNULL,
            stdout=follower if stdout_on_terminal else subprocess.PIPE, stderr=follower)
        os.close(follower)
        screen = _read_all(leader)
        stdout = proc.stdout.read() if proc.stdout else b""
        proc.wait(timeout=timeout)
    finally:
        os.close(leader)
    return TerminalRun(proc.returncode, screen.decode("utf-8", "replace"), stdout)


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
