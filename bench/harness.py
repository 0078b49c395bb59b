"""What every benchmark case uses: where pixazo is, how a command is timed (median wall clock,
median CPU), and a sandbox on loopback to measure against."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

Row = tuple[str, str, str]  # measure, result, target or note

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PIXAZO = str(BIN / "pixazo")
KEY = "bench-key-0123456789abcdef"
MEASURE_USAGE = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
                 "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
                 "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
                 "print(u.ru_maxrss, u.ru_utime + u.ru_stime)")
MEASURE_RSS = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
               "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")



def median_ms(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def median_cpu_ms(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """CPU time (user + system) of the command: unlike wall clock, barely moved by other
    processes competing for the cores."""
    import resource

    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times) * 1000


@contextmanager
def sandbox(*args: str) -> Iterator[str]:
    proc = subprocess.Popen([PIXAZO, "sandbox", "serve", "--port", "0", "--quiet", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    url = re.search(r"(http://\S+)", proc.stderr.readline())
    try:
        assert url, "the sandbox did not start"
        yield url.group(1).rstrip("/.")
    finally:
        proc.terminate()
        proc.wait()


def stats(url: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(url + "/_sandbox/stats") as reply:
        return json.loads(reply.read())


def client_env(url: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIXAZO_")}
    env.update(PIXAZO_API_KEY=KEY, KEY=KEY, PIXAZO_BASE_URL=url, HOME=str(home),
               XDG_CONFIG_HOME=str(home / "config"))
    return env
