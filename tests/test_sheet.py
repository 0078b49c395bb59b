"""`pixazo sheet`: index.html with thumbnails beside it and a PNG contact sheet, grouped by
batch line, showing what made each image; prompts are user text and stay text."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from pixazo_cli.batch.manifest import MANIFEST_NAME
from pixazo_cli.compare.sheet import GRID_FILE, collect
from pixazo_cli.compare.sheet_png import SINGLE as SHEET_PNG
from pixazo_cli.record import embed
from tests.conftest import run

EVIL = '<script>alert("x")</script> & "quotes"'


def make_image(path: Path, prompt: str = "a fox", seed: int = 7,
               colour: tuple[int, int, int] = (10, 120, 200)) -> Path:
    plain = path.with_suffix(".plain")
    Image.new("RGB", (96, 64), colour).save(plain, format="PNG")
    record = {"tool": "pixazo-cli/test", "model": "sdxl", "endpoint": "/getImage/v1/getSDXLImage",
              "body": {"prompt": prompt, "seed": seed}, "request_id": "req-123",
              "created": "2026-01-01T00:00:00Z"}
    with open(plain, "rb") as src, open(path, "wb") as dst:
        embed(src, dst, record, "png")
    plain.unlink()
    return path


def test_sheet_writes_index_thumbnails_and_a_png(isolated: Path) -> None:
    folder = isolated / "shots"
    folder.mkdir()
    for n in range(3):
        make_image(folder / f"shot-{n}.png", seed=n)
    result = run("sheet", str(folder))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [str(folder / "index.html"), str(folder / SHEET_PNG)]
    assert len(list((folder / "thumbs").glob("*.jpg"))) == 3
    with Image.open(folder / SHEET_PNG) as sheet:
        assert sheet.width > 0 and sheet.height > 0


def test_the_page_shows_prompt_model_seed_size_request_id_and_a_replay_command(
        isolated: Path) -> None:
    make_image(isolated / "one.png", prompt="a lighthouse", seed=42)
    run("sheet", "one.png", "-d", "out")
    page = (isolated / "out" / "index.html").read_text()
    for shown in ("a lighthouse", "sdxl", "42", "96×64", "req-123",
                  f"pixazo replay {isolated / 'one.png'}"):
        assert shown in page


def test_a_script_in_a_prompt_is_shown_as_text(isolated: Path) -> None:
    make_image(isolated / "evil.png", prompt=EVIL)
    run("sheet", "evil.png", "-d", "out")
    page = (isolated / "out" / "index.html").read_text()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;" in page


def test_a_batch_folder_is_grouped_by_its_manifest_lines(isolated: Path) -> None:
    folder = isolated / "batch"
    folder.mkdir()
    make_image(folder / "a.png")
    make_image(folder / "b.png")
    (folder / MANIFEST_NAME).write_text("".join(json.dumps(entry) + "\n" for entry in (
        {"job": "k1", "line": 3, "status": "saved", "files": [{"path": "a.png"}]},
        {"job": "k2", "line": 5, "status": "saved", "files": [{"path": "b.png"}]})))
    groups = {entry.path.name: entry.group for entry in collect([folder])}
    assert groups == {"a.png": "batch: line 3", "b.png": "batch: line 5"}


def test_files_that_are_not_images_and_earlier_sheets_are_left_out(isolated: Path) -> None:
    make_image(isolated / "a.png")
    (isolated / "notes.txt").write_text("hello")
    run("sheet", ".")
    run("sheet", ".")  # the second sheet does not list the first one's PNG
    assert [entry.path.name for entry in collect([isolated])] == ["a.png"]


def test_sheet_refuses_a_path_that_does_not_exist(isolated: Path) -> None:
    result = run("sheet", "missing")
    assert result.exit_code == 2
    assert "No such file or folder: missing" in result.stderr


def test_batch_with_sheet_writes_one_at_the_end(isolated: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXAZO_SANDBOX_LATENCY", "0")
    (isolated / "jobs.txt").write_text("a fox\na wolf\n")
    result = run("--sandbox", "batch", "jobs.txt", "-m", "sdxl", "-d", "out", "--sheet")
    assert result.exit_code == 0, result.stderr
    page = (isolated / "out" / "index.html").read_text()
    assert "out: line 1" in page and "out: line 2" in page
    assert "Contact sheet:" in result.stderr


def test_groups_follow_the_batch_lines_not_the_file_names(isolated: Path) -> None:
    folder = isolated / "batch"
    folder.mkdir()
    for name in ("a.png", "b.png", "c.png"):
        make_image(folder / name)
    (folder / MANIFEST_NAME).write_text("".join(json.dumps(entry) + "\n" for entry in (
        {"job": "k1", "line": 1, "status": "saved", "files": [{"path": "a.png"}]},
        {"job": "k6", "line": 6, "status": "saved", "files": [{"path": "b.png"}]},
        {"job": "k2", "line": 2, "status": "saved", "files": [{"path": "c.png"}]})))
    assert run("sheet", str(folder)).exit_code == 0
    page = (folder / "index.html").read_text()
    assert re.findall(r"<h2>batch: (line \d+)</h2>", page) == ["line 1", "line 2", "line 6"]


def test_a_grid_folder_reads_row_by_row_and_other_images_by_their_numbers(
        isolated: Path) -> None:
    folder = isolated / "g"
    folder.mkdir()
    cells = [(1, 1, "z.png"), (1, 2, "y.png"), (2, 1, "b.png"), (2, 2, "a.png")]
    for _, _, name in cells:
        make_image(folder / name)
    for name in ("extra-10.png", "extra-9.png"):
        make_image(folder / name)
    (folder / GRID_FILE).write_text(json.dumps({"cells": [
        {"row": r, "column": c, "file": name, "x": f"steps={c}", "y": f"seed={r}"}
        for r, c, name in cells]}))
    assert [card.path.name for card in collect([folder])] == [
        "z.png", "y.png", "b.png", "a.png", "extra-9.png", "extra-10.png"]


def test_the_replay_command_runs_as_printed_from_another_folder(isolated: Path,
                                                                tmp_path: Path) -> None:
    folder = isolated / "it's a folder"
    folder.mkdir()
    make_image(folder / "-hero $HOME.png", prompt="a lighthouse")
    assert run("sheet", str(folder)).exit_code == 0
    page = (folder / "index.html").read_text()
    command = html.unescape(re.search(r"<code>(.*?)</code>", page, re.S).group(1))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["sh", "-c", f"{command} --dry-run"], cwd=elsewhere, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert '"prompt": "a lighthouse"' in done.stdout and "nothing was sent" in done.stderr
