"""Benchmark cases of scale and hostile input: a 10,000-line batch (--check, a re-run over saved
jobs and its memory), history over 10,000 rows, gzip bombs, and PNGs whose compressed text
chunks inflate to gigabytes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

from harness import MEASURE_USAGE, PIXAZO, ROOT, Row, client_env, median_cpu_ms, median_ms


def big_batch(home: Path, count: int) -> tuple[Path, Path]:
    """A `count`-line batch file, and a folder where every one of its jobs is already saved (a
    manifest entry and a small file each, as a finished run leaves them)."""
    sys.path.insert(0, str(ROOT))
    from pixazo_cli.batch.jobfile import read_jobs

    jobs_path = home / f"big{count}.jsonl"
    jobs_path.write_text("".join(json.dumps({"model": "sdxl", "prompt": f"hero {n}",
                                             "seed": n}) + "\n" for n in range(count)))
    folder = home / f"saved{count}"
    folder.mkdir()
    with open(folder / "pixazo-manifest.jsonl", "w") as manifest:
        for job in read_jobs(jobs_path.read_text(), None, {})[0]:
            name = f"hero-{job.line}.png"
            (folder / name).write_bytes(b"\x89PNG")
            manifest.write(json.dumps({"job": job.key, "line": job.line, "status": "saved",
                                       "files": [{"path": name}]}) + "\n")
    return jobs_path, folder


def big(home: Path) -> list[Row]:
    """10,000 lines: --check, and a re-run where everything is saved already."""
    env = client_env("http://127.0.0.1:9", home)  # nothing may be sent: a closed port
    rows = []
    peaks = {}
    for count in (1000, 10000):
        jobs_path, folder = big_batch(home, count)
        if count == 10000:
            took = median_ms([PIXAZO, "batch", str(jobs_path), "--check", "-d", str(folder)],
                             3, env) / 1000
            rows.append(("batch --check, 10,000 lines (all saved)", f"{took:.2f} s",
                         f"< 2 s: {'met' if took < 2 else 'MISSED'}"))
        command = [PIXAZO, "-q", "batch", str(jobs_path), "-d", str(folder)]
        started = time.perf_counter()
        peak_kb, cpu = subprocess.run([sys.executable, "-c", MEASURE_USAGE, *command], env=env,
                                      capture_output=True, text=True, check=True).stdout.split()
        took = time.perf_counter() - started
        peaks[count] = int(peak_kb) / 1024
        rows.append((f"batch re-run, {count:,} jobs all saved: nothing to do; CPU; peak RSS",
                     f"{took:.2f} s; {float(cpu):.2f} s CPU; {peaks[count]:.0f} MB",
                     f"< 2 s: {'met' if took < 2 else 'MISSED'}" if count == 10000 else ""))
    growth = peaks[10000] - peaks[1000]
    per_job = growth * 1024 * 1024 / 9000
    rows.append(("peak memory growth from 1,000 to 10,000 saved jobs", f"{growth:+.1f} MB",
                 f"flat, < 5 MB: {'met' if growth < 5 else 'MISSED'} ({per_job:.0f} bytes a "
                 "saved job: its key and line; entries are read from the manifest when needed)"))
    return rows


MEASURE_RSS_ANY_EXIT = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], "
                        "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
                        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
                        "r.returncode)")
MEASURE_USAGE_ANY_EXIT = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], "
                          "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
                          "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
                          "print(u.ru_maxrss, u.ru_utime + u.ru_stime, r.returncode)")
BOMB_MB = 500  # decoded size; about 0.5 MB on the wire


def bomb(home: Path) -> list[Row]:
    """Gzip bombs from a hostile gateway (tests/hostile_server.py), as the reply to the paid
    POST, as a Stream endpoint's image body and as the image download: peak RSS of the command,
    which must stay under ~100 MB (the issue's bound) and end in an error."""
    sys.path.insert(0, str(ROOT))
    from tests.hostile_server import gzip_bomb, reply, serve

    server = serve({})
    png = gzip_bomb(BOMB_MB, "image/png")
    image_url = json.dumps({"imageUrl": server.base_url + "/cdn/bomb.png"}).encode()
    cases = (
        ("JSON reply to the POST", "/getImage/v1/getSDXLImage", gzip_bomb(BOMB_MB), ()),
        ("image body of a Stream reply", "/sdxl_lightning/getImage/v1/getSDXLImageStream",
         png, ("--stream",)),
        ("image download (200 MB cap)", "/getImage/v1/getSDXLImage", reply(200, image_url),
         ()),
    )
    server.routes[("GET", "/cdn/bomb.png")] = png
    rows = []
    try:
        for label, path, behaviour, extra in cases:
            server.routes = {k: v for k, v in server.routes.items() if k[0] == "GET"}
            server.routes[("POST", path)] = behaviour
            model = "lightning" if "--stream" in extra else "sdxl"
            command = [PIXAZO, "-q", model, "bench", *extra, "-d", str(home / "bomb")]
            out = subprocess.run([sys.executable, "-c", MEASURE_RSS_ANY_EXIT, *command],
                                 env=client_env(server.base_url, home), capture_output=True,
                                 text=True, check=True).stdout.split()
            peak = int(out[0]) / 1024
            verdict = "met" if peak < 100 and out[1] != "0" else "MISSED"
            rows.append((f"gzip bomb ({BOMB_MB} MB decoded) as the {label}: peak RSS, exit",
                         f"{peak:.0f} MB, exit {out[1]}", f"< 100 MB: {verdict}"))
    finally:
        server.close()
    return rows



TEXT_BOMB_MB = 1500  # inflated size of one chunk: a 1.5 MB file, as issue 20 reproduced it


def text_bomb(home: Path) -> list[Row]:
    """`pixazo inspect` (and, for comparison, `pixazo sheet`) on PNGs whose compressed text
    chunks inflate to gigabytes: wall time and peak RSS, which must stay under 2 s and 100 MB
    (issue 20), ending in a plain "no record" (exit 2), not a crash."""
    sys.path.insert(0, str(ROOT))
    from tests.crafted_images import png_chunk, png_text_bomb, png_with_chunks

    just_under_pillows_cap = zlib.compress(bytes((1 << 20) - 1024))  # 1 MB a chunk
    folder = home / "textbomb"
    folder.mkdir()
    cases = (
        (f"one iTXt record chunk, {TEXT_BOMB_MB / 1000:.1f} GB inflated", "one.png",
         png_text_bomb(TEXT_BOMB_MB)),
        ("100 iTXt record chunks, 100 MB inflated each", "many.png",
         png_text_bomb(100, chunks=100)),
        (f"one zTXt parameters chunk, {TEXT_BOMB_MB / 1000:.1f} GB inflated", "ztxt.png",
         png_text_bomb(TEXT_BOMB_MB, keyword=b"parameters", kind=b"zTXt")),
        ("63 zTXt chunks of 1 MB inflated, within Pillow's 64 MB a file", "pillow.png",
         png_with_chunks([png_chunk(b"zTXt", b"note%d\x00\x00" % n + just_under_pillows_cap)
                          for n in range(63)])),
    )
    rows = []
    for label, name, data in cases:
        (folder / name).write_bytes(data)
        size = f"{len(data) / 1e6:.1f} MB file"
        for command in ("inspect", "sheet"):
            target = [str(folder / name)] if command == "inspect" else [
                str(folder / name), "-d", str(home / f"sheet-{name}")]
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", MEASURE_USAGE_ANY_EXIT, PIXAZO, command,
                                  *target], capture_output=True, text=True, check=True)
            wall = time.perf_counter() - started
            rss, cpu, code = out.stdout.split()
            peak = int(rss) / 1024
            met = "met" if peak < 100 and float(cpu) < 2 else "MISSED"
            rows.append((f"text bomb ({label}; {size}): pixazo {command}: CPU, wall, peak RSS, "
                         "exit", f"{float(cpu):.2f} s, {wall:.2f} s, {peak:.0f} MB, exit {code}",
                         f"< 2 s CPU, < 100 MB: {met}" if command == "inspect" else
                         f"for comparison (Pillow's own text caps): {met}"))
    return rows


HISTORY_ROWS = 10_000


def history(runs: int, home: Path) -> list[Row]:
    """`pixazo history` over a history of 10,000 generations, beside `pixazo --version`."""
    sys.path.insert(0, str(ROOT))
    from pixazo_cli.history.store import History
    from pixazo_cli.models.request import build_request
    from pixazo_cli.models.table import MODELS

    path = home / "history.db"
    store = History(path)
    words = ("lighthouse", "sparrow", "fox", "harbour", "neon", "portrait", "forest", "owl")
    for n in range(HISTORY_ROWS):
        model = MODELS[("sd35", "sdxl", "nucleus")[n % 3]]
        request = build_request(model, f"a {words[n % 8]} at dusk, study {n}", {})
        row = store.start(request)
        store.update(row, status="saved", request_id=f"r{n}", urls=[f"https://cdn/{n}.png"],
                     images=1, cost_usd=model.price_per_image,
                     files=[{"path": f"/tmp/{n}.png", "bytes": 1, "sha256": "0" * 64}])
    store.close()
    env = dict(os.environ, PIXAZO_HISTORY_DB=str(path))
    rows = []
    for label, args in (("pixazo --version", ["--version"]), ("pixazo --help", ["--help"]),
                        ("pixazo history (latest 20)", ["history"]),
                        ("pixazo history --search owl", ["history", "--search", "owl"]),
                        ("pixazo history --cost", ["history", "--cost"])):
        wall = median_ms([PIXAZO, *args], runs, env)
        cpu = median_cpu_ms([PIXAZO, *args], runs, env)
        if args == ["--version"]:
            version = (wall, cpu)
            note = "the reference"
        elif args == ["--help"]:
            note = "for scale: the whole app's start-up"
        else:
            extra = cpu - version[1]
            note = (f"CPU < --version + 100 ms: {'met' if extra < 100 else 'MISSED'} "
                    f"({extra:+.0f} ms; wall {wall - version[0]:+.0f} ms)")
        where = f", {HISTORY_ROWS:,} rows" if args[0] == "history" else ""
        rows.append((f"history case: {label}{where} (wall, CPU)", f"{wall:.0f} ms, {cpu:.0f} ms",
                     note))
    return rows
