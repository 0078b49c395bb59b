"""The contact sheet: every image of some files or folders on one page (index.html, thumbnails
beside it, no network needed) and in PNG pages, with what made each one and how to make it
again.

Images come in the order the work was done: a batch folder's by manifest line, a grid's by row
and column, any other's by name (numbers in names counted as numbers); several paths in the
order given. They are grouped by where they came from: a batch line, a grid row, otherwise
their folder.

Every file goes through sinks/: a file the tool did not make is never replaced or deleted
without --overwrite, no symlink is followed, and what the tool made in thumbs/ is the
thumbnail cache (compare/thumbs.py). Memory stays flat: one thumbnail and one page at a time
per worker."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pixazo_cli.batch.manifest import MANIFEST_NAME
from pixazo_cli.compare.pool import Workers
from pixazo_cli.compare.sheet_png import PAGE_NAME
from pixazo_cli.compare.thumbs import ALONE_BELOW, Card, Thumbs, make
from pixazo_cli.errors import UsageError
from pixazo_cli.flow.files import is_image_file
from pixazo_cli.jsontext import loads
from pixazo_cli.sinks.files import TEMP_PREFIX, Folder, NotOurs
from pixazo_cli.sinks.made import MADE_NAME, MadeHere

GRID_FILE = "pixazo-grid.json"  # what a grid folder's cells are, written by `pixazo grid`
GRID_PNG = "grid.png"
INDEX = "index.html"
WORKER_MODULES = ("pixazo_cli.compare.thumbs", "pixazo_cli.compare.sheet_png",
                  "pixazo_cli.compare.compose", "pixazo_cli.record", "pixazo_cli.models.table",
                  "PIL.Image", "PIL.ImageDraw", "PIL.PngImagePlugin", "PIL.JpegImagePlugin")
HINT = "Pass --overwrite to replace it, or write the sheet elsewhere with -d DIR."

@dataclass(frozen=True)
class Sheet:
    html: Path
    pngs: list[Path]
    count: int
    problems: list[tuple[Path, str]]  # images shown without a picture, and why
    made: int = 0  # thumbnails made now
    reused: int = 0  # and found made already


class NothingToShow(UsageError):
    """No image among the paths: for `sheet` a usage error; after a run, nothing saved yet."""


def collect(paths: list[Path]) -> list[Card]:
    cards: list[Card] = []
    for path in paths:
        if path.is_dir():
            cards += _folder(path)
        elif path.is_file():
            cards.append(Card(path, path.parent.name or "."))
        else:
            raise UsageError(f"No such file or folder: {path}.")
    seen: set[str] = set()
    unique = [c for c in cards if not (c.real in seen or seen.add(c.real))]
    if not unique:
        raise NothingToShow("No images to put on a sheet.", hint="Give image files or folders.")
    return unique


def _folder(folder: Path) -> list[Card]:
    """The folder's images, in the order they were made."""
    lines = _manifest_lines(folder)
    cells = _grid_cells(folder)
    derived = _derived(folder)
    ordered = []
    for image in (p for p in folder.iterdir() if _listed(p) and p.name not in derived):
        caption = ""
        if image.name in cells:
            order, group, caption = cells[image.name]
        elif image.name in lines:
            order, group = lines[image.name], f"{folder.name}: line {lines[image.name][0]}"
        else:  # not made by a batch or a grid: after those, by name
            order, group = (float("inf"), _natural(image.name)), folder.name or str(folder)
        ordered.append((order, Card(image, group, caption)))
    return [card for _, card in sorted(ordered, key=lambda pair: pair[0])]


def _listed(path: Path) -> bool:
    name = path.name
    return not (name.startswith(TEMP_PREFIX) or picture_of_the_folder(name)) \
        and path.is_file() and is_image_file(path)


def picture_of_the_folder(name: str) -> bool:
    """A picture the tool made of the folder's images (a sheet page, grid.png): on neither a
    sheet nor an asset list of its own."""
    return name == GRID_PNG or PAGE_NAME.fullmatch(name) is not None


def _derived(folder: Path) -> set[str]:
    """Sizes and formats made from the folder's images (assets.json): not images of their own."""
    from pixazo_cli.assets.manifest import derived_names

    try:
        return derived_names(folder)
    except UsageError:  # an assets.json of someone else's: their files, shown
        return set()


def _natural(name: str) -> tuple[object, ...]:
    """`hero-2` before `hero-10`."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _manifest_lines(folder: Path) -> dict[str, tuple[object, ...]]:
    """File name → (its batch line, its place among the line's files)."""
    from pixazo_cli.batch.manifest import Manifest

    if not (folder / MANIFEST_NAME).is_file():
        return {}
    with Manifest(folder / MANIFEST_NAME) as manifest:
        return {str(f.get("path")): (int(entry.get("line", 0)), index)
                for entry in manifest.entries()
                for index, f in enumerate(entry.get("files") or [])}


def _grid_cells(folder: Path) -> dict[str, tuple[tuple[object, ...], str, str]]:
    """File name → ((row, column), its row's group, its column's caption) in a grid folder."""
    try:
        grid = loads((folder / GRID_FILE).read_text("utf-8"))
        return {str(cell["file"]): ((int(cell.get("row", 0)), int(cell.get("column", 0))),
                                    f"{folder.name}: {cell.get('y') or 'grid'}",
                                    str(cell.get("x", ""))) for cell in grid["cells"]
                if cell.get("file")}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_sheet(paths: list[Path], out_dir: Path, title: str = "pixazo contact sheet",
                overwrite: bool = False, workers: int | None = None) -> Sheet:
    from pixazo_cli.compare.page import html_pieces
    from pixazo_cli.compare.sheet_png import write_pages

    cards = collect(paths)
    with Folder.open(out_dir) as root, Workers(workers, WORKER_MODULES) as pool:
        if not root.claim():  # two sheets at once would each keep a ledger without the other's
            raise UsageError(f"Another pixazo is writing in {out_dir} now (a contact sheet, or "
                             "its assets.json); nothing was written.", hint="Run the sheet "
                             "again when it is done: it reuses every thumbnail already made.")
        made_here = MadeHere.load(root)
        if not overwrite:
            _refuse_what_others_made(root, made_here)
        thumbs = Thumbs.open(root, overwrite, HINT)
        with thumbs.folder:
            try:
                _make_thumbs(cards, thumbs, pool)
            except BaseException:
                thumbs.save()  # what was made stays known: the next run reuses it
                raise
            thumbs.finish()
            pngs = write_pages(made_here, cards, pool, overwrite)
        with root.new_file() as new:
            for piece in html_pieces(cards, out_dir, title, pngs):
                new.file.write(piece.encode("utf-8"))
            page = made_here.place(new, INDEX, overwrite)
        made_here.save(overwrite)
    problems = [(card.path, card.problem) for card in cards if card.problem]
    return Sheet(page.path, pngs, len(cards), problems, thumbs.made, thumbs.reused)


def _refuse_what_others_made(root: Folder, made_here: MadeHere) -> None:
    """Before any work: the names the sheet writes are free, or the tool's own."""
    if made_here.foreign:
        raise NotOurs(root.path / MADE_NAME, HINT)
    made_here.refuse_taken([INDEX, *(n for n in root.names() if PAGE_NAME.fullmatch(n))], HINT)


def _make_thumbs(cards: list[Card], thumbs: Thumbs, pool: Workers) -> None:
    todo = [(card, job) for card in cards if (job := thumbs.job(card)) is not None]
    made = pool.in_order(make, (job for _, job in todo), len(todo), ALONE_BELOW)
    for (card, _), result in zip(todo, made, strict=True):
        thumbs.keep(card, result)
