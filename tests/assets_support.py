"""Originals for the assets tests: pictures whose every region says where it came from (so a
crop or a placement can be checked by colour), carrying a generation record as the tool saves
them, and sandbox images made through the CLI."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from pixazo_cli import record
from tests.conftest import run

RECORD: dict[str, Any] = {
    "tool": "pixazo-cli/test", "model": "sdxl", "endpoint": "/getImage/v1/getSDXLImage",
    "body": {"prompt": 'a "fox" <in> the snow, & more', "seed": 7, "width": 1024},
    "request_id": "req-123", "created": "2026-01-01T00:00:00Z"}

# Quadrants: top-left red, top-right green, bottom-left blue, bottom-right yellow.
QUADRANTS = ((220, 30, 30), (30, 200, 30), (30, 30, 220), (230, 220, 20))


def quadrants(size: tuple[int, int], alpha: int | None = None) -> Image.Image:
    w, h = size
    picture = Image.new("RGBA" if alpha is not None else "RGB", size)
    for n, colour in enumerate(QUADRANTS):
        box = ((n % 2) * w // 2, (n // 2) * h // 2, (n % 2 + 1) * w // 2, (n // 2 + 1) * h // 2)
        picture.paste(colour + ((alpha,) if alpha is not None else ()), box)
    return picture


def saved_original(path: Path, picture: Image.Image, with_record: bool = True) -> Path:
    """The picture saved as the tool saves a download: encoded, then the record embedded."""
    fmt = path.suffix.lstrip(".").lower()
    buffer = io.BytesIO()
    picture.save(buffer, {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}[fmt])
    if not with_record:
        path.write_bytes(buffer.getvalue())
        return path
    buffer.seek(0)
    with open(path, "wb") as out:
        record.embed(buffer, out, RECORD, fmt)
    return path


def sandbox_original(folder: Path, model: str = "sdxl", *flags: str) -> Path:
    """One image from the sandbox gateway, saved by the CLI (the `gateway` fixture is on)."""
    made = run(model, "a lighthouse at dusk", "-d", str(folder), *flags, "--json")
    assert made.exit_code == 0, made.stderr
    return Path(made.json()["files"][0]["path"])


def colour_at(path: Path, xy: tuple[int, int]) -> tuple[int, ...]:
    with Image.open(path) as picture:
        return picture.convert("RGBA").getpixel(xy)


def close(a: tuple[int, ...], b: tuple[int, ...], slack: int = 24) -> bool:
    return all(abs(x - y) <= slack for x, y in zip(a, b, strict=False))
