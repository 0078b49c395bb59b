"""pixazo's benchmarks: one command, one printed table (`python bench/run.py [--write]`).

The cases are in speed.py (start-up, start-up with 50 model files, overhead per generation
beside a raw-httpx script, polling, the sandbox's drawing, download, batch speed-up), scale.py
(a 10,000-line batch, history over 10,000 rows, gzip bombs, compressed-text bombs in PNGs),
sheet.py (contact sheets of 1,000 and 5,000 images) and assets.py (deriving 200 images on one
and two cores); harness.py times commands. Everything runs against the sandbox on loopback;
`--write` also records the table in docs/BENCHMARKS.md. Numbers are medians, on whatever machine
runs it.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from assets import assets
from harness import ROOT, Row
from scale import big, bomb, history, text_bomb
from sheet import sheet
from speed import batch, download, model_files, overhead, polling, render, startup

SECTIONS = ("startup", "modelfiles", "overhead", "polling", "render", "download", "batch", "big",
            "history", "bomb", "textbomb", "sheet", "assets")


def merged(recorded: str, rows: list[Row]) -> list[Row]:
    """The recorded table's rows, with those measured now replaced or appended. Only the
    main table's: the tables written by hand after it stay where they are."""
    main = recorded.partition("\n\n| measure")[2].partition("\n\n")[0]
    old = [tuple(cell.strip() for cell in line.strip("|").split("|"))
           for line in main.splitlines() if line.startswith("| ")]
    fresh = {row[0]: row for row in rows}
    kept = [fresh.pop(row[0], row) for row in old if len(row) == 3]
    return kept + list(fresh.values())  # type: ignore[return-value]



def table(rows: list[Row]) -> str:
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
                    "modelfiles": lambda: model_files(args.runs, home),
                    "overhead": lambda: overhead(max(5, args.runs // 2), home),
                    "polling": polling, "render": lambda: render(args.runs),
                    "download": lambda: download(home),
                    "batch": lambda: batch(home), "big": lambda: big(home),
                    "history": lambda: history(args.runs, home),
                    "bomb": lambda: bomb(home), "textbomb": lambda: text_bomb(home),
                    "sheet": lambda: sheet(home), "assets": lambda: assets(home)}
        rows = [row for name in SECTIONS if name in wanted for row in sections[name]()]
    result = table(rows)
    print(result)
    if args.write:
        write(rows, args.only)


def write(rows: list[Row], only: list[str] | None) -> None:
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
