"""Pictures made of pictures, with Pillow: the labelled X/Y grid, the contact sheet's pages and
its thumbnails.

Cells keep their aspect ratio inside a capped box, so a grid of 1536 px images stays a file
one can post in a chat. Labels use Pillow's built-in font: no font file to find or ship.

Every image is opened through `load`, which keeps Pillow's decoders bounded: more pixels than
Pillow's decompression-bomb limit is a plain per-image reason, never an exception, and a JPEG
is decoded at a fraction of its size when only a thumbnail is wanted. (Pillow itself bounds
compressed text chunks: MAX_TEXT_CHUNK per chunk, MAX_TEXT_MEMORY in all, both lowered here.)
Each image is scaled down as soon as it is read, so memory follows the cells, not the files."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

CELL_CAP = 256  # the longest side of a grid cell, in pixels
LABEL_HEIGHT = 24  # the x labels' row, and each thumbnail's caption
LABEL_WIDTH = 140  # the y labels' column (only when there is a y axis)
BACKGROUND = (255, 255, 255)
INK = (20, 20, 20)
MISSING = (200, 200, 200)
TEXT_CHUNK = 256 * 1024  # a record is a few kB; Pillow's default allows 1 MB per chunk
TEXT_MEMORY = 4 * 1024 * 1024  # and 64 MB per image


@dataclass(frozen=True)
class Tile:
    path: Path | None  # None: the cell failed, drawn as a grey box
    caption: str = ""


def load(source: Path | bytes | None, cap: int,
         fast: bool = False) -> tuple[Any, tuple[int, int] | None, str]:
    """The image scaled to fit cap × cap, its original size and ""; or None, None and the
    reason it cannot be drawn, in plain words. `fast` scales bilinearly (a thumbnail of a
    thumbnail), else bicubically: Lanczos costs half as much again and shows no difference at
    thumbnail size."""
    from PIL import Image, UnidentifiedImageError

    if source is None:
        return None, None, "no file"
    _bound_pillow()
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
            size = image.size
            if size[0] * size[1] > Image.MAX_IMAGE_PIXELS:
                return None, size, too_large(size)
            image.draft("RGB", (cap, cap))  # JPEG: decoded at 1/2, 1/4 or 1/8 of the size
            image = _on_white(image)
    except Image.DecompressionBombError:
        return None, None, too_large(None)
    except ValueError as error:  # e.g. text chunks past MAX_TEXT_CHUNK or MAX_TEXT_MEMORY
        return None, None, f"Pillow refused it ({error})"
    except (OSError, UnidentifiedImageError, SyntaxError, EOFError):
        return None, None, "not an image Pillow can read"
    fit = Image.Resampling.BILINEAR if fast else Image.Resampling.BICUBIC
    image.thumbnail((cap, cap), fit)
    return image, size, ""


def _on_white(image: Any) -> Any:
    """RGB, with any transparency laid over the page's white."""
    from PIL import Image

    if "A" not in image.mode and "transparency" not in image.info:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, BACKGROUND)
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def too_large(size: tuple[int, int] | None) -> str:
    from PIL import Image

    pixels = f"{size[0]}×{size[1]} pixels" if size else "too many pixels"
    return f"too large to draw ({pixels}; the limit is {Image.MAX_IMAGE_PIXELS:,} pixels)"


def _bound_pillow() -> None:
    import warnings

    from PIL import Image, PngImagePlugin

    # `load` refuses such images itself, with a reason; the warning would only be noise.
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
    PngImagePlugin.MAX_TEXT_CHUNK = min(PngImagePlugin.MAX_TEXT_CHUNK, TEXT_CHUNK)
    PngImagePlugin.MAX_TEXT_MEMORY = min(PngImagePlugin.MAX_TEXT_MEMORY, TEXT_MEMORY)


def thumbnail_jpeg(source: Path, cap: int) -> tuple[bytes | None, tuple[int, int] | None,
                                                    tuple[int, int] | None, str]:
    """A small JPEG of the image for the sheet, the original's size, the JPEG's size, and
    why there is none."""
    image, size, problem = load(source, cap)
    if image is None:
        return None, size, None, problem
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue(), size, image.size, ""


def grid_size(columns: int, rows: int, cell: tuple[int, int], y_axis: bool) -> tuple[int, int]:
    left = LABEL_WIDTH if y_axis else 0
    return left + columns * cell[0], LABEL_HEIGHT + rows * cell[1]


def compose_grid(tiles: list[list[Tile]], x_labels: list[str], y_labels: list[str] | None,
                 cap: int = CELL_CAP) -> Image.Image:
    """tiles[row][column]; the x labels head the columns, the y labels (if any) lead the rows."""
    from PIL import Image, ImageDraw

    images = [[load(tile.path, cap)[0] for tile in row] for row in tiles]
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


def compose_captioned(tiles: list[tuple[bytes | None, str]], columns: int,
                      cell: tuple[int, int]) -> Image.Image:
    """Thumbnails (JPEG bytes) in rows of `columns`, each over its caption: one contact-sheet
    page. Each is decoded, scaled and pasted before the next is read."""
    from PIL import Image, ImageDraw

    rows = max(1, -(-len(tiles) // columns))
    canvas = Image.new("RGB", (columns * cell[0], rows * (cell[1] + LABEL_HEIGHT)), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    for index, (thumb, caption) in enumerate(tiles):
        x, y = (index % columns) * cell[0], (index // columns) * (cell[1] + LABEL_HEIGHT)
        _paste(canvas, draw, load(thumb, max(cell), fast=True)[0], (x, y), cell)
        _text(draw, (x, y + cell[1], cell[0], LABEL_HEIGHT), caption)
    return canvas


def cell_box(images: list[Any], cap: int) -> tuple[int, int]:
    """The box every cell gets: the largest image's size, scaled so no side exceeds cap."""
    return cell_for([image.size for image in images], cap)


def cell_for(sizes: list[tuple[int, int]], cap: int) -> tuple[int, int]:
    if not sizes:
        return cap, cap
    width = max(size[0] for size in sizes)
    height = max(size[1] for size in sizes)
    scale = min(1.0, cap / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _paste(canvas: Any, draw: Any, image: Any, at: tuple[int, int],
           cell: tuple[int, int]) -> None:
    if image is None:
        draw.rectangle((at[0] + 2, at[1] + 2, at[0] + cell[0] - 3, at[1] + cell[1] - 3),
                       fill=MISSING)
        _text(draw, (at[0], at[1], cell[0], cell[1]), "failed")
        return
    image.thumbnail(cell)
    canvas.paste(image, (at[0] + (cell[0] - image.width) // 2,
                         at[1] + (cell[1] - image.height) // 2))


def _text(draw: Any, box: tuple[int, int, int, int], text: str) -> None:
    """Centred in the box, cut with an ellipsis where it would not fit. Every caption drawn
    (sheet pages, grid.png) is text from outside: it goes through the page's sink, so the
    picture shows what index.html shows, the key masked."""
    from pixazo_cli.sinks.html import shown

    x, y, width, height = box
    text = _fitted(draw, shown(text), width - 6)
    left, top, right, bottom = draw.textbbox((0, 0), text)
    draw.text((x + (width - (right - left)) // 2, y + (height - (bottom - top)) // 2), text,
              fill=INK)


def _fitted(draw: Any, text: str, room: int) -> str:
    """The text, or its longest start that fits with "..." after it (found by halving)."""
    text = text[: room // 3 + 4]  # no glyph is narrower than 3 px: the rest could never show
    if draw.textlength(text) <= room:
        return text
    shortest, longest = 0, len(text) - 1
    while shortest < longest:
        middle = (shortest + longest + 1) // 2
        if draw.textlength(text[:middle] + "...") <= room:
            shortest = middle
        else:
            longest = middle - 1
    return text[:shortest] + "..." if shortest else ""
