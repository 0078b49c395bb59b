"""`pixazo grid`: the cartesian product of the axes as paid requests through the batch engine,
one composed PNG of labelled cells carrying the grid's record, and a re-run that pays nothing."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from pixazo_cli.compare.compose import CELL_CAP, LABEL_HEIGHT, LABEL_WIDTH
from tests.e2e.harness import Server, run_pixazo

GRID = ["grid", "sdxl", "a lighthouse", "--x", "steps=4..12:4", "--y", "guidance=3,7",
        "--set", "seed=5", "-d", "g"]


def test_a_3_by_2_grid_makes_6_requests_and_a_png_of_3_by_2_cells_plus_labels(
        server: Server, home: Path, tmp_path: Path) -> None:
    result = run_pixazo(GRID, home, tmp_path, server)
    assert result.returncode == 0, result.stderr
    stats = server.stats()
    assert stats["posts_received"] == 6
    assert sorted((b["num_steps"], b["guidance_scale"]) for b in stats["bodies"]) == \
        [(4, 3), (4, 7), (8, 3), (8, 7), (12, 3), (12, 7)]
    grid = tmp_path / "g" / "grid.png"
    assert result.stdout.splitlines()[-1] == str(Path("g") / "grid.png")
    with Image.open(tmp_path / "g" / "cell-r1-c1.png") as cell:
        scale = min(1.0, CELL_CAP / max(cell.size))
        width, height = round(cell.width * scale), round(cell.height * scale)
    with Image.open(grid) as picture:
        assert picture.size == (LABEL_WIDTH + 3 * width, LABEL_HEIGHT + 2 * height)


def test_the_grid_png_carries_the_grid_record(server: Server, home: Path,
                                              tmp_path: Path) -> None:
    assert run_pixazo(GRID, home, tmp_path, server).returncode == 0
    inspected = run_pixazo(["inspect", "--json", "g/grid.png"], home, tmp_path)
    record = json.loads(inspected.stdout)
    assert record["model"] == "sdxl"
    assert record["grid"]["x"] == {"flag": "steps", "values": [4, 8, 12]}
    assert record["grid"]["y"] == {"flag": "guidance", "values": [3, 7]}
    assert len(record["grid"]["cells"]) == 6


def test_running_the_grid_again_resumes_and_pays_nothing(server: Server, home: Path,
                                                        tmp_path: Path) -> None:
    assert run_pixazo(GRID, home, tmp_path, server).returncode == 0
    again = run_pixazo(GRID, home, tmp_path, server)
    assert again.returncode == 0, again.stderr
    assert server.stats()["posts_received"] == 6


def test_dry_run_counts_the_cells_and_sends_nothing(server: Server, home: Path,
                                                   tmp_path: Path) -> None:
    result = run_pixazo([*GRID, "--dry-run", "--json"], home, tmp_path, server)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert (plan["requests"], plan["columns"], plan["rows"]) == (6, 3, 2)
    assert server.stats()["posts_received"] == 0
    assert not (tmp_path / "g").exists()


def test_prompt_as_an_axis_sends_whole_prompts(server: Server, home: Path,
                                               tmp_path: Path) -> None:
    result = run_pixazo(["grid", "sdxl", "unused", "--x", "prompt=a fox, at dawn|a wolf",
                         "-d", "p"], home, tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert sorted(b["prompt"] for b in server.stats()["bodies"]) == ["a fox, at dawn", "a wolf"]


def test_grid_writes_a_contact_sheet_grouped_by_row(server: Server, home: Path,
                                                    tmp_path: Path) -> None:
    assert run_pixazo(GRID, home, tmp_path, server).returncode == 0
    page = (tmp_path / "g" / "index.html").read_text()
    assert "g: guidance=3" in page and "g: guidance=7" in page
    assert len(list((tmp_path / "g" / "thumbs").glob("*.jpg"))) == 6
