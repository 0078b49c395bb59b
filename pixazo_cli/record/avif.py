"""AVIF: the record in the file's XMP item (MIME type application/rdf+xml), the parameters text
in its Exif item's UserComment, as for JPEG and WEBP.

An AVIF is encoded by Pillow, which writes these items itself (`metadata` gives the bytes to
hand it); re-muxing the container here would buy nothing. Reading never decodes the image: it
walks the ISOBMFF boxes (ftyp, then meta's iinf, iloc and idat) and reads the XMP item's
extents, each piece bounded, so a hostile file costs at most a few megabytes and a few reads.
"""

from __future__ import annotations

import struct
from typing import Any, BinaryIO

from .parameters import parameters_text
from .payload import MAX_READ_RECORD, record_json
from .stream import read_exact
from .xmp import exif_tiff, record_from_xmp, xmp_packet

BRANDS = {b"avif", b"avis"}
MAX_META = 4 * 1024 * 1024  # a meta box holds item tables and properties: kilobytes in practice
MAX_TOP_BOXES = 64  # ftyp, meta and mdat come first; a file that wanders further is not ours
XMP_MIME = b"application/rdf+xml"


def metadata(record: dict[str, Any], size: tuple[int, int] | None = None
             ) -> tuple[bytes, bytes]:
    """(Exif, XMP) for Pillow's AVIF writer (`exif=`, `xmp=`), `size` the picture's own.
    Raises RecordNotStorable. The key masked, as `embed` masks it for the other formats."""
    from pixazo_cli.scrub import scrub_data

    record = scrub_data(record)
    params = parameters_text(record, size)
    return exif_tiff(params, size), xmp_packet(record_json(record), params)


def read(f: BinaryIO) -> dict[str, Any] | None:
    end = f.seek(0, 2)
    f.seek(0)
    branded = False
    for _ in range(MAX_TOP_BOXES):
        header = _box_header(f)
        if header is None:
            return None
        kind, size = header
        if size < 0:
            return None  # a box running to the end of the file, and no record before it
        if f.tell() + size > end:
            return None  # a box said larger than the file: damage (a seek there can fail)
        if kind == b"ftyp":
            branded = _is_avif(read_exact(f, min(size, 1024)))
            f.seek(size - min(size, 1024), 1)
        elif kind == b"meta" and branded:
            if size > MAX_META:
                return None
            return _record_in_meta(f, read_exact(f, size))
        else:
            f.seek(size, 1)
    return None


def _box_header(f: BinaryIO) -> tuple[bytes, int] | None:
    """(type, body size) of the next box; body size -1 when it runs to the end of the file."""
    head = f.read(8)
    if len(head) < 8:
        return None
    size, kind = struct.unpack(">I4s", head)
    if size == 1:
        size = struct.unpack(">Q", read_exact(f, 8))[0] - 16
    elif size == 0:
        return kind, -1
    else:
        size -= 8
    if size < 0:
        raise ValueError("an AVIF box is smaller than its own header")
    return kind, size


def _is_avif(ftyp: bytes) -> bool:
    brands = {ftyp[:4]} | {ftyp[i:i + 4] for i in range(8, len(ftyp) - 3, 4)}
    return bool(brands & BRANDS)


def _children(data: bytes, start: int = 0) -> dict[bytes, bytes]:
    """The boxes inside a box's body, by type (the first of each type)."""
    found: dict[bytes, bytes] = {}
    at = start
    while at + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, at + 8)
            header = 16
        elif size == 0:
            size = len(data) - at
        if size < header or at + size > len(data):
            raise ValueError("an AVIF box runs past its parent")
        found.setdefault(kind, data[at + header:at + size])
        at += size
    return found


def _record_in_meta(f: BinaryIO, meta: bytes) -> dict[str, Any] | None:
    boxes = _children(meta, 4)  # meta is a full box: version and flags first
    if b"iinf" not in boxes or b"iloc" not in boxes:
        return None
    for item in _xmp_items(boxes[b"iinf"]):
        extents = _locations(boxes[b"iloc"]).get(item)
        if extents is None:
            continue
        packet = _item_data(f, boxes.get(b"idat", b""), *extents)
        if packet is not None and (found := record_from_xmp(packet)) is not None:
            return found
    return None


def _xmp_items(iinf: bytes) -> list[int]:
    version = iinf[0]
    infes = _all_children(iinf, 6 if version == 0 else 8)
    items = []
    for infe in infes:
        if infe[0] < 2:
            continue  # version 0 and 1 item entries carry no item type
        width = 2 if infe[0] == 2 else 4
        item = int.from_bytes(infe[4:4 + width], "big")
        at = 4 + width + 2
        kind, rest = infe[at:at + 4], infe[at + 4:]
        strings = rest.split(b"\x00")
        if kind == b"mime" and len(strings) > 1 and strings[1] == XMP_MIME and \
                (len(strings) < 3 or strings[2] in (b"", b"identity")):
            items.append(item)
    return items


def _all_children(data: bytes, start: int) -> list[bytes]:
    found = []
    at = start
    while at + 8 <= len(data):
        size, _ = struct.unpack_from(">I4s", data, at)
        if size < 8 or at + size > len(data):
            raise ValueError("an AVIF item entry runs past its list")
        found.append(data[at + 8:at + size])
        at += size
    return found


Extents = tuple[int, int, list[tuple[int, int]]]  # construction method, base, (offset, length)


def _locations(iloc: bytes) -> dict[int, Extents]:
    version = iloc[0]
    offset_size, length_size, base_size = iloc[4] >> 4, iloc[4] & 15, iloc[5] >> 4
    index_size = iloc[5] & 15 if version in (1, 2) else 0
    at = 6
    count, at = _uint(iloc, at, 2 if version < 2 else 4)
    found: dict[int, Extents] = {}
    for _ in range(count):
        item, at = _uint(iloc, at, 2 if version < 2 else 4)
        method = 0
        if version in (1, 2):
            method, at = _uint(iloc, at, 2)
            method &= 15
        at += 2  # data reference index: 0, this file
        base, at = _uint(iloc, at, base_size)
        extent_count, at = _uint(iloc, at, 2)
        extents = []
        for _ in range(extent_count):
            at += index_size
            offset, at = _uint(iloc, at, offset_size)
            length, at = _uint(iloc, at, length_size)
            extents.append((offset, length))
        found.setdefault(item, (method, base, extents))
    return found


def _uint(data: bytes, at: int, width: int) -> tuple[int, int]:
    if at + width > len(data):
        raise ValueError("the AVIF item locations end early")
    return int.from_bytes(data[at:at + width], "big"), at + width


def _item_data(f: BinaryIO, idat: bytes, method: int, base: int,
               extents: list[tuple[int, int]]) -> bytes | None:
    """The item's bytes: from the file (method 0) or the idat box (method 1), within bounds."""
    if method not in (0, 1) or sum(length for _, length in extents) > MAX_READ_RECORD or \
            any(length == 0 for _, length in extents):
        return None  # 0 means "to the end of the file": never ours
    pieces = []
    for offset, length in extents:
        start = base + offset
        if method == 1:
            if start + length > len(idat):
                return None
            pieces.append(idat[start:start + length])
        else:
            f.seek(start)
            pieces.append(read_exact(f, length))
    return b"".join(pieces)
