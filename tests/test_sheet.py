"""`pixazo sheet`: index.html with thumbnails beside it and a PNG contact sheet, grouped by
batch line, showing what made each image; prompts are user text and stay text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from pixazo_cli.batch.manifest import MANIFEST_NAME
from pixazo_cli.compare.sheet import SHEET_PNG, collect
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
    assert len(list((folder / "thumbs").iterdir())) == 3
    with Image.open(folder / SHEET_PNG) as sheet:
        assert sheet.width > 0 and sheet.height > 0


def test_the_page_shows_prompt_model_seed_size_request_id_and_a_replay_command(
        isolated: Path) -> None:
    make_image(isolated / "one.png", prompt="a lighthouse", seed=42)
    run("sheet", "one.png", "-d", "out")
    page = (isolated / "out" / "index.html").read_text()
    for shown in ("a lighthouse", "sdxl", "42", "96×64", "req-123", "pixazo replay ../one.png"):
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
