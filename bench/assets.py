"""Benchmark case of asset derivation: 200 originals of 1024 x 1024 (sandbox pictures carrying
a generation record), each to WebP and AVIF at three widths with a BlurHash, by the engine in
one worker process and in two; the whole process tree's peak memory (PSS, so pages shared by
the worker processes count once), at 50 and at 200 images; and a re-run with nothing to do.

Each run is a child process (`python bench/assets.py FOLDER WORKERS`), sampled every 0.1 s
from /proc: its tree's summed PSS, and its CPU time (user + system, the last value seen of
each process), which other processes on the machine barely move, unlike wall clock."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from harness import ROOT, Row

COUNT = 200
OPTIONS = {"to": "webp,avif", "widths": "320,640,960", "placeholder": "blurhash"}
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def originals(folder: Path, count: int) -> None:
    sys.path.insert(0, str(ROOT))
    from pixazo_cli import record
    from pixazo_cli.sandbox.images import Picture, render

    folder.mkdir(parents=True)
    for n in range(count):
        prompt = f"a lighthouse at dusk, study {n}"
        data = render(Picture(1024, 1024, "png", 90, prompt, "sdxl",
                              hashlib.sha256(prompt.encode()).digest()))
        made = {"tool": "bench", "model": "sdxl", "endpoint": "/getImage/v1/getSDXLImage",
                "body": {"prompt": prompt, "seed": n}, "request_id": f"req-{n}"}
        with open(folder / f"img{n:03d}.png", "wb") as out:
            record.embed(io.BytesIO(data), out, made, "png")


def linked_copy(source: Path, target: Path, count: int) -> Path:
    """A fresh folder holding the first `count` originals (hard links: no copying)."""
    target.mkdir()
    for path in sorted(source.iterdir())[:count]:
        os.link(path, target / path.name)
    return target


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float | None:
    """User + system seconds so far; None once the process is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return None


def measured(folder: Path, workers: int) -> dict[str, float]:
    """Wall time, CPU seconds and peak PSS (MB) of deriving `folder` in a child process."""
    return sampled([sys.executable, __file__, str(folder), str(workers)])


def sampled(command: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Wall time, CPU seconds and peak PSS (MB) of a command and every process under it; its
    stdout, a JSON object, joins them."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    peak, cpu, pids, tick = 0, {}, [child.pid], 0
    while child.poll() is None:
        if tick % 10 == 0:  # the tree (worker processes live as long as the run): every 1 s
            pids = _tree(child.pid)
        peak = max(peak, sum(_pss_kb(pid) for pid in pids))
        for pid in pids:  # the last value seen of each: a process gone keeps its own
            seconds = _cpu_seconds(pid)
            if seconds is not None:
                cpu[pid] = max(cpu.get(pid, 0.0), seconds)
        tick += 1
        time.sleep(0.1)
    wall = time.perf_counter() - started
    assert child.returncode == 0, f"{command} failed"
    report = json.loads((child.stdout.read() if child.stdout else "") or "{}")
    return {"wall": wall, "cpu": sum(cpu.values()), "pss": peak / 1024, **report}


def assets(home: Path) -> list[Row]:
    source = home / "originals"
    originals(source, COUNT)
    load = os.getloadavg()[0]
    one = measured(linked_copy(source, home / "one", COUNT), 1)
    two = measured(linked_copy(source, home / "two", COUNT), 2)
    small = measured(linked_copy(source, home / "fifty", 50), 2)
    again = measured(home / "two", 2)
    speedup = one["wall"] / two["wall"]
    flat = two["pss"] - small["pss"]
    what = "200 images 1024², WebP + AVIF at 320/640/960 + BlurHash"
    cpu_one, cpu_two = one["cpu"] / COUNT, two["cpu"] / COUNT
    loads = f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after"
    return [
        (f"assets: {what}, 1 process", f"{one['wall']:.1f} s, {COUNT / one['wall']:.2f} "
         f"images/s; {cpu_one * 1000:.0f} ms CPU an image ({1 / cpu_one:.2f} images per "
         "CPU-second)", loads),
        (f"assets: {what}, 2 processes", f"{two['wall']:.1f} s, {COUNT / two['wall']:.2f} "
         f"images/s ({COUNT / two['wall'] / 2:.2f} a core); {cpu_two * 1000:.0f} ms CPU an "
         "image", "CPU includes the parent and the forkserver"),
        ("assets: speed-up on 2 cores against 1", f"{speedup:.2f}x wall clock; CPU an image "
         f"{cpu_two / cpu_one:.2f}x one process's",
         "wall clock is only meaningful on an idle machine; equal CPU an image means no "
         "parallel overhead"),
        ("assets: peak memory, 50 and 200 images, 2 processes (whole tree, PSS)",
         f"{small['pss']:.0f} MB, {two['pss']:.0f} MB",
         f"flat ({flat:+.0f} MB) and < 300 MB: "
         f"{'met' if abs(flat) < 20 and two['pss'] < 300 else 'MISSED'}"),
        ("assets: re-run of the 200, nothing changed", f"{again['wall']:.1f} s; "
         f"{int(again['reused'])} reused", "every file checked by sha256, nothing encoded"),
        *paced_batch(home),
    ]


PACED = 60  # images, at about one a second: four in flight, each taking four seconds
PACED_ASSETS = ("--to", "webp,avif", "--widths", "480,960", "--placeholder", "blurhash")


def paced_batch(home: Path) -> list[Row]:
    """A batch held to the gateway's pace (60 images a minute, as --rate-limit 60 and the
    gateway's latency make it: -j 4 with 4 s a job), run without and then with
    post-processing; what derivation adds is the wall clock after the last image is saved."""
    from harness import PIXAZO, client_env, sandbox

    jobs = home / "paced.jsonl"
    jobs.write_text("".join(json.dumps({"model": "sdxl", "prompt": f"hero {n}", "seed": n})
                            + "\n" for n in range(PACED)))
    load = os.getloadavg()[0]
    took: dict[str, dict[str, float]] = {}
    for name, extra in (("without", ()), ("with", PACED_ASSETS)):
        with sandbox("--latency", "4") as url:  # stdout: the paths, not JSON
            took[name] = sampled(["sh", "-c", '"$0" "$@" >/dev/null', PIXAZO, "-q", "batch",
                                  str(jobs), "-j", "4", "--rate-limit", "60", "-d",
                                  str(home / f"paced-{name}"), *extra],
                                 env=client_env(url, home))
    plain, derived = took["without"], took["with"]
    extra = derived["wall"] / plain["wall"] - 1
    return [("assets: a batch of 60 images 1024² at the gateway's pace (-j 4, 4 s a job, "
             "--rate-limit 60), without and with --to webp,avif --widths 480,960 "
             "--placeholder blurhash",
             f"{plain['wall']:.1f} s and {derived['wall']:.1f} s wall clock ({extra:+.1%}); "
             f"CPU {plain['cpu']:.1f} s and {derived['cpu']:.1f} s; peak {plain['pss']:.0f} "
             f"and {derived['pss']:.0f} MB (whole tree, PSS)",
             f"under 5%: {'met' if extra < 0.05 else 'MISSED'}; load average {load:.1f} "
             f"before, {os.getloadavg()[0]:.1f} after")]


def _derive(folder: Path, workers: int) -> None:
    """The child: derive every original in `folder`, as `pixazo assets derive` does."""
    sys.path.insert(0, str(ROOT))
    from pixazo_cli.assets.engine import DeriveEngine, Outcome
    from pixazo_cli.assets.manifest import Recorder
    from pixazo_cli.assets.options import parse_options

    recorder = Recorder()
    counts = {"reused": 0, "failed": 0}

    def done(outcome: Outcome) -> None:
        if outcome.asset is None:
            counts["failed"] += 1
            return
        counts["reused"] += outcome.reused
        recorder.add(outcome.asset)

    paths = sorted(p for p in folder.iterdir() if p.name.startswith("img") and
                   p.suffix == ".png" and "-" not in p.stem)
    with DeriveEngine(parse_options(OPTIONS), done, workers=workers,
                      previous=recorder.previous) as engine:
        for path in paths:
            engine.submit(path)
    recorder.flush()
    assert counts["failed"] == 0
    print(json.dumps(counts))


if __name__ == "__main__":
    _derive(Path(sys.argv[1]), int(sys.argv[2]))
