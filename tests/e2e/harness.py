"""End-to-end harness: the installed `pixazo` console script, run as a subprocess against
`pixazo sandbox serve` running as another subprocess: real processes, real HTTP."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PIXAZO = Path(sys.executable).parent / "pixazo"
KEY = "e2e-key-0123456789abcdef"


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[str]

    def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST" if data
                                         is not None else "GET")
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read() or b"null")

    def stats(self) -> dict[str, Any]:
        return self.control("/_sandbox/stats")

    def reset(self, faults: list[str] | None = None) -> None:
        self.control("/_sandbox/reset", {})
        if faults:
            self.control("/_sandbox/faults", {"faults": faults})

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def start_server(*args: str) -> Server:
    proc = subprocess.Popen(
        [str(PIXAZO), "sandbox", "serve", "--port", "0", "--latency", "0", "--quiet", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    first = proc.stderr.readline()
    found = re.search(r"(http://\S+)", first)
    if not found:
        proc.kill()
        raise RuntimeError(f"sandbox did not start: {first!r}")
    return Server(found.group(1).rstrip("/."), proc)


def run_pixazo(args: list[str], home: Path, cwd: Path, server: Server | None = None,
               env: dict[str, str] | None = None, input: str | None = None,
               timeout: float = 60) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PIXAZO_")}
    environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                   XDG_DATA_HOME=str(home / ".local" / "share"), PIXAZO_API_KEY=KEY)
    if server is not None:
        environ["PIXAZO_BASE_URL"] = server.url
    environ.update(env or {})
    return subprocess.run([str(PIXAZO), *args], cwd=cwd, env=environ, input=input,
                          capture_output=True, text=True, timeout=timeout)
