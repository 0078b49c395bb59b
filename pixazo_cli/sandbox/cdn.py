"""The CDN side: serve made images, or misbehave the way a download fault asks."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

from .faults import Fault
from .media import MadeImage
from .replies import Reply, html_reply, text_reply

CHUNK = 64 * 1024
MEGABYTE = 1024 * 1024
NOT_AN_IMAGE = b"This is a text file served with an image/png content type (sandbox fault).\n"


def serve(image: MadeImage, fault: Fault | None) -> Reply:
    if fault is None:
        return Reply(200, image.data, image.content_type)
    if fault.what == "slow":
        return Reply(200, image.data, image.content_type, delay=fault.value or 0.0)
    if fault.what == "truncated":
        # Promise the whole image, deliver half, hang up: the client must notice the shortfall.
        half = image.data[: len(image.data) // 2]
        return Reply(200, half, image.content_type, length=len(image.data), close=True)
    if fault.what == "html":
        return html_reply(200, "Service Temporarily Unavailable")
    if fault.what == "wrong-type":
        return Reply(200, NOT_AN_IMAGE, "image/png")
    if fault.what == "huge":
        return huge_png(fault.value or 1.0)
    return text_reply(int(fault.what), "Not Found" if fault.what == "404" else "Server Error")


def huge_png(megabytes: float) -> Reply:
    """A PNG signature and header, then `megabytes` of padding, generated as it is sent."""
    head = png_header(1024, 1024)
    padding = int(megabytes * MEGABYTE)
    return Reply(200, _stream(head, padding), "image/png", length=len(head) + padding)


def png_header(width: int, height: int) -> bytes:
    fields = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    chunk = b"IHDR" + fields
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(fields)) + chunk + _crc(chunk)


def _crc(data: bytes) -> bytes:
    return struct.pack(">I", zlib.crc32(data) & 0xFFFFFFFF)


def _stream(head: bytes, padding: int) -> Iterator[bytes]:
    yield head
    block = bytes(CHUNK)
    while padding > 0:
        size = min(CHUNK, padding)
        yield block if size == CHUNK else block[:size]
        padding -= size
