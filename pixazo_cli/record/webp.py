"""WEBP: a VP8X header (added when the file is a simple one) flagging EXIF and XMP, and `EXIF`
and `XMP ` chunks at the end of the RIFF container."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

from .parameters import parameters_text
from .payload import MAX_READ_RECORD, record_json
from .stream import copy, copy_rest, read_exact
from .xmp import exif_tiff, record_from_xmp, xmp_packet

FLAG_ALPHA, FLAG_EXIF, FLAG_XMP = 0x10, 0x08, 0x04  # VP8X flag bits


def _riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + b"\x00" * (len(data) & 1)


def _canvas(kind: bytes, payload: bytes) -> tuple[int, int, bool]:
    """Width, height and alpha from the first chunk's first 10 bytes: VP8X's canvas, or a
    simple file's VP8 / VP8L bitstream header."""
    if kind == b"VP8X":
        width, height = (int.from_bytes(payload[i : i + 3], "little") + 1 for i in (4, 7))
        return width, height, bool(payload[0] & FLAG_ALPHA)
    if kind == b"VP8L":
        if payload[0] != 0x2F:
            raise ValueError("the WEBP has a damaged VP8L header")
        bits = int.from_bytes(payload[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, bool(bits >> 28 & 1)
    if payload[3:6] != b"\x9d\x01\x2a":  # the VP8 key frame start code
        raise ValueError("the WEBP has a damaged VP8 header")
    width, height = struct.unpack("<HH", payload[6:10])
    return width & 0x3FFF, height & 0x3FFF, False


def _vp8x(flags: int, width: int, height: int) -> bytes:
    size = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _riff_chunk(b"VP8X", bytes((flags, 0, 0, 0)) + size)


@dataclass(frozen=True)
class _Lead:
    """What replaces the first chunk's start, and what it tells."""

    data: bytes
    first_left: int  # the first chunk's bytes still to copy after `data`
    growth: int  # bytes added before the image's own chunks (a new VP8X)
    size: tuple[int, int]
    own_exif: bool  # the image brought EXIF of its own: it is kept, ours is not added


def _lead(src: BinaryIO) -> _Lead:
    """A simple file gets a VP8X chunk (the only way to announce XMP); a VP8X file gets its
    flags set."""
    head = read_exact(src, 8)
    kind, size = struct.unpack("<4sI", head)
    if kind == b"VP8X":
        if size != 10:
            raise ValueError("the WEBP has a damaged VP8X header")
        payload = bytearray(read_exact(src, 10))
        own_exif = bool(payload[0] & FLAG_EXIF)
        payload[0] |= FLAG_XMP | FLAG_EXIF
        width, height, _ = _canvas(kind, payload)
        return _Lead(head + payload, 0, 0, (width, height), own_exif)
    if kind not in (b"VP8 ", b"VP8L") or size < 10:
        raise ValueError("the image is not a WEBP this tool knows")
    probe = read_exact(src, 10)
    width, height, alpha = _canvas(kind, probe)
    vp8x = _vp8x(FLAG_XMP | FLAG_EXIF | (FLAG_ALPHA if alpha else 0), width, height)
    left = size + (size & 1) - len(probe)
    return _Lead(vp8x + head + probe, left, len(vp8x), (width, height), False)


def embed(src: BinaryIO, dst: BinaryIO, record: dict[str, Any]) -> None:
    json_text = record_json(record)  # refused here, before anything is written
    riff = read_exact(src, 12)
    if riff[:4] != b"RIFF" or riff[8:] != b"WEBP":
        raise ValueError("the image is not a WEBP")
    (riff_size,) = struct.unpack("<I", riff[4:8])
    start = dst.tell() if dst.seekable() else None
    lead = _lead(src)
    params = parameters_text(record, lead.size)
    tail = b"" if lead.own_exif else _riff_chunk(b"EXIF", exif_tiff(params, lead.size))
    tail += _riff_chunk(b"XMP ", xmp_packet(json_text, params))
    growth = lead.growth
    dst.write(b"RIFF" + struct.pack("<I", riff_size + growth + len(tail)) + b"WEBP" + lead.data)
    copy(src, dst, lead.first_left)
    body_left = riff_size - 4 - (len(lead.data) - growth + lead.first_left)
    dropped = _copy_chunks(src, dst, body_left)
    dst.write(tail)
    copy_rest(src, dst)  # bytes after the RIFF end are not ours to judge
    if dropped:
        _patch_riff_size(dst, start, riff_size + growth + len(tail) - dropped)


def _copy_chunks(src: BinaryIO, dst: BinaryIO, left: int) -> int:
    """Copy the chunks after the first; drop XMP chunks (ours replaces them), return bytes gone."""
    dropped = 0
    while left >= 8:
        head = read_exact(src, 8)
        kind, size = struct.unpack("<4sI", head)
        total = 8 + size + (size & 1)
        if kind == b"XMP ":
            copy(src, None, total - 8)
            dropped += total
        else:
            dst.write(head)
            copy(src, dst, total - 8)
        left -= total
    copy(src, dst, max(left, 0))  # a few stray bytes inside the RIFF stay where they were
    return dropped


def _patch_riff_size(dst: BinaryIO, start: int | None, riff_size: int) -> None:
    if start is None:
        raise ValueError("the WEBP already had XMP; replacing it needs a seekable output")
    end = dst.tell()
    dst.seek(start + 4)
    dst.write(struct.pack("<I", riff_size))
    dst.seek(end)


def image_size(f: BinaryIO) -> tuple[int, int] | None:
    f.seek(12)
    head = f.read(18)
    if len(head) < 18:
        return None
    width, height, _ = _canvas(head[:4], head[8:])
    return width, height


def read(f: BinaryIO) -> dict[str, Any] | None:
    f.seek(12)
    while len(head := f.read(8)) == 8:
        kind, size = struct.unpack("<4sI", head)
        if kind == b"XMP " and size <= MAX_READ_RECORD:
            found = record_from_xmp(f.read(size))
            if found is not None:
                return found
            f.seek(size & 1, 1)
        else:
            f.seek(size + (size & 1), 1)
    return None
