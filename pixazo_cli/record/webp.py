"""WEBP: a VP8X header (added when the file is a simple one) flagging EXIF and XMP, and `EXIF`
and `XMP ` chunks at the end of the RIFF container."""

from __future__ import annotations

import struct
from typing import Any, BinaryIO

from .parameters import parameters_text
from .payload import MAX_READ_RECORD, record_json
from .stream import copy, copy_rest, read_exact
from .xmp import exif_tiff, record_from_xmp, xmp_packet

FLAG_ALPHA, FLAG_EXIF, FLAG_XMP = 0x10, 0x08, 0x04  # VP8X flag bits


def _riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + b"\x00" * (len(data) & 1)


def _bitstream_canvas(kind: bytes, probe: bytes) -> tuple[int, int, bool]:
    """Width, height and alpha of a simple WEBP, from its VP8 / VP8L bitstream header."""
    if kind == b"VP8L":
        if probe[0] != 0x2F:
            raise ValueError("the WEBP has a damaged VP8L header")
        bits = int.from_bytes(probe[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, bool(bits >> 28 & 1)
    if probe[3:6] != b"\x9d\x01\x2a":  # the VP8 key frame start code
        raise ValueError("the WEBP has a damaged VP8 header")
    width, height = struct.unpack("<HH", probe[6:10])
    return width & 0x3FFF, height & 0x3FFF, False


def _vp8x(flags: int, width: int, height: int) -> bytes:
    size = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _riff_chunk(b"VP8X", bytes((flags, 0, 0, 0)) + size)


def _lead(src: BinaryIO, exif: bytes) -> tuple[bytes, int, int, bool]:
    """What replaces the first chunk's start: (bytes, first chunk's bytes left, growth, EXIF?).

    A simple file gets a VP8X chunk (the only way to announce XMP); a VP8X file gets its
    flags set. An image's own EXIF is kept, so ours is added only where there is none.
    """
    head = read_exact(src, 8)
    kind, size = struct.unpack("<4sI", head)
    total = size + (size & 1)
    if kind == b"VP8X":
        if size != 10:
            raise ValueError("the WEBP has a damaged VP8X header")
        payload = bytearray(read_exact(src, 10))
        add_exif = bool(exif) and not payload[0] & FLAG_EXIF
        payload[0] |= FLAG_XMP | (FLAG_EXIF if add_exif else 0)
        return head + payload, 0, 0, add_exif
    if kind not in (b"VP8 ", b"VP8L") or size < 10:
        raise ValueError("the image is not a WEBP this tool knows")
    probe = read_exact(src, 10)
    width, height, alpha = _bitstream_canvas(kind, probe)
    flags = FLAG_XMP | (FLAG_EXIF if exif else 0) | (FLAG_ALPHA if alpha else 0)
    vp8x = _vp8x(flags, width, height)
    return vp8x + head + probe, total - len(probe), len(vp8x), bool(exif)


def embed(src: BinaryIO, dst: BinaryIO, record: dict[str, Any]) -> None:
    params = parameters_text(record)
    xmp = _riff_chunk(b"XMP ", xmp_packet(record_json(record), params))
    exif = _riff_chunk(b"EXIF", exif_tiff(params))
    riff = read_exact(src, 12)
    if riff[:4] != b"RIFF" or riff[8:] != b"WEBP":
        raise ValueError("the image is not a WEBP")
    (riff_size,) = struct.unpack("<I", riff[4:8])
    start = dst.tell() if dst.seekable() else None
    lead, first_left, growth, add_exif = _lead(src, exif)
    tail = (exif if add_exif else b"") + xmp
    dst.write(b"RIFF" + struct.pack("<I", riff_size + growth + len(tail)) + b"WEBP" + lead)
    copy(src, dst, first_left)
    body_left = riff_size - 4 - (len(lead) - growth + first_left)
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
