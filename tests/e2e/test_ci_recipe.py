"""The GitHub Actions recipe of docs/batch.md, run end to end: its own `pixazo` commands, read
from the page, for every shard of its matrix at once, against the sandbox. A re-run pays for
nothing, and a line added at the top of the file costs exactly one request."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

from tests.e2e.harness import KEY, PIXAZO, Server

RECIPE = Path(__file__).resolve().parents[2] / "docs" / "batch.md"


def recipe() -> tuple[list[int], list[str]]:
    """The matrix's shards and the recipe's `run: pixazo …` commands, as written."""
    text = RECIPE.read_text(encoding="utf-8")
    block = text.split("## A CI recipe (GitHub Actions)", 1)[1].split("```yaml", 1)[1]
    block = block.split("```", 1)[0]
    shards = [int(n) for n in re.search(r"shard: \[([\d, ]+)\]", block)[1].split(",")]
    commands = re.findall(r"^\s*- run: (pixazo .*)$", block, re.MULTILINE)
    return shards, commands


def heroes(count: int, first: str = "") -> str:
    """Every fifth line sd35 (priced), the rest sdxl."""
    return first + "".join(json.dumps({"model": "sd35", "prompt": f"hero banner {n}"}
                                      if n % 5 == 0 else
                                      {"model": "sdxl", "prompt": f"hero banner {n}", "seed": n})
                           + "\n" for n in range(count))


def run_matrix(env: dict[str, str], cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    """Each step of the recipe in turn; within a step, every shard at once."""
    shards, commands = recipe()
    results = []
    for command in commands:
        procs = [subprocess.Popen([str(PIXAZO), *shlex.split(
            command.replace("${{ matrix.shard }}", str(shard)))[1:]], cwd=cwd,
            env={**env, "GITHUB_STEP_SUMMARY": str(cwd / f"summary-{shard}.md")},
            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for shard in shards]
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIXAZO_", "GITHUB_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GITHUB_ACTIONS="true",
               **extra)
    return env


def test_the_ci_recipe_has_a_check_step_and_a_guarded_run() -> None:
    shards, commands = recipe()
    assert shards == [1, 2, 3, 4]
    assert [c.split()[-1] for c in commands][0] == "--check"
    assert "--max-cost" in commands[1]


def test_the_ci_recipe_end_to_end_then_a_rerun_that_pays_for_nothing(
        server: Server, home: Path, tmp_path: Path) -> None:
    (tmp_path / "heroes.jsonl").write_text(heroes(30))
    env = environment(home, PIXAZO_API_KEY=KEY, PIXAZO_BASE_URL=server.url)
    first = run_matrix(env, tmp_path)
    assert all(r.returncode == 0 for r in first), [r.stderr for r in first]
    stats = server.stats()
    assert stats["posts_received"] == stats["posts_accepted"] == 30  # each paid once, no 429
    saved = sorted(p for p in (tmp_path / "site" / "img").rglob("*.png"))
    assert len(saved) == 24  # and 6 sd35 webp
    summaries = "".join(p.read_text() for p in tmp_path.glob("summary-*.md"))
    assert summaries.count("| saved |") == 30

    again = run_matrix(env, tmp_path)  # the cache restored every shard's folder
    assert all(r.returncode == 0 for r in again), [r.stderr for r in again]
    assert server.stats()["posts_received"] == 30  # the re-run paid for nothing
    checks = [r for r in again if r.args[-1] == "--check"]
    assert all("Paid requests it would send: 0;" in r.stdout for r in checks)

    (tmp_path / "heroes.jsonl").write_text(heroes(30, first=json.dumps(
        {"model": "sdxl", "prompt": "a new hero at the top", "seed": 99}) + "\n"))
    third = run_matrix(env, tmp_path)
    assert all(r.returncode == 0 for r in third), [r.stderr for r in third]
    assert server.stats()["posts_received"] == 31  # only the new line: no job changed shard


def test_the_ci_recipe_in_the_sandbox_as_the_page_says(home: Path,
                                                             tmp_path: Path) -> None:
    (tmp_path / "heroes.jsonl").write_text(heroes(8))
    env = environment(home, PIXAZO_SANDBOX="1", PIXAZO_SANDBOX_LATENCY="0")
    first = run_matrix(env, tmp_path)
    assert all(r.returncode == 0 for r in first), [r.stderr for r in first]
    again = run_matrix(env, tmp_path)
    runs = [r for r in again if r.args[-1] != "--check"]
    assert sum(int(re.search(r"(\d+) already saved, 0 failed", r.stderr)[1])
               for r in runs) == 8
    assert all(" 0 saved," in r.stderr.splitlines()[-1] for r in runs)
