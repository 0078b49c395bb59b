"""pixazo's benchmarks: one command, one printed table (`python bench/run.py [--write]`).

Start-up, the client's own overhead per generation beside a minimal raw-httpx script, polling
cost and detection lag for queued jobs, download throughput and peak memory, and batch speed-up.
Everything runs against the sandbox on loopback; `--write` also records the table in
docs/BENCHMARKS.md. Numbers are medians; timings are wall clock on whatever machine runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PIXAZO = str(BIN / "pixazo")
KEY = "bench-key-0123456789abcdef"
RAW_CLIENT = """
import os, sys, httpx
base, out = sys.argv[1], sys.argv[2]
with httpx.Client() as client:
    reply = client.post(base + "/getImage/v1/getSDXLImage", json={"prompt": "bench", "width": 512,
        "height": 512, "seed": 1}, headers={"Ocp-Apim-Subscription-Key": os.environ["KEY"],
        "Cache-Control": "no-cache"}, timeout=600)
    url = reply.json()["imageUrl"]
    with client.stream("GET", url) as image, open(out, "wb") as handle:
        for chunk in image.iter_bytes():
            handle.write(chunk)
"""
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


def startup(runs: int) -> list[tuple[str, str, str]]:
    completion = dict(os.environ, _PIXAZO_COMPLETE="complete_bash",
                      COMP_WORDS="pixazo sdxl x --", COMP_CWORD="3")
    baseline = median_ms([sys.executable, "-c", "pass"], runs)
    rows = [("start-up: python -c pass (baseline)", f"{baseline:.0f} ms", "")]
    for label, command, env, target in (
            ("start-up: pixazo --version", [PIXAZO, "--version"], None, 60),
            ("start-up: pixazo --help", [PIXAZO, "--help"], None, 150),
            ("start-up: a completion request", [PIXAZO], completion, 100)):
        took = median_ms(command, runs, env)
        verdict = "met" if took < target else "MISSED"
        rows.append((label, f"{took:.0f} ms", f"< {target} ms: {verdict}"))
    return rows


def overhead(runs: int, home: Path) -> list[tuple[str, str, str]]:
    raw = home / "raw.py"
    raw.write_text(RAW_CLIENT)
    with sandbox("--latency", "0", "--rate-limit", "0") as url:
        env = client_env(url, home)
        tool = median_ms([PIXAZO, "-q", "sdxl", "bench", "--width", "512", "--height", "512",
                          "--seed", "1", "-d", str(home / "out")], runs, env)
        plain = median_ms([sys.executable, str(raw), url, str(home / "raw.png")], runs, env)
    return [("sync generation, whole command: pixazo sdxl", f"{tool:.0f} ms", ""),
            ("sync generation, whole command: raw httpx script", f"{plain:.0f} ms", ""),
            ("pixazo's own overhead per generation", f"{tool - plain:+.0f} ms",
             "mostly start-up (typer, building the commands), then config, "
             "record embedding, atomic save")]


def polling() -> list[tuple[str, str, str]]:
    """Queued jobs of 3 s, 30 s and 120 s on a simulated clock, through the real wait loop."""
    sys.path.insert(0, str(ROOT))
    from pixazo_cli.flow.waiting import wait_for_job
    from pixazo_cli.http.clock import Deadline

    class Clock:
        t = 0.0

        def now(self) -> float:
            return self.t

        def sleep(self, seconds: float) -> None:
            self.t += seconds

    class Reply(dict):
        status = 200

    class Gateway:
        def __init__(self, clock: Clock, finish: float) -> None:
            self.clock, self.finish, self.polls = clock, finish, 0
            self.deadline = Deadline(clock, 600)

        def status(self, request_id: str) -> Reply:
            self.polls += 1
            done = self.clock.now() >= self.finish
            return Reply(status="COMPLETED" if done else "PROCESSING",
                         output={"media_url": ["x"]} if done else None)

    rows = []
    for seconds in (3, 30, 120):
        clock = Clock()
        gateway = Gateway(clock, seconds)
        wait_for_job(gateway, "job", lambda _status: None)  # type: ignore[arg-type]
        lag = clock.now() - seconds
        rows.append((f"nucleus job of {seconds} s: polls sent, detection lag",
                     f"{gateway.polls} polls, {lag:.2f} s", "backs off to one poll per 5 s"))
    return rows


def download(home: Path) -> list[tuple[str, str, str]]:
    rows = []
    (home / "config" / "pixazo").mkdir(parents=True, exist_ok=True)
    (home / "config" / "pixazo" / "config.toml").write_text("max_download_mb = 200\n")
    peaks, times = {}, {}
    for megabytes in (5, 50):
        with sandbox("--latency", "0", "--fault", f"download:huge={megabytes}") as url:
            env = client_env(url, home)
            command = [PIXAZO, "-q", "sdxl", "bench", "-d", str(home / f"big{megabytes}")]
            started = time.perf_counter()
            peak_kb = subprocess.run([sys.executable, "-c", MEASURE_RSS, *command], env=env,
                                     capture_output=True, text=True, check=True).stdout
            times[megabytes] = time.perf_counter() - started
        peaks[megabytes] = int(peak_kb) / 1024
        rows.append((f"download a {megabytes} MB image: whole command, peak RSS",
                     f"{times[megabytes]:.2f} s, {peaks[megabytes]:.0f} MB", ""))
    rate = 45 / max(times[50] - times[5], 1e-6)
    growth = peaks[50] - peaks[5]
    rows.append(("download throughput (the 45 MB difference)", f"{rate:.0f} MB/s",
                 "stream, sha256, record embedding, rename"))
    rows.append(("peak memory growth from 5 MB to 50 MB", f"{growth:+.1f} MB",
                 f"streaming: {'met' if growth < 10 else 'MISSED'}"))
    return rows


def batch(home: Path) -> list[tuple[str, str, str]]:
    jobs = home / "jobs.jsonl"
    jobs.write_text("".join(json.dumps({"model": "sdxl", "prompt": f"hero {n}", "width": 512,
                                        "height": 512, "seed": n}) + "\n" for n in range(40)))
    results = {}
    for concurrency in (1, 8):
        # A fresh sandbox each run, with the gateway's default limit of 60 a minute.
        with sandbox("--latency", "1") as url:
            env = client_env(url, home)
            started = time.perf_counter()
            subprocess.run([PIXAZO, "-q", "batch", str(jobs), "-j", str(concurrency), "-d",
                            str(home / f"batch{concurrency}")], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            took = time.perf_counter() - started
            seen = stats(url)
        results[concurrency] = (took, seen["posts_received"] - seen["posts_accepted"])
    speedup = results[1][0] / results[8][0]
    return [
        ("batch 40 jobs, 1 s latency, --concurrency 1", f"{results[1][0]:.1f} s", ""),
        ("batch 40 jobs, 1 s latency, --concurrency 8",
         f"{results[8][0]:.1f} s, {results[8][1]} x 429", ""),
        ("batch speed-up", f"{speedup:.1f}x",
         f">= 6x and no 429: {'met' if speedup >= 6 and results[8][1] == 0 else 'MISSED'}"),
    ]


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


def big(home: Path) -> list[tuple[str, str, str]]:
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
BOMB_MB = 500  # decoded size; about 0.5 MB on the wire


def bomb(home: Path) -> list[tuple[str, str, str]]:
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



HISTORY_ROWS = 10_000


def history(runs: int, home: Path) -> list[tuple[str, str, str]]:
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


SECTIONS = ("startup", "overhead", "polling", "download", "batch", "big", "history", "bomb")


def merged(recorded: str, rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The recorded table's rows, with those measured now replaced or appended."""
    old = [tuple(cell.strip() for cell in line.strip("|").split("|"))
           for line in recorded.splitlines()
           if line.startswith("| ") and not line.startswith("| measure")]
    fresh = {row[0]: row for row in rows}
    kept = [fresh.pop(row[0], row) for row in old if len(row) == 3]
    return kept + list(fresh.values())  # type: ignore[return-value]



def table(rows: list[tuple[str, str, str]]) -> str:
    lines = ["| measure | result | target / note |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def as_installed() -> None:
    """Measure pixazo as installed: pip compiles the bytecode of what it installs, but a
    PYTHONDONTWRITEBYTECODE=1 in the environment (this machine sets it) would make every run
    compile pixazo's modules from source again, tens of milliseconds no user pays."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "pixazo_cli")],
                   check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="repetitions for medians")
    parser.add_argument("--write", action="store_true", help="record in docs/BENCHMARKS.md")
    parser.add_argument("--only", choices=SECTIONS, action="append", metavar="NAME",
                        help=f"run only this section (repeatable): {', '.join(SECTIONS)}; "
                        "with --write, only its rows are replaced")
    args = parser.parse_args()
    wanted = args.only or SECTIONS
    as_installed()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        sections = {"startup": lambda: startup(args.runs),
                    "overhead": lambda: overhead(max(5, args.runs // 2), home),
                    "polling": polling, "download": lambda: download(home),
                    "batch": lambda: batch(home), "big": lambda: big(home),
                    "history": lambda: history(args.runs, home),
                    "bomb": lambda: bomb(home)}
        rows = [row for name in SECTIONS if name in wanted for row in sections[name]()]
    result = table(rows)
    print(result)
    if args.write:
        write(rows, args.only)


def write(rows: list[tuple[str, str, str]], only: list[str] | None) -> None:
    """Record the table; with --only, just those cases' rows, noted under the header. The
    sections written by hand after the table stay."""
    target = ROOT / "docs" / "BENCHMARKS.md"
    recorded = target.read_text(encoding="utf-8") if target.exists() else ""
    before, _, after = recorded.partition("\n\n| measure")
    after = after.partition("\n\n")[2]  # what follows the table
    header = (f"# Benchmarks\n\nRecorded {date.today().isoformat()} with `python bench/run.py "
              f"--write` on {machine()}. {INSTALLED}")
    if only:
        rows = merged(recorded, rows)
        cases = ", ".join(only)
        kept = [part for part in before.split("\n\n") if not part.startswith(f"Rows of {cases} ")]
        header = "\n\n".join(kept + [
            f"Rows of {cases} re-recorded {date.today().isoformat()} with `python bench/run.py "
            f"--write{''.join(f' --only {c}' for c in only)}` (load average "
            f"{os.getloadavg()[0]:.1f} on the same machine; see each row's note)."])
    target.write_text(f"{header}\n\n{table(rows)}\n" + (f"\n{after}" if after else ""))


INSTALLED = ("pixazo runs as installed: its bytecode compiled, as pip leaves it (this machine's "
             "PYTHONDONTWRITEBYTECODE=1 would otherwise make every run compile pixazo's modules "
             "from source, about +15 ms to `--version` and +40 ms to `history`).")


if __name__ == "__main__":
    main()
