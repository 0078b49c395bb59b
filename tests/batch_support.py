"""Job files for the batch tests."""

from __future__ import annotations

import json
from pathlib import Path


def lines(count: int, model: str = "sdxl") -> str:
    """`count` valid JSON lines, prompts "hero 1".."hero N", seeds 1..N."""
    return "".join(json.dumps({"model": model, "prompt": f"hero {n}", "width": 512,
                               "height": 512, "seed": n}) + "\n" for n in range(1, count + 1))


def write(tmp: Path, text: str, name: str = "jobs.jsonl") -> str:
    (tmp / name).write_text(text, encoding="utf-8")
    return name


def write_lines(folder: Path, *jobs: dict) -> str:
    """A jobs.jsonl with one JSON line per job."""
    return write(folder, "".join(json.dumps(job) + "\n" for job in jobs))


def manifest(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "pixazo-manifest.jsonl").read_text()
            .splitlines()]
