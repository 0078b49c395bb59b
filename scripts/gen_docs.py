"""Regenerate the man page and the shell completion scripts from the app itself.

    python scripts/gen_docs.py           write man/pixazo.1 and completions/*
    python scripts/gen_docs.py --check   write nothing; exit 1 listing the stale files

The text comes from tools.docgen.shelldocs.render_all(), the function the tests compare the
committed files with."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout's package, even when another one is installed

from tools.docgen.shelldocs import render_all  # noqa: E402


def stale_files(files: dict[str, str]) -> list[str]:
    stale = []
    for relative, text in files.items():
        path = ROOT / relative
        try:
            current = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if current != text:
            stale.append(relative)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a generated file is missing or stale")
    args = parser.parse_args(argv)
    files = render_all()
    stale = stale_files(files)
    if args.check:
        if stale:
            print("Stale generated files (run `python scripts/gen_docs.py`):", file=sys.stderr)
            for relative in stale:
                print(f"  {relative}", file=sys.stderr)
            return 1
        print(f"All {len(files)} generated files are current.", file=sys.stderr)
        return 0
    for relative in stale:
        path = ROOT / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[relative], encoding="utf-8", newline="\n")
        print(f"wrote {relative}", file=sys.stderr)
    if not stale:
        print(f"All {len(files)} generated files were already current.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
