"""Benchmark case of the contact sheet at CI scale (issue 25): `pixazo sheet` over 1,000 and
5,000 sandbox images (512×512 PNGs, each with its generation record, and a batch manifest), on
one core (taskset) and on two; peak memory of the whole process tree; a re-run with nothing
new; the size of each page image.

The images are made here, not over HTTP: 64 pictures drawn by the sandbox's own code, each
saved many times with a different record embedded, so every file has bytes of its own (the
thumbnail cache cannot share them) and decodes like a sandbox image."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from harness import PIXAZO, ROOT, Row, client_env

SIZES = (1000, 5000)
PICTURES = 64
MEMORY_TARGET_MB = 150


def make_batch(folder: Path, count: int) -> Path:
    """A batch output folder as `pixazo batch` leaves it: images, records, the manifest."""
    sys.path.insert(0, str(ROOT))
    from pixazo_cli.record import embed
    from pixazo_cli.sandbox.images import Picture, render

    folder.mkdir(parents=True)
    drawn = []
    for n in range(PICTURES):
        prompt = f"hero {n} crossing a misty valley at dawn"
        digest = hashlib.sha256(prompt.encode()).digest()
        drawn.append(render(Picture(512, 512, "png", 90, prompt, "sdxl", digest)))
    with open(folder / "pixazo-manifest.jsonl", "w") as manifest:
        for line in range(1, count + 1):
            name = f"hero-{line}.png"
            record = {"tool": "pixazo-cli/bench", "model": "sdxl",
                      "endpoint": "/getImage/v1/getSDXLImage",
                      "body": {"prompt": f"hero {line} crossing a misty valley", "seed": line},
                      "request_id": f"req-{line:06d}", "created": "2026-01-01T00:00:00Z"}
            with open(folder / name, "wb") as image:
                embed(io.BytesIO(drawn[line % PICTURES]), image, record, "png")
            manifest.write(json.dumps({"job": f"k{line}", "line": line, "status": "saved",
                                       "files": [{"path": name}]}) + "\n")
    return folder


def tree(root: int) -> dict[int, tuple[int, float]]:
    """Each process of the tree under `root`: its proportional set size in kB (shared pages
    counted once across the tree) and the CPU seconds it has used."""
    found, todo = {}, [root]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        pid = todo.pop()
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
            pss = sum(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            found[pid] = pss, (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return found


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds of every process of the command (the workers' too, which
    are not its children but a fork server's), and the tree's peak memory in MB, sampled
    every 20 ms."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, cpu = [0], {}

    def sample() -> None:
        while proc.poll() is None:
            now = tree(proc.pid)
            peak[0] = max(peak[0], sum(pss for pss, _ in now.values()))
            cpu.update({pid: used for pid, (_, used) in now.items()})
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, stderr = proc.communicate()
    sampler.join()
    took = time.perf_counter() - started
    assert proc.returncode == 0, stderr.decode()[-2000:]
    return took, sum(cpu.values()), peak[0] / 1024


def sheet(home: Path) -> list[Row]:
    env = client_env("http://127.0.0.1:9", home)  # nothing is sent: a closed port
    rows: list[Row] = []
    taskset = shutil.which("taskset")
    for count in SIZES:
        folder = make_batch(home / f"sheet{count}", count)
        runs = {}
        for cores in (1, 2):
            out = home / f"sheet{count}-{cores}"
            pin = [taskset, "-c", "0"] if cores == 1 and taskset else []
            runs[cores] = measured([*pin, PIXAZO, "-q", "sheet", str(folder), "-d", str(out)],
                                   env)
        again = measured([PIXAZO, "-q", "sheet", str(folder), "-d", str(out)], env)
        rows += _rows(count, runs, again, out)
    return rows


def _rows(count: int, runs: dict[int, tuple[float, float, float]],
          again: tuple[float, float, float], out: Path) -> list[Row]:
    from PIL import Image

    one, two = runs[1], runs[2]
    peak = max(one[2], two[2])
    share = again[0] / two[0]
    pages = sorted(out.glob("contact-sheet*.png"), key=lambda p: (len(p.name), p.name))
    sizes = []
    for page in pages:
        with Image.open(page) as picture:
            sizes.append(f"{picture.width}×{picture.height}")
    largest = max(page.stat().st_size for page in pages) / 1e6
    counted = ", ".join(f"{sizes.count(size)} × {size}" for size in dict.fromkeys(sizes))
    return [
        (f"sheet, {count:,} images: 1 core; 2 cores (wall, CPU)",
         f"{one[0]:.1f} s, {one[1]:.1f} s CPU; {two[0]:.1f} s, {two[1]:.1f} s CPU",
         f"{one[0] / two[0]:.2f}x on 2 cores"),
        (f"sheet, {count:,} images: peak memory of all its processes (1 core; 2 cores)",
         f"{one[2]:.0f} MB; {two[2]:.0f} MB",
         f"< {MEMORY_TARGET_MB} MB: {'met' if peak < MEMORY_TARGET_MB else 'MISSED'} (PSS, "
         "the parent and its workers together)"),
        (f"sheet, {count:,} images, run again with nothing new (2 cores)",
         f"{again[0]:.2f} s, {again[1]:.2f} s CPU, {again[2]:.0f} MB",
         f"< 10% of the first run: {'met' if share < 0.1 else 'MISSED'} ({share:.1%})"),
        (f"sheet, {count:,} images: page images",
         f"{len(pages)} pages: {counted}; largest {largest:.1f} MB",
         "each <= 4096 px a side: " + ("met" if all(
             max(map(int, s.split("×"))) <= 4096 for s in sizes) else "MISSED")),
    ]


if __name__ == "__main__":  # a quick look: python bench/sheet.py
    import tempfile

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as scratch:
        for row in sheet(Path(scratch)):
            print(" | ".join(row))
