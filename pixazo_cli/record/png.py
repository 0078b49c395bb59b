"""PNG: two text chunks before the first `IDAT`, where Pillow, ImageMagick and exiftool look
without decoding the image: `parameters` (the A1111 text; `tEXt` when it is Latin-1, `iTXt`
otherwise, as A1111 writes it) and `pixazo` (the record as JSON, `iTXt`)."""

from __future__ import annotations

import struct
import zlib
from typing import Any, BinaryIO

from .parameters import parameters_text
from .payload import MAX_READ_RECORD, parse_record, record_json
from .stream import PIECE, copy, copy_rest, read_exact

SIGNATURE = b"\x89PNG\r\n\x1a\n"
PARAMETERS = b"parameters"
RECORD = b"pixazo"
TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
IHDR_LENGTH = 13


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _itxt(keyword: bytes, text: str) -> bytes:
    # keyword NUL, compression flag 0, method 0, empty language NUL, empty translation NUL
    return _chunk(b"iTXt", keyword + b"\x00\x00\x00\x00\x00" + text.encode("utf-8"))


def _text(keyword: bytes, text: str) -> bytes:
    """tEXt where the text is Latin-1 (every PNG reader takes it), else iTXt (UTF-8)."""
    try:
        return _chunk(b"tEXt", keyword + b"\x00" + text.encode("latin-1"))
    except UnicodeEncodeError:
        return _itxt(keyword, text)


def embed(src: BinaryIO, dst: BinaryIO, record: dict[str, Any]) -> None:
    stored = _itxt(RECORD, record_json(record))  # refused here, before anything is written
    if read_exact(src, 8) != SIGNATURE:
        raise ValueError("the image is not a PNG")
    dst.write(SIGNATURE)
    size, pending = None, True
    while True:
        head = read_exact(src, 8)
        length, kind = struct.unpack(">I4s", head)
        if pending and kind in (b"IDAT", b"IEND"):  # ours go just before the image data
            dst.write(_text(PARAMETERS, parameters_text(record, size)) + stored)
            pending = False
        if kind == b"IEND":
            dst.write(head)
            copy_rest(src, dst)  # IEND's CRC, and whatever a sloppy encoder left after it
            return
        if kind == b"IHDR" and length == IHDR_LENGTH:
            data = read_exact(src, length + 4)
            size = struct.unpack(">II", data[:8])
            dst.write(head + data)
            continue
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


def image_size(f: BinaryIO) -> tuple[int, int] | None:
    """(width, height) from IHDR, which the format puts first."""
    f.seek(len(SIGNATURE))
    head = f.read(8 + IHDR_LENGTH)
    if len(head) < 8 + IHDR_LENGTH or head[4:8] != b"IHDR":
        return None
    return struct.unpack(">II", head[8:16])


def read(f: BinaryIO) -> dict[str, Any] | None:
    """The record from the first `pixazo` iTXt chunk, before the image data (as written now)
    or after it (as earlier versions wrote it); only the first counts, so a file full of
    crafted chunks costs one chunk's work."""
    f.seek(len(SIGNATURE))
    while len(head := f.read(8)) == 8:
        length, kind = struct.unpack(">I4s", head)
        if kind == b"IEND":
            return None
        if kind == b"iTXt" and length <= MAX_READ_RECORD:
            keyword = f.read(min(length, len(RECORD) + 1))
            if keyword == RECORD + b"\x00":
                rest = f.read(length - len(keyword))
                if f.read(4) != struct.pack(">I", zlib.crc32(rest, zlib.crc32(kind + keyword))):
                    return None  # a damaged chunk holds no record we can trust
                return _record_from_itxt(rest)
            f.seek(length - len(keyword) + 4, 1)
        else:
            f.seek(length + 4, 1)  # IDAT and the rest are skipped, never read
    return None


def _record_from_itxt(rest: bytes) -> dict[str, Any] | None:
    """The record in an iTXt chunk's data after its keyword: compression flag and method,
    language NUL, translated keyword NUL, then the text."""
    language_end = rest.find(b"\x00", 2)
    text_start = rest.find(b"\x00", language_end + 1) + 1
    if language_end < 0 or text_start == 0:
        return None
    if rest[0] != 1:
        return parse_record(rest[text_start:])
    text = _inflate(memoryview(rest)[text_start:])
    return None if text is None else parse_record(text)


def _inflate(data: memoryview) -> bytes | None:
    """zlib data inflated, or None when it is damaged or inflates past MAX_READ_RECORD. A few
    KB of it can claim gigabytes, so it goes in and comes out a piece at a time, and is given
    up on as soon as the cap is passed: memory stays at the cap, time at the cap's worth."""
    inflate, pieces, total = zlib.decompressobj(), [], 0
    try:
        for start in range(0, len(data), PIECE):
            pending: bytes | memoryview = data[start : start + PIECE]
            while not inflate.eof:
                piece = inflate.decompress(pending, PIECE)
                total += len(piece)
                if total > MAX_READ_RECORD:
                    return None
                pieces.append(piece)
                pending = inflate.unconsumed_tail
                if not pending and len(piece) < PIECE:  # this input is used up
                    break
    except zlib.error:
        return None
    return b"".join(pieces) if inflate.eof else None  # not eof: cut short
