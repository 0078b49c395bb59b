"""Contact sheets at CI scale (issue 25): PNG pages a viewer can open, thumbnails made once and
kept in the sheet's order whoever makes them, and pages that follow the batch lines."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from pixazo_cli.batch.manifest import MANIFEST_NAME
from pixazo_cli.compare.compose import LABEL_HEIGHT
from pixazo_cli.compare.pool import Workers
from pixazo_cli.compare.sheet import write_sheet
from pixazo_cli.compare.sheet_png import PAGE_SIDE, SINGLE, per_page
from pixazo_cli.errors import SaveError
from tests.conftest import run
from tests.test_sheet import make_image


def colour(n: int) -> tuple[int, int, int]:
    return (n * 47) % 256, (n * 89) % 256, (n * 151) % 256


def batch_folder(folder: Path, count: int, size: tuple[int, int] = (96, 64)) -> Path:
    """A batch's output: image n is line n, but named so that name order is another order."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / MANIFEST_NAME, "w") as manifest:
        for line in range(1, count + 1):
            name = f"{(line * 7919) % 10007:05d}.png"
            Image.new("RGB", size, colour(line)).save(folder / name)
            manifest.write(json.dumps({"job": f"k{line}", "line": line, "status": "saved",
                                       "files": [{"path": name}]}) + "\n")
    return folder


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.glob("*.jpg")}


@given(width=st.integers(1, 192), height=st.integers(1, 192), count=st.integers(1, 10_000))
def test_a_page_layout_never_exceeds_4096_px_on_either_side(width: int, height: int,
                                                            count: int) -> None:
    columns, on_a_page = per_page((width, height), count)
    rows = -(-min(count, on_a_page) // columns)
    assert columns * width <= PAGE_SIDE and rows * (height + LABEL_HEIGHT) <= PAGE_SIDE


def test_every_page_image_is_at_most_4096_px_and_the_page_links_them(isolated: Path) -> None:
    folder = batch_folder(isolated / "tall", 250, size=(20, 400))  # 108 on a page
    result = run("sheet", str(folder))
    assert result.exit_code == 0, result.stderr
    pages = [folder / f"contact-sheet-{n}.png" for n in (1, 2, 3)]
    assert result.stdout.splitlines() == [str(folder / "index.html"), *map(str, pages)]
    assert not (folder / SINGLE).exists()
    for page in pages:
        with Image.open(page) as picture:
            assert picture.width <= PAGE_SIDE and picture.height <= PAGE_SIDE
    html = (folder / "index.html").read_text()
    assert all(f'href="./{page.name}"' in html for page in pages)


def test_cards_and_pages_follow_the_batch_lines_not_the_file_names(isolated: Path) -> None:
    folder = batch_folder(isolated / "out", 150, size=(20, 400))
    write_sheet([folder], folder)
    html = (folder / "index.html").read_text()
    lines = [int(n) for n in re.findall(r"<h2>out: line (\d+)</h2>", html)]
    assert lines == list(range(1, 151))
    seen = []
    for page in ("contact-sheet-1.png", "contact-sheet-2.png"):
        with Image.open(folder / page) as picture:
            columns, rows = 6, picture.height // (192 + LABEL_HEIGHT)
            cell = picture.width // columns
            seen += [picture.getpixel((c * cell + cell // 2, r * (192 + LABEL_HEIGHT) + 96))
                     for r in range(rows) for c in range(columns)]
    for line, found in enumerate(seen[:150], start=1):
        assert all(abs(a - b) < 16 for a, b in zip(found, colour(line), strict=True)), line


def test_a_rerun_reuses_every_unchanged_thumbnail_and_makes_only_new_ones(
        isolated: Path) -> None:
    for n in range(5):
        make_image(isolated / f"shot-{n}.png", seed=n, colour=colour(n))
    first = write_sheet([isolated], isolated / "out")
    thumbs = isolated / "out" / "thumbs"
    before, page = stamps(thumbs), (isolated / "out" / SINGLE).stat().st_mtime_ns
    os.utime(isolated / "shot-0.png", ns=(1, 1))  # touched, the same bytes
    again = write_sheet([isolated], isolated / "out")
    assert (first.made, again.made, again.reused) == (5, 0, 5)
    assert stamps(thumbs) == before
    assert (isolated / "out" / SINGLE).stat().st_mtime_ns == page  # no page written either
    make_image(isolated / "shot-5.png", colour=colour(5))
    make_image(isolated / "shot-6.png", colour=colour(6))
    grown = write_sheet([isolated], isolated / "out")
    assert (grown.made, grown.reused) == (2, 5)
    assert {k: v for k, v in stamps(thumbs).items() if k in before} == before


def test_a_source_with_new_bytes_gets_a_new_thumbnail_and_the_old_one_goes(
        isolated: Path) -> None:
    make_image(isolated / "shot.png", colour=(255, 0, 0))
    write_sheet([isolated], isolated / "out")
    old = set(stamps(isolated / "out" / "thumbs"))
    make_image(isolated / "shot.png", colour=(0, 0, 255))
    sheet = write_sheet([isolated], isolated / "out")
    new = set(stamps(isolated / "out" / "thumbs"))
    assert sheet.made == 1 and len(new) == 1 and new != old


def test_workers_give_the_same_sheet_in_the_same_order_as_one_process(isolated: Path) -> None:
    folder = batch_folder(isolated / "b", 60)  # enough to start workers
    alone = write_sheet([folder], isolated / "one", workers=1)
    shared = write_sheet([folder], isolated / "two", workers=2)
    assert (alone.made, shared.made) == (60, 60)
    one = (isolated / "one" / "index.html").read_text()
    two = (isolated / "two" / "index.html").read_text()
    assert re.findall(r'src="([^"]+)"', one) == re.findall(r'src="([^"]+)"', two)
    assert (isolated / "one" / SINGLE).read_bytes() == (isolated / "two" / SINGLE).read_bytes()


def _uneven(n: int) -> int:
    """In a worker: the first items take far longer than the rest."""
    import hashlib

    rounds = 500 if n < 3 else 1
    digest = b""
    for _ in range(rounds):
        digest = hashlib.sha256(digest + bytes(1000)).digest()
    return n


def _stops_on(n: int) -> int:
    if n == 5:
        os._exit(9)  # as if the kernel killed it
    return n


def test_worker_results_come_back_in_the_order_of_the_work() -> None:
    with Workers(2) as workers:
        assert list(workers.in_order(_uneven, range(40), 40, alone_below=1)) == list(range(40))


def test_a_worker_killed_midway_is_a_plain_error_not_a_traceback() -> None:
    with Workers(2) as workers, pytest.raises(SaveError, match="A worker process stopped"):
        list(workers.in_order(_stops_on, range(20), 20, alone_below=1))


def test_workers_never_import_code_from_the_folder_the_command_runs_in(
        isolated: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    for package in ("PIL", "pixazo_cli", "multiprocessing", "concurrent"):
        (isolated / package).mkdir()
        (isolated / package / "__init__.py").write_text(
            f"open({str(marker)!r}, 'a').write({package!r})\n")
    folder = batch_folder(tmp_path / "b", 50)  # enough to start workers
    sheet = write_sheet([folder], tmp_path / "out", workers=2)
    assert sheet.made == 50
    assert not marker.exists(), marker.read_text()
    assert "PYTHONSAFEPATH" not in os.environ  # put back as it was
