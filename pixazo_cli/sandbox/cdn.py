"""The CDN side: serve made images, or misbehave the way a download fault asks."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

from .faults import Fault
from .media import MadeImage
from .replies import SandboxReply, html_reply, text_reply

CHUNK = 64 * 1024
MEGABYTE = 1024 * 1024
NOT_AN_IMAGE = b"This is a text file served with an image/png content type (sandbox fault).\n"


def serve(image: MadeImage, fault: Fault | None) -> SandboxReply:
    if fault is None:
        return SandboxReply(200, image.data, image.content_type)
    if fault.what == "slow":
        return SandboxReply(200, image.data, image.content_type, delay=fault.value or 0.0)
    if fault.what == "truncated":
        # Promise the whole image, deliver half, hang up: the client must notice the shortfall.
        half = image.data[: len(image.data) // 2]
        return SandboxReply(200, half, image.content_type, length=len(image.data), close=True)
    if fault.what == "html":
        return html_reply(200, "Service Temporarily Unavailable")
    if fault.what == "wrong-type":
        return SandboxReply(200, NOT_AN_IMAGE, "image/png")
    if fault.what == "huge":
        return huge_png(fault.value or 1.0)
    return text_reply(int(fault.what), "Not Found" if fault.what == "404" else "Server Error")


def huge_png(megabytes: float) -> SandboxReply:
    """A valid PNG of about `megabytes`: the header, then private ancillary chunks of up to 1 MB
    (readers skip them, as real encoders' large files have few, large chunks), then IEND.
    Generated as it is sent, so the sandbox never holds it in memory."""
    head = png_header(1024, 1024)
    sizes = _padding_sizes(int(megabytes * MEGABYTE))
    length = len(head) + sum(size + 12 for size in sizes) + len(IEND)
    return SandboxReply(200, _stream(head, sizes), "image/png", length=length)


def png_header(width: int, height: int) -> bytes:
    fields = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    chunk = b"IHDR" + fields
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(fields)) + chunk + _crc(chunk)


PAD_TYPE = b"pxPd"  # ancillary, private, safe to copy: every reader may skip it
PAD_CHUNK = 1024 * 1024
IEND = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND") & 0xFFFFFFFF)


def _crc(data: bytes) -> bytes:
    return struct.pack(">I", zlib.crc32(data) & 0xFFFFFFFF)


def _padding_sizes(total: int) -> list[int]:
    return [min(PAD_CHUNK, total - start) for start in range(0, total, PAD_CHUNK)]


def _stream(head: bytes, sizes: list[int]) -> Iterator[bytes]:
    yield head
    block = bytes(CHUNK)
    for size in sizes:
        data_crc = _crc(PAD_TYPE + bytes(size))
        yield struct.pack(">I", size) + PAD_TYPE
        left = size
        while left > 0:
            part = min(CHUNK, left)
            yield block if part == CHUNK else block[:part]
            left -= part
        yield data_crc
    yield IEND
