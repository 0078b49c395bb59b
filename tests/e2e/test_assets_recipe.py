"""docs/assets.md's CI recipe, run as written: its `pixazo` commands, read from the page, for
every shard of its matrix at once against the sandbox, each shard's folder then downloaded as
its artifact (site/img/images-N) and the manifests merged. The merged assets.json validates
and lists every image with its derived files; a re-run of the shards pays for nothing."""

from __future__ import annotations

import glob
import itertools
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from tests.e2e.harness import KEY, PIXAZO, Server
from tests.e2e.test_ci_recipe import environment
from tests.test_assets_manifest import valid

PAGE = Path(__file__).resolve().parents[2] / "docs" / "assets.md"


def recipe() -> tuple[list[int], list[str]]:
    """The matrix's shards and the recipe's pixazo commands (folded `run: >` ones joined)."""
    block = PAGE.read_text(encoding="utf-8").split("## A CI recipe (GitHub Actions)", 1)[1]
    block = block.split("```yaml", 1)[1].split("```", 1)[0]
    shards = [int(n) for n in re.search(r"shard: \[([\d, ]+)\]", block)[1].split(",")]
    commands, lines = [], block.splitlines()
    for at, line in enumerate(lines):
        found = re.match(r"(\s*(?:- )?)run: (.*)$", line)
        if not found:
            continue
        text, column = found[2], len(found[1])
        if text.strip() == ">":  # folded: the lines indented past the key, joined
            text = " ".join(rest.strip() for rest in itertools.takewhile(
                lambda rest, column=column: len(rest) - len(rest.lstrip()) > column,
                lines[at + 1:]))
        if text.startswith("pixazo ") and "pip install" not in text:
            commands.append(" ".join(text.split()))
    return shards, commands


def heroes(count: int) -> str:
    return "".join(json.dumps({"model": "sdxl", "prompt": f"hero banner {n}", "seed": n})
                   + "\n" for n in range(count))


def run_step(command: str, shards: list[int], env: dict[str, str],
             cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    """One step of the recipe; a matrix step on every shard at once. Globs are the shell's."""
    per_shard = "${{ matrix.shard }}" in command
    procs = []
    for shard in shards if per_shard else [0]:
        words = shlex.split(command.replace("${{ matrix.shard }}", str(shard)))
        args = [match for word in words[1:]
                for match in (sorted(glob.glob(str(cwd / word))) if "*" in word else [word])]
        procs.append(subprocess.Popen([str(PIXAZO), *args], cwd=cwd, env=env, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def test_the_recipe_has_the_batch_with_assets_and_the_merge() -> None:
    shards, commands = recipe()
    assert shards == [1, 2, 3, 4]
    assert commands[0].startswith("pixazo batch heroes.jsonl --shard") and "--to" in commands[0]
    assert commands[1].startswith("pixazo assets merge")


def test_the_assets_recipe_end_to_end(server: Server, home: Path, tmp_path: Path) -> None:
    (tmp_path / "heroes.jsonl").write_text(heroes(4))
    env = environment(home, PIXAZO_API_KEY=KEY, PIXAZO_BASE_URL=server.url)
    shards, (generate, merge) = recipe()
    first = run_step(generate, shards, env, tmp_path)
    assert all(r.returncode == 0 for r in first), [r.stderr for r in first]
    again = run_step(generate, shards, env, tmp_path)  # the cache restored every folder
    assert all(r.returncode == 0 for r in again), [r.stderr for r in again]
    assert server.stats()["posts_received"] == 4
    img = tmp_path / "site" / "img"
    for shard in shards:  # download-artifact: each shard's folder as images-N
        shutil.copytree(img / f"shard-{shard}", img / f"images-{shard}")
    [merged] = run_step(merge, shards, env, tmp_path)
    assert merged.returncode == 0, merged.stderr
    assets = valid(img / "assets.json")["assets"]
    assert len(assets) == 4
    for key, asset in assets.items():
        assert (img / key).is_file() and key.startswith("images-")
        assert sorted((f["width"], f["height"], f["format"]) for f in
                      asset["derived"]["files"]) == sorted(
            (w, h, fmt) for fmt in ("avif", "webp")
            for w, h in ((480, 252), (960, 504), (1200, 630)))
        assert asset["derived"]["placeholder"]["blurhash"]
        assert asset["derived"]["options"]["strip"] is True
