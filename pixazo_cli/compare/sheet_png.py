"""The contact sheet as PNG pages a viewer can open: at most 4096 px on either side, in the
sheet's order (`contact-sheet.png` when one page holds every image, else `contact-sheet-1.png`,
`-2.png` …).

A page is put together from the thumbnails alone and written by a worker (through the one
writer, sinks/files.py), one page at a time, so memory follows one page, not the sheet. A page
whose thumbnails, captions and layout are those the record noted for it is left as it is: a
re-run with nothing new writes no page."""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pixazo_cli.compare.compose import LABEL_HEIGHT, cell_for, compose_captioned
from pixazo_cli.compare.pool import Workers
from pixazo_cli.compare.thumbs import THUMBS, Card
from pixazo_cli.errors import SaveError
from pixazo_cli.sinks.files import Folder
from pixazo_cli.sinks.made import MadeHere
from pixazo_cli.sinks.stamp import Placed, Stamp

PAGE_SIDE = 4096  # what chat previews, artifact viewers and image viewers open
COLUMNS = 6
TILE_CAP = 192
SINGLE = "contact-sheet.png"
PAGE_NAME = re.compile(r"contact-sheet(-[1-9][0-9]*)?\.png")
LAYOUT = 1  # changes whenever the drawing does, so every page is made again
THUMB_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class PageJob:
    """What a worker needs to make one page and write it through the one writer."""

    folder: str  # the sheet's folder, checked to be the one the command opened
    identity: tuple[int, int]
    name: str
    tiles: tuple[tuple[str, str], ...]  # a thumbnail's name in thumbs/ ("": none), caption
    columns: int
    cell: tuple[int, int]
    overwrite: bool
    mine: Stamp | None  # the page the tool made at that name before, which it may replace


def page_names(pages: int) -> list[str]:
    return [SINGLE] if pages == 1 else [f"contact-sheet-{n}.png" for n in range(1, pages + 1)]


def per_page(cell: tuple[int, int], count: int) -> tuple[int, int]:
    """Columns, and images on each page."""
    columns = max(1, min(COLUMNS, count, PAGE_SIDE // cell[0]))
    rows = max(1, PAGE_SIDE // (cell[1] + LABEL_HEIGHT))
    return columns, columns * rows


def caption(card: Card) -> str:
    return card.caption or card.value("prompt") or card.path.name  # drawn through the sink


def compose_page(job: PageJob) -> Placed:
    """In a worker: one page, read from the thumbnails and written as PNG (zlib level 3: near
    level 6's size at half the time, on thumbnails that barely compress anyway). Only the
    page's name and stamp go back: the parent's memory never holds a page."""
    with Folder.open(Path(job.folder), create=False) as root:
        if root.identity != job.identity:
            raise SaveError(f"{job.folder} was replaced while the sheet was written.")
        with root.sub(THUMBS, create=False) as thumbs:
            tiles = [(thumbs.read(name, THUMB_BYTES) if name else None, caption)
                     for name, caption in job.tiles]
        out = io.BytesIO()
        compose_captioned(tiles, job.columns, job.cell).save(out, "PNG", compress_level=3)
        del tiles
        return root.write(job.name, out.getvalue(), overwrite=job.overwrite, mine=job.mine)


def write_pages(made_here: MadeHere, cards: list[Card], workers: Workers,
                overwrite: bool) -> list[Path]:
    """Every page, made where its content changed; pages of an earlier, longer sheet go."""
    cell = cell_for([card.shown for card in cards if card.shown], TILE_CAP)
    columns, count = per_page(cell, len(cards))
    chunks = [cards[start:start + count] for start in range(0, len(cards), count)]
    names = page_names(len(chunks))
    todo = []
    for name, chunk in zip(names, chunks, strict=True):
        key = _key(chunk, columns, cell)
        if made_here.note(name).get("key") != key or not made_here.owns(name):
            todo.append((name, chunk, key))
    folder, identity = str(made_here.folder.path), made_here.folder.identity
    jobs = (PageJob(folder, identity, name, tuple((c.thumb, caption(c)) for c in chunk), columns,
                    cell, overwrite, made_here.stamp(name)) for name, chunk, _ in todo)
    made = workers.in_order(compose_page, jobs, len(todo), alone_below=2, ahead=1)
    for (_, _, key), placed in zip(todo, made, strict=True):
        made_here.record(placed, note={"key": key})
    for name in made_here.names():
        if PAGE_NAME.fullmatch(name) and name not in names:
            made_here.remove(name)
    return [made_here.folder.path / name for name in names]


def _key(chunk: list[Card], columns: int, cell: tuple[int, int]) -> str:
    """What a page shows: its thumbnails' bytes, captions and layout."""
    shown = [LAYOUT, columns, cell, [(card.thumb_sha256, caption(card)) for card in chunk]]
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()
