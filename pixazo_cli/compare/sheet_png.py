"""The contact sheet as PNG pages a viewer can open: at most 4096 px on either side, in the
sheet's order (`contact-sheet.png` when one page holds every image, else `contact-sheet-1.png`,
`-2.png` …).

A page is put together from the thumbnails alone, in a worker, one page at a time, so memory
follows one page, not the sheet. A page whose thumbnails, captions and layout are those the
ledger noted for it is left as it is: a re-run with nothing new writes no page."""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pixazo_cli.compare.compose import LABEL_HEIGHT, cell_for, compose_captioned
from pixazo_cli.compare.pool import Workers
from pixazo_cli.compare.thumbs import Card, Thumbs
from pixazo_cli.sinks.ledger import Ledger

PAGE_SIDE = 4096  # what chat previews, artifact viewers and image viewers open
COLUMNS = 6
TILE_CAP = 192
SINGLE = "contact-sheet.png"
PAGE_NAME = re.compile(r"contact-sheet(-[1-9][0-9]*)?\.png")
LAYOUT = 1  # changes whenever the drawing does, so every page is made again


@dataclass(frozen=True)
class PageJob:
    tiles: tuple[tuple[bytes | None, str], ...]  # thumbnail JPEG (None: no picture), caption
    columns: int
    cell: tuple[int, int]


def page_names(pages: int) -> list[str]:
    return [SINGLE] if pages == 1 else [f"contact-sheet-{n}.png" for n in range(1, pages + 1)]


def per_page(cell: tuple[int, int], count: int) -> tuple[int, int]:
    """Columns, and images on each page."""
    columns = max(1, min(COLUMNS, count, PAGE_SIDE // cell[0]))
    rows = max(1, PAGE_SIDE // (cell[1] + LABEL_HEIGHT))
    return columns, columns * rows


def caption(card: Card) -> str:
    return card.caption or card.value("prompt") or card.path.name


def compose_page(job: PageJob) -> bytes:
    """In a worker: one page, as PNG bytes (zlib level 3: near level 6's size at half the
    time, on thumbnails that barely compress anyway)."""
    image = compose_captioned(list(job.tiles), job.columns, job.cell)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=3)
    return out.getvalue()


def write_pages(ledger: Ledger, thumbs: Thumbs, cards: list[Card], workers: Workers,
                overwrite: bool) -> list[Path]:
    """Every page, made where its content changed; pages of an earlier, longer sheet go."""
    cell = cell_for([card.shown for card in cards if card.shown], TILE_CAP)
    columns, count = per_page(cell, len(cards))
    chunks = [cards[start:start + count] for start in range(0, len(cards), count)]
    names = page_names(len(chunks))
    todo = []
    for name, chunk in zip(names, chunks, strict=True):
        key = _key(chunk, columns, cell)
        if ledger.note(name).get("key") != key or not ledger.owns(name):
            todo.append((name, chunk, key))
    jobs = (PageJob(tuple((thumbs.read(c.thumb) if c.thumb else None, caption(c))
                          for c in chunk), columns, cell) for _, chunk, _ in todo)
    made = workers.in_order(compose_page, jobs, len(todo), alone_below=2, ahead=1)
    for (name, _, key), png in zip(todo, made, strict=True):
        ledger.write(name, png, overwrite, note={"key": key})
    for name in ledger.names():
        if PAGE_NAME.fullmatch(name) and name not in names:
            ledger.remove(name)
    return [ledger.folder.path / name for name in names]


def _key(chunk: list[Card], columns: int, cell: tuple[int, int]) -> str:
    """What a page shows: its thumbnails' bytes, captions and layout."""
    shown = [LAYOUT, columns, cell, [(card.thumb_sha256, caption(card)) for card in chunk]]
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()
