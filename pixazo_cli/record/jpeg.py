"""JPEG: after SOI (and the JFIF APP0, which must come first), an APP1 Exif segment whose
UserComment holds the parameters text, then an APP1 XMP segment with the record.

The image's size, which both carry, is in the frame header (SOFn) that follows the metadata:
the segments before it are read ahead (a few KB; never more than HEAD_CAP) and then copied."""

from __future__ import annotations

import struct
from typing import Any, BinaryIO

from .parameters import parameters_text
from .payload import RecordNotStorable, record_json
from .stream import Prefixed, Tee, copy_rest, read_exact
from .xmp import exif_tiff, record_from_xmp, xmp_packet

XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"
XMP_EXTENSION_ID = b"http://ns.adobe.com/xmp/extension/\x00"
EXIF_ID = b"Exif\x00\x00"
SOI = b"\xff\xd8"
MAX_PAYLOAD = 65533  # a segment's 16-bit length also counts its own two bytes
APP0, APP1, SOS, EOI = 0xE0, 0xE1, 0xDA, 0xD9
STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn carry no length
FRAMES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # SOFn: DHT, JPG and DAC are not frames
HEAD_CAP = 1 << 20  # read ahead for the frame header; past it, the size is left out


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def _metadata(record: dict[str, Any], size: tuple[int, int] | None) -> tuple[bytes, bytes]:
    """The Exif and XMP segments; Exif is left out (b"") when it cannot fit one segment."""
    params = parameters_text(record, size)
    json_text = record_json(record)
    xmp = XMP_ID + xmp_packet(json_text, params)
    if len(xmp) > MAX_PAYLOAD:  # the description only repeats the record: drop it first
        xmp = XMP_ID + xmp_packet(json_text, None)
    if len(xmp) > MAX_PAYLOAD:
        raise RecordNotStorable(
            f"the generation record needs {len(xmp)} bytes of XMP, more than the "
            f"{MAX_PAYLOAD} a JPEG segment holds"
        )
    exif = EXIF_ID + exif_tiff(params, size)
    exif_segment = _segment(APP1, exif) if len(exif) <= MAX_PAYLOAD else b""
    return exif_segment, _segment(APP1, xmp)


def _marker(src: BinaryIO) -> int:
    if read_exact(src, 1) != b"\xff":
        raise ValueError("the JPEG has no segment marker where one belongs")
    marker = 0xFF
    while marker == 0xFF:  # any number of 0xFF fill bytes may precede a marker
        marker = read_exact(src, 1)[0]
    if marker == 0:
        raise ValueError("the JPEG has no segment marker where one belongs")
    return marker


def _payload(src: BinaryIO) -> bytes:
    (length,) = struct.unpack(">H", read_exact(src, 2))
    if length < 2:
        raise ValueError("the JPEG has a segment with an impossible length")
    return read_exact(src, length - 2)  # at most 65533 bytes: bounded


def _read_ahead(src: BinaryIO) -> tuple[bytes, tuple[int, int] | None]:
    """The bytes up to and including the frame header, and the (width, height) it gives;
    None where there is no frame header within HEAD_CAP (embed then finds what is wrong)."""
    tee = Tee(src)
    try:
        if read_exact(tee, 2) != SOI:
            return bytes(tee.seen), None
        while len(tee.seen) < HEAD_CAP:
            marker = _marker(tee)
            if marker in (SOS, EOI):
                break
            if marker in STANDALONE:
                continue
            payload = _payload(tee)
            if marker in FRAMES and len(payload) >= 5:
                height, width = struct.unpack(">HH", payload[1:5])
                # A height of 0 is given later, by a DNL segment: too late to be read here.
                return bytes(tee.seen), (width, height) if width and height else None
    except ValueError:
        pass
    return bytes(tee.seen), None


def embed(src: BinaryIO, dst: BinaryIO, record: dict[str, Any]) -> None:
    head, size = _read_ahead(src)
    exif, xmp = _metadata(record, size)
    src = Prefixed(head, src)
    if read_exact(src, 2) != SOI:
        raise ValueError("the image is not a JPEG")
    dst.write(SOI)
    pending = True  # ours go after SOI and the JFIF APP0, which both specs want first
    while True:
        marker = _marker(src)
        if marker in (SOS, EOI):  # from here on it is image data: copied as is
            dst.write((exif + xmp if pending else b"") + bytes((0xFF, marker)))
            copy_rest(src, dst)
            return
        if marker in STANDALONE:
            dst.write(bytes((0xFF, marker)))
            continue
        payload = _payload(src)
        if pending and marker != APP0:
            pending = False
            # Exif must lead; an image that has its own keeps it (readers merge two badly).
            if marker == APP1 and payload.startswith(EXIF_ID):
                dst.write(_segment(marker, payload) + xmp)
                continue
            dst.write(exif + xmp)
        # Only one XMP packet may exist: ours replaces the image's (and its extension parts).
        if not (marker == APP1 and payload.startswith((XMP_ID, XMP_EXTENSION_ID))):
            dst.write(_segment(marker, payload))


def image_size(f: BinaryIO) -> tuple[int, int] | None:
    f.seek(0)
    return _read_ahead(f)[1]


def read(f: BinaryIO) -> dict[str, Any] | None:
    f.seek(len(SOI))
    while True:
        marker = _marker(f)
        if marker in (SOS, EOI):  # metadata only ever precedes the first scan
            return None
        if marker in STANDALONE:
            continue
        payload = _payload(f)
        if marker == APP1 and payload.startswith(XMP_ID):
            found = record_from_xmp(payload[len(XMP_ID) :])
            if found is not None:
                return found
