"""Generation records embedded in saved images, written and read at the byte level.

Every image the tool saves carries the request that made it, so `pixazo inspect` can show it and
`pixazo replay` can send it again. The record goes where other tools already look:

- PNG: two text chunks before the first `IDAT`: `parameters` (the Automatic1111 text, `tEXt`
  when it is Latin-1, else `iTXt`) and `pixazo` (the record as compact JSON, `iTXt`).
- JPEG: after SOI (and the JFIF APP0, which must come first): an APP1 Exif segment whose
  UserComment holds the parameters text, then an APP1 XMP segment with the record.
- WEBP: a VP8X header (added when the file is a simple one) flagging EXIF and XMP, and `EXIF` and
  `XMP ` chunks at the end of the RIFF container.

Only the standard library is used, and images are never decoded: JPEG and WEBP are lossy, so
re-encoding would change the picture. Everything is streamed in bounded pieces; the only things
held whole are metadata pieces that the formats themselves cap (JPEG segments, chunk headers).

The parameters text carries the saved image's size, read from its header bytes (IHDR, SOFn,
VP8X / VP8 / VP8L) as it is copied. docs/records.md says which readers were checked.

Modules: `png`, `jpeg` and `webp` (one format each), `xmp` (the XMP packet and the EXIF block
that JPEG and WEBP share), `parameters` (the Automatic1111 text), `payload` (the
record as JSON) and `stream` (bounded reads and copies). This one dispatches on the format.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

from . import avif, jpeg, png, webp
from .parameters import parameters_text
from .payload import record_json as _record_json  # noqa: F401  (the stored JSON; tests size it)

__all__ = ["embed", "image_size", "parameters_text", "read"]

_EMBEDDERS: dict[str, Callable[[BinaryIO, BinaryIO, dict[str, Any]], None]] = {
    "png": png.embed,
    "jpg": jpeg.embed,
    "jpeg": jpeg.embed,  # the sd models accept both spellings
    "webp": webp.embed,
}


def embed(src: BinaryIO, dst: BinaryIO, record: dict[str, Any], fmt: str) -> None:
    """Copy the image from src to dst with the record inserted; fmt is 'png', 'jpg' or 'webp'.

    Streams in 64 KiB pieces (memory does not grow with the file) and copies the image data
    byte for byte. Raises ValueError, before anything is written, for a record that cannot be
    stored (not JSON-able, too big for a JPEG segment) or a src whose signature is not fmt's.
    A src that turns out damaged later also raises ValueError, with dst partly written.
    """
    from pixazo_cli.scrub import scrub_data

    embedder = _EMBEDDERS.get(fmt.lower().lstrip("."))
    if embedder is None:
        raise ValueError(f"cannot embed a record in a {fmt!r} file (png, jpg or webp only)")
    embedder(src, dst, scrub_data(record))  # a record is read by anyone the image reaches


def read(path: Path) -> dict[str, Any] | None:
    """The embedded record, or None when the file has none (or is not an image we know)."""
    return _look(path, "read")


def image_size(path: Path) -> tuple[int, int] | None:
    """The image's (width, height) from its header, or None (not an image we know)."""
    return _look(path, "image_size")


def _look(path: Path, what: str) -> Any:
    with open(path, "rb") as f:
        module = _module_for(f.read(12))
        if module is None:
            return None
        look = getattr(module, what, None)  # AVIF (derived files only) has no image_size
        if look is None:
            return None
        try:
            return look(f)
        except (ValueError, IndexError, struct.error):  # a damaged file: nothing to trust
            return None


def _module_for(head: bytes) -> ModuleType | None:
    if head.startswith(png.SIGNATURE):
        return png
    if head.startswith(jpeg.SOI + b"\xff"):
        return jpeg
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return webp
    if head[4:8] == b"ftyp":  # ISOBMFF; avif.read checks the brand
        return avif
    return None
