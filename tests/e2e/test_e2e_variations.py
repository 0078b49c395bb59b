"""-n/--count: N variations are N paid requests, each with its own seed, each image recording
the seed it was made with (installed pixazo against `pixazo sandbox serve`)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.harness import Server, run_pixazo


def recorded(path: Path, home: Path, cwd: Path) -> dict:
    result = run_pixazo(["inspect", "--json", str(path)], home, cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_count_4_makes_4_requests_with_4_recorded_seeds_from_the_given_seed(
        server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["sdxl", "a fox", "-n", "4", "--seed", "40", "-d", "out"], home,
                        tmp_path, server)
    assert result.returncode == 0, result.stderr
    paths = [Path(line) for line in result.stdout.splitlines()]
    stats = server.stats()
    assert stats["posts_received"] == 4
    assert sorted(body["seed"] for body in stats["bodies"]) == [40, 41, 42, 43]
    assert len(paths) == 4
    seeds = sorted(recorded(tmp_path / p, home, tmp_path)["body"]["seed"] for p in paths)
    assert seeds == [40, 41, 42, 43]


def test_count_without_a_seed_draws_distinct_seeds_and_records_each(
        server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["lightning", "a fox", "--count", "4", "-d", "out"], home, tmp_path,
                        server)
    assert result.returncode == 0, result.stderr
    sent = [body["seed"] for body in server.stats()["bodies"]]
    assert len(sent) == 4 and len(set(sent)) == 4
    paths = [tmp_path / line for line in result.stdout.splitlines()]
    assert sorted(recorded(p, home, tmp_path)["body"]["seed"] for p in paths) == sorted(sent)


def test_count_on_nucleus_asks_for_the_images_in_one_request(
        server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["nucleus", "a fox", "-n", "3", "-d", "out"], home, tmp_path, server)
    assert result.returncode == 0, result.stderr
    stats = server.stats()
    assert stats["posts_received"] == 1
    assert stats["bodies"][0]["num_images"] == 3
    assert len(result.stdout.splitlines()) == 3


def test_count_leaves_no_manifest_in_the_output_folder(
        server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(["sdxl", "a fox", "-n", "2", "-d", "out"], home, tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".png", ".png"]
