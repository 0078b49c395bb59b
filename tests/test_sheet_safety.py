"""The contact sheet never deletes or overwrites what the tool did not make, never writes
through a symlink, links only to relative paths, and turns images Pillow refuses (decompression
bombs, text-chunk bombs) into a plain message on that image's card (issue 20)."""

from __future__ import annotations

import json
import os
import re
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from pixazo_cli.batch.manifest import MANIFEST_NAME
from pixazo_cli.compare.compose import LABEL_HEIGHT, MISSING
from pixazo_cli.compare.page import render_html
from pixazo_cli.compare.sheet import write_sheet
from pixazo_cli.compare.thumbs import Card
from pixazo_cli.sinks.files import NotOurs
from pixazo_cli.sinks.html import shown as readable  # the page's sink
from tests.conftest import run
from tests.test_file_sink import snapshot
from tests.test_sheet import make_image


@pytest.fixture
def photos(isolated: Path) -> Path:
    """The user's own folder: photos, their own thumbs/ and their own index.html."""
    folder = isolated / "photos"
    (folder / "thumbs").mkdir(parents=True)
    make_image(folder / "hero.png")
    for name in ("2023-07-14-beach.jpg", "1999-wedding.jpg", "0001-hero.jpg"):
        Image.new("RGB", (8, 8), (1, 2, 3)).save(folder / "thumbs" / name)
    (folder / "index.html").write_text("<p>my own page</p>")
    return folder


def test_the_users_thumbs_and_index_stop_the_sheet_and_are_left_as_they_are(
        photos: Path) -> None:
    before = snapshot(photos)
    result = run("sheet", str(photos))
    assert result.exit_code == 8
    assert "pixazo did not make it" in result.stderr and "--overwrite" in result.stderr
    assert snapshot(photos) == before


def test_with_overwrite_the_index_is_replaced_but_no_photo_in_thumbs_is_touched(
        photos: Path) -> None:
    theirs = {p.name: p.read_bytes() for p in (photos / "thumbs").iterdir()}
    assert run("sheet", str(photos), "--overwrite").exit_code == 0
    assert "my own page" not in (photos / "index.html").read_text()
    assert {p.name: p.read_bytes() for p in (photos / "thumbs").iterdir()
            if p.name in theirs} == theirs
    assert run("sheet", str(photos), "--overwrite").exit_code == 0  # a re-run: still there
    assert all((photos / "thumbs" / name).read_bytes() == data for name, data in theirs.items())


def test_a_rerun_replaces_the_sheets_own_files_without_overwrite(isolated: Path) -> None:
    make_image(isolated / "a.png")
    assert run("sheet", ".").exit_code == 0
    make_image(isolated / "b.png", colour=(200, 0, 0))
    assert run("sheet", ".").exit_code == 0
    assert "b.png" in (isolated / "index.html").read_text()


def test_an_index_edited_by_hand_is_no_longer_the_tools(isolated: Path) -> None:
    make_image(isolated / "a.png")
    assert run("sheet", ".").exit_code == 0
    (isolated / "index.html").write_text("my notes")
    assert run("sheet", ".").exit_code == 8
    assert (isolated / "index.html").read_text() == "my notes"


@pytest.mark.parametrize("link", ["index.html", "contact-sheet.png", "contact-sheet-2.png",
                                  ".pixazo-made.json", "thumbs"])
@pytest.mark.parametrize("overwrite", [False, True])
def test_a_symlink_in_the_folder_is_never_followed(isolated: Path, link: str,
                                                   overwrite: bool) -> None:
    victim = isolated.parent / "victim"
    (victim / "pics").mkdir(parents=True)
    (victim / "bashrc").write_text("export PATH=/usr/bin")
    (victim / "pics" / "1999-wedding.jpg").write_bytes(b"wedding")
    out = isolated / "out"
    out.mkdir()
    make_image(out / "hero.png")
    (out / link).symlink_to(victim / ("pics" if link == "thumbs" else "bashrc"))
    before = snapshot(victim)
    result = run("sheet", str(out), *(["--overwrite"] if overwrite else []))
    assert snapshot(victim) == before
    assert result.exit_code in (0, 8)
    if not overwrite or link == "thumbs":
        assert result.exit_code == 8 and (out / link).is_symlink()


def test_batch_sheet_says_why_there_is_no_sheet_and_keeps_the_runs_exit_code(
        isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIXAZO_SANDBOX_LATENCY", "0")
    (isolated / "jobs.txt").write_text("a fox\n")
    (isolated / "out").mkdir()
    (isolated / "out" / "index.html").write_text("mine")
    result = run("--sandbox", "batch", "jobs.txt", "-m", "sdxl", "-d", "out", "--sheet")
    assert result.exit_code == 0, result.stderr
    assert "No contact sheet:" in result.stderr and "pixazo did not make it" in result.stderr
    assert (isolated / "out" / "index.html").read_text() == "mine"


def test_a_javascript_name_becomes_a_relative_percent_encoded_link(isolated: Path) -> None:
    folder = isolated / "batch"
    folder.mkdir()
    name = "javascript:alert(1).png"  # what a batch line's "name": "javascript:alert(1)" saves
    make_image(folder / name)
    (folder / MANIFEST_NAME).write_text(json.dumps(
        {"job": "k", "line": 1, "status": "saved", "files": [{"path": name}]}) + "\n")
    assert run("sheet", str(folder)).exit_code == 0
    page = (folder / "index.html").read_text()
    hrefs = re.findall(r'(?:href|src)="([^"]*)"', page)
    assert "./javascript%3Aalert%281%29.png" in hrefs
    assert all(h.startswith(("./", "../", "#")) for h in hrefs), hrefs


def png_with_chunks(path: Path, width: int, height: int, *chunks: tuple[bytes, bytes]) -> Path:
    """A PNG written chunk by chunk: its header may claim any size, its chunks hold anything."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\0" + b"\x80" * 3 * width for _ in range(min(height, 8))))
    body = chunk(b"IHDR", header) + b"".join(chunk(k, d) for k, d in chunks)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    return path


def test_a_decompression_bomb_is_a_plain_message_on_its_card(isolated: Path) -> None:
    make_image(isolated / "fine.png")
    png_with_chunks(isolated / "bomb.png", 100_000, 100_000)  # 10 gigapixels claimed
    result = run("sheet", ".")
    assert result.exit_code == 0, result.stderr
    assert re.search(r"No thumbnail for \S*bomb.png: too large to draw", result.stderr)
    page = (isolated / "index.html").read_text()
    assert "too large to draw" in page and page.count("<img ") == 1


def test_pillows_own_bomb_warning_is_a_refusal_too(isolated: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 4000)  # 96 × 64 = 6,144 is over it
    make_image(isolated / "big.png")
    sheet = write_sheet([isolated], isolated)
    assert [problem for _, problem in sheet.problems] == [
        "too large to draw (96×64 pixels; the limit is 4,000 pixels)"]


def test_a_compressed_text_chunk_bomb_is_bounded_by_pillow(isolated: Path) -> None:
    squeeze = zlib.compressobj(9)
    bomb = b"".join(squeeze.compress(bytes(1 << 20)) for _ in range(64)) + squeeze.flush()
    png_with_chunks(isolated / "text.png", 8, 8, (b"zTXt", b"Comment\0\0" + bomb))
    sheet = write_sheet([isolated], isolated / "out")
    assert len(bomb) < 100_000 and sheet.count == 1
    assert "Pillow refused it" in sheet.problems[0][1]


def grid_plan(folder: Path) -> tuple[Any, list[str | None]]:
    from pixazo_cli.compare.grid import parse_axis, plan_grid
    from pixazo_cli.models.table import MODELS

    plan = plan_grid(MODELS["sdxl"], "a fox", {}, {}, parse_axis("steps=4,8", "--x"), None)
    folder.mkdir(parents=True, exist_ok=True)
    make_image(folder / "cell-r1-c1.png")
    png_with_chunks(folder / "cell-r1-c2.png", 100_000, 100_000)  # a bomb in a cell
    return plan, ["cell-r1-c1.png", "cell-r1-c2.png"]


def test_the_grid_picture_never_goes_through_a_symlink_and_draws_a_bomb_as_failed(
        isolated: Path) -> None:
    from pixazo_cli.commands.look import compose_grid_png

    victim = isolated / "victim.png"
    victim.write_bytes(b"not yours")
    plan, cells = grid_plan(isolated / "g")
    (isolated / "g" / "grid.png").symlink_to(victim)
    with pytest.raises(NotOurs):
        compose_grid_png(plan, isolated / "g", cells)
    picture = compose_grid_png(plan, isolated / "g", cells, overwrite=True)
    assert victim.read_bytes() == b"not yours" and not picture.is_symlink()
    with Image.open(picture) as grid:
        assert grid.getpixel((grid.width * 3 // 4, LABEL_HEIGHT + 10)) == MISSING  # 2nd cell


def test_a_grid_run_again_replaces_its_own_picture(isolated: Path) -> None:
    from pixazo_cli.commands.look import compose_grid_png

    plan, cells = grid_plan(isolated / "g")
    first = compose_grid_png(plan, isolated / "g", cells).read_bytes()
    make_image(isolated / "g" / "cell-r1-c1.png", colour=(250, 0, 0))
    assert compose_grid_png(plan, isolated / "g", cells).read_bytes() != first


def test_a_name_that_is_not_utf8_is_shown_replaced_and_linked_by_its_bytes(
        isolated: Path) -> None:
    folder = isolated / os.fsdecode(b"\xfe-dir")
    folder.mkdir()
    make_image(folder / os.fsdecode(b"\xff-hero.png"))
    write_sheet([folder], folder)
    page = (folder / "index.html").read_text("utf-8")
    assert 'href="./%FF-hero.png"' in page and "\ufffd-hero.png" in page
    assert "pixazo replay" not in page  # no command is shown that could not run as shown


PIECES = ["\x1b", "\x1b[31m", "\x1b]52;c;aGk=\x07", "\x07", "\r", "\n", "::", "%0A", "|", "](",
          "javascript:", "<", ">", "<script>", '"', "'", "&", "&amp;", " ", "x", "\ud800",
          "\udcff", "{{ 7 * 7 }}", "\u202e"]
HOSTILE = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
# A file name holds no "/", and a lone surrogate only as Python decodes bytes that are not UTF-8.
NAME = st.lists(st.sampled_from([p for p in PIECES if p != "\ud800"]), max_size=8).map(
    lambda pieces: "".join(pieces).replace("/", ""))
TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "p", "section", "nav", "a",
        "div", "h2", "figure", "img", "figcaption", "strong", "dl", "dt", "dd", "code",
        "button", "script"}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@settings(max_examples=100, deadline=None)
@given(prompt=HOSTILE, name=NAME, group=HOSTILE, caption=HOSTILE, title=HOSTILE)
def test_hostile_text_never_becomes_markup_or_a_link_elsewhere(
        prompt: str, name: str, group: str, caption: str, title: str) -> None:
    out = Path("/sheet")
    card = Card(out / "imgs" / f"{name}.png", group, caption, thumb="t.jpg",
                shown=(8, 8), fields={"prompt": prompt, "model": name, "replay": "1"})
    page = render_html([card], out, title, [out / "contact-sheet.png"])
    parsed = Tags()
    parsed.feed(page)
    assert {tag for tag, _ in parsed.tags} <= TAGS
    assert [tag for tag, _ in parsed.tags].count("script") == 1  # the page's own
    for _, attrs in parsed.tags:
        assert not any(key.startswith("on") for key, _ in attrs)
        for key, value in attrs:
            if key in ("href", "src"):
                assert value and value.startswith(("./", "../", "#")), value
    assert readable(prompt).strip() in "".join(parsed.text)
