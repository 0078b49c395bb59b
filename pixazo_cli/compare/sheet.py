"""The contact sheet: every image of some files or folders on one page (index.html, thumbnails
beside it, no network needed) and in one PNG, with what made each one and how to make it again.

Images are grouped by where they came from: a batch folder's manifest line, a grid's row, or
otherwise their folder. What is shown comes from each image's own generation record."""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixazo_cli.batch.manifest import MANIFEST_NAME
from pixazo_cli.errors import UsageError
from pixazo_cli.flow.files import is_image_file

GRID_FILE = "pixazo-grid.json"  # what a grid folder's cells are, written by `pixazo grid`
THUMB_CAP = 320
THUMBS = "thumbs"
SHEET_PNG = "contact-sheet.png"
GRID_PNG = "grid.png"
MADE_HERE = {SHEET_PNG, GRID_PNG}  # pictures of the folder's images, not images of it
INDEX = "index.html"


@dataclass
class Entry:
    path: Path
    group: str
    caption: str = ""
    record: dict[str, Any] = field(default_factory=dict)
    thumb: str = ""  # relative to index.html; empty when the image could not be read
    size: str = ""

    def value(self, key: str) -> str:
        """A record field for the page, found through the model table for model flags."""
        from pixazo_cli.models.table import MODELS

        body = self.record.get("body") if isinstance(self.record.get("body"), dict) else {}
        model = MODELS.get(str(self.record.get("model")))
        if key == "prompt":
            return str(body.get(model.prompt_field, "")) if model else ""
        found = model.body_value(body, key) if model else None
        return "" if found is None else str(found)


@dataclass(frozen=True)
class Sheet:
    html: Path
    png: Path
    count: int


def collect(paths: list[Path]) -> list[Entry]:
    entries: list[Entry] = []
    for path in paths:
        if path.is_dir():
            entries += _folder(path)
        elif path.is_file():
            entries.append(Entry(path, path.parent.name or "."))
        else:
            raise UsageError(f"No such file or folder: {path}.")
    seen: set[Path] = set()
    unique = [e for e in entries if not (e.path.resolve() in seen or seen.add(e.path.resolve()))]
    if not unique:
        raise UsageError("No images to put on a sheet.", hint="Give image files or folders.")
    return unique


def _folder(folder: Path) -> list[Entry]:
    images = sorted(p for p in folder.iterdir()
                    if p.is_file() and p.name not in MADE_HERE and is_image_file(p))
    lines = _manifest_lines(folder)
    cells = _grid_cells(folder)
    entries = []
    for image in images:
        if image.name in cells:
            group, caption = cells[image.name]
        elif image.name in lines:
            group, caption = f"{folder.name}: line {lines[image.name]}", ""
        else:
            group, caption = folder.name or str(folder), ""
        entries.append(Entry(image, group, caption))
    return entries


def _manifest_lines(folder: Path) -> dict[str, int]:
    from pixazo_cli.batch.manifest import Manifest

    if not (folder / MANIFEST_NAME).is_file():
        return {}
    with Manifest(folder / MANIFEST_NAME) as manifest:
        return {str(f.get("path")): int(entry.get("line", 0))
                for entry in manifest.entries() for f in entry.get("files") or []}


def _grid_cells(folder: Path) -> dict[str, tuple[str, str]]:
    """File name → (its row's group, its column's caption) for a grid folder."""
    try:
        grid = json.loads((folder / GRID_FILE).read_text("utf-8"))
        return {str(cell["file"]): (f"{folder.name}: {cell.get('y') or 'grid'}",
                                    str(cell.get("x", ""))) for cell in grid["cells"]
                if cell.get("file")}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_sheet(paths: list[Path], out_dir: Path, title: str = "pixazo contact sheet") -> Sheet:
    from pixazo_cli.compare.compose import Tile, compose_sheet, thumbnail
    from pixazo_cli.record import read

    entries = collect(paths)
    (out_dir / THUMBS).mkdir(parents=True, exist_ok=True)
    for old in (out_dir / THUMBS).glob("[0-9][0-9][0-9][0-9]-*.jpg"):
        old.unlink()  # an earlier sheet's thumbnails: numbered for other images
    for number, entry in enumerate(entries, start=1):
        entry.record = read(entry.path) or {}
        thumb = Path(THUMBS) / f"{number:04d}-{entry.path.stem}.jpg"
        size = thumbnail(entry.path, out_dir / thumb, THUMB_CAP)
        if size is not None:
            entry.thumb, entry.size = thumb.as_posix(), f"{size[0]}×{size[1]}"
    html = out_dir / INDEX
    html.write_text(render_html(entries, out_dir, title), "utf-8")
    tiles = [Tile(out_dir / e.thumb if e.thumb else None,
                  e.caption or e.value("prompt") or e.path.name) for e in entries]
    png = out_dir / SHEET_PNG
    compose_sheet(tiles).save(png)
    return Sheet(html, png, len(entries))


def render_html(entries: list[Entry], out_dir: Path, title: str) -> str:
    # Jinja2 escapes every value (autoescape): prompts are user text, and a `<script>` in one
    # must show as text, in element content and in attributes alike.
    from jinja2 import Environment

    from pixazo_cli.compare.page import TEMPLATE

    env = Environment(autoescape=True)
    groups: dict[str, list[dict[str, str]]] = {}
    for entry in entries:
        groups.setdefault(entry.group, []).append(_card(entry, out_dir))
    return env.from_string(TEMPLATE).render(title=title, groups=groups,
                                                   count=len(entries))


def _card(entry: Entry, out_dir: Path) -> dict[str, str]:
    link = Path(os.path.relpath(entry.path.resolve(), out_dir.resolve())).as_posix()
    replay = f"pixazo replay {shlex.quote(link)}" if entry.record.get("body") else ""
    return {"file": entry.path.name, "link": link, "thumb": entry.thumb, "size": entry.size,
            "caption": entry.caption, "prompt": entry.value("prompt"),
            "model": str(entry.record.get("model") or ""), "seed": entry.value("seed"),
            "request_id": str(entry.record.get("request_id") or ""), "replay": replay}
