"""PNG: two `iTXt` chunks before `IEND`, `parameters` (the A1111 text) and `pixazo` (the JSON)."""

from __future__ import annotations

import struct
import zlib
from typing import Any, BinaryIO

from .parameters import parameters_text
from .payload import MAX_READ_RECORD, parse_record, record_json
from .stream import copy, copy_rest, read_exact

SIGNATURE = b"\x89PNG\r\n\x1a\n"
PARAMETERS = b"parameters"
RECORD = b"pixazo"
TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _itxt(keyword: bytes, text: str) -> bytes:
    # keyword NUL, compression flag 0, method 0, empty language NUL, empty translation NUL
    return _chunk(b"iTXt", keyword + b"\x00\x00\x00\x00\x00" + text.encode("utf-8"))


def embed(src: BinaryIO, dst: BinaryIO, record: dict[str, Any]) -> None:
    extra = _itxt(PARAMETERS, parameters_text(record)) + _itxt(RECORD, record_json(record))
    if read_exact(src, 8) != SIGNATURE:
        raise ValueError("the image is not a PNG")
    dst.write(SIGNATURE)
    while True:
        head = read_exact(src, 8)
        length, kind = struct.unpack(">I4s", head)
        if kind == b"IEND":
            dst.write(extra + head)
            copy_rest(src, dst)  # IEND's CRC, and whatever a sloppy encoder left after it
            return
        _copy_chunk(src, dst, head, length, kind)


def _copy_chunk(src: BinaryIO, dst: BinaryIO, head: bytes, length: int, kind: bytes) -> None:
    """Copy one chunk (data + CRC), dropping an older record: two would leave readers guessing."""
    prefix = b""
    if kind in TEXT_CHUNKS:
        prefix = read_exact(src, min(length, 80))  # keywords are at most 79 bytes + NUL
        keyword, nul, _ = prefix.partition(b"\x00")
        if nul and keyword in (PARAMETERS, RECORD):
            copy(src, None, length - len(prefix) + 4)
            return
    dst.write(head + prefix)
    copy(src, dst, length - len(prefix) + 4)


def read(f: BinaryIO) -> dict[str, Any] | None:
    f.seek(len(SIGNATURE))
    while len(head := f.read(8)) == 8:
        length, kind = struct.unpack(">I4s", head)
        if kind == b"IEND":
            return None
        if kind == b"iTXt" and length <= MAX_READ_RECORD:
            found = _record_from_itxt(f.read(length))
            if found is not None:
                return found
            f.seek(4, 1)
        else:
            f.seek(length + 4, 1)  # IDAT and the rest are skipped, never read
    return None


def _record_from_itxt(data: bytes) -> dict[str, Any] | None:
    keyword, _, rest = data.partition(b"\x00")
    if keyword != RECORD or len(rest) < 2:
        return None
    compressed = rest[0] == 1
    parts = rest[2:].split(b"\x00", 2)  # language, translated keyword, text
    if len(parts) < 3:
        return None
    try:
        text = zlib.decompress(parts[2]) if compressed else parts[2]
    except zlib.error:
        return None
    return parse_record(text)
