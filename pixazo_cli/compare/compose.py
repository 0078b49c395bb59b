"""Pictures made of pictures: the labelled X/Y grid and the contact sheet's PNG, with Pillow.

Cells keep their aspect ratio inside a capped box, so a grid of 1536 px images stays a file
one can post in a chat. Labels use Pillow's built-in font: no font file to find or ship."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

CELL_CAP = 256  # the longest side of a cell, in pixels
LABEL_HEIGHT = 24  # the x labels' row, and each thumbnail's caption
LABEL_WIDTH = 140  # the y labels' column (only when there is a y axis)
BACKGROUND = (255, 255, 255)
INK = (20, 20, 20)
MISSING = (200, 200, 200)


@dataclass(frozen=True)
class Tile:
    path: Path | None  # None: the cell failed, drawn as a grey box
    caption: str = ""


def grid_size(columns: int, rows: int, cell: tuple[int, int], y_axis: bool) -> tuple[int, int]:
    left = LABEL_WIDTH if y_axis else 0
    return left + columns * cell[0], LABEL_HEIGHT + rows * cell[1]


def compose_grid(tiles: list[list[Tile]], x_labels: list[str], y_labels: list[str] | None,
                 cap: int = CELL_CAP) -> Image.Image:
    """tiles[row][column]; the x labels head the columns, the y labels (if any) lead the rows."""
    from PIL import Image, ImageDraw

    images = [[_load(tile.path) for tile in row] for row in tiles]
    cell = cell_box([image for row in images for image in row if image is not None], cap)
    width, height = grid_size(len(x_labels), len(tiles), cell, y_labels is not None)
    canvas = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    left = LABEL_WIDTH if y_labels is not None else 0
    for column, label in enumerate(x_labels):
        _text(draw, (left + column * cell[0], 0, cell[0], LABEL_HEIGHT), label)
    for row, row_images in enumerate(images):
        top = LABEL_HEIGHT + row * cell[1]
        if y_labels is not None:
            _text(draw, (0, top, LABEL_WIDTH, cell[1]), y_labels[row])
        for column, image in enumerate(row_images):
            _paste(canvas, draw, image, (left + column * cell[0], top), cell)
    return canvas


def compose_sheet(tiles: list[Tile], columns: int = 6, cap: int = 192) -> Image.Image:
    """Labelled thumbnails in rows: one picture to attach to a CI run or a chat."""
    from PIL import Image, ImageDraw

    images = [_load(tile.path) for tile in tiles]
    cell = cell_box([image for image in images if image is not None], cap)
    columns = max(1, min(columns, len(tiles)))
    rows = max(1, -(-len(tiles) // columns))
    canvas = Image.new("RGB", (columns * cell[0], rows * (cell[1] + LABEL_HEIGHT)), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    for index, (tile, image) in enumerate(zip(tiles, images, strict=True)):
        x, y = (index % columns) * cell[0], (index // columns) * (cell[1] + LABEL_HEIGHT)
        _paste(canvas, draw, image, (x, y), cell)
        _text(draw, (x, y + cell[1], cell[0], LABEL_HEIGHT), tile.caption)
    return canvas


def thumbnail(source: Path, target: Path, cap: int) -> tuple[int, int] | None:
    """A small copy for the sheet; returns the original's size, None when it cannot be read."""
    image = _load(source)
    if image is None:
        return None
    size = image.size
    image.thumbnail((cap, cap))
    image.save(target)
    return size


def cell_box(images: list[Any], cap: int) -> tuple[int, int]:
    """The box every cell gets: the largest image's size, scaled so no side exceeds cap."""
    if not images:
        return cap, cap
    width = max(image.width for image in images)
    height = max(image.height for image in images)
    scale = min(1.0, cap / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _load(path: Path | None) -> Any:
    from PIL import Image, UnidentifiedImageError

    if path is None:
        return None
    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def _paste(canvas: Any, draw: Any, image: Any, at: tuple[int, int],
           cell: tuple[int, int]) -> None:
    if image is None:
        draw.rectangle((at[0] + 2, at[1] + 2, at[0] + cell[0] - 3, at[1] + cell[1] - 3),
                       fill=MISSING)
        _text(draw, (at[0], at[1], cell[0], cell[1]), "failed")
        return
    image = image.copy()
    image.thumbnail(cell)
    canvas.paste(image, (at[0] + (cell[0] - image.width) // 2,
                         at[1] + (cell[1] - image.height) // 2))


def _text(draw: Any, box: tuple[int, int, int, int], text: str) -> None:
    """Centred in the box, cut with an ellipsis where it would not fit."""
    x, y, width, height = box
    while text and draw.textlength(text) > width - 6:
        text = text[:-4] + "..." if len(text) > 4 else ""
    left, top, right, bottom = draw.textbbox((0, 0), text)
    draw.text((x + (width - (right - left)) // 2, y + (height - (bottom - top)) // 2), text,
              fill=INK)
