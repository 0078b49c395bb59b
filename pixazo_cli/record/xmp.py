"""Metadata shared by JPEG and WEBP: the XMP packet and the EXIF UserComment."""

from __future__ import annotations

import struct
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from .payload import parse_record

XMP_NS = "https://pixazo.ai/ns/1.0/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

_QUOTE = {'"': "&quot;"}  # attribute values are double-quoted; escape() leaves quotes alone


def xmp_packet(record_json: str, description: str | None) -> bytes:
    """One XMP packet: the record in pixazo:record, the parameters text in dc:description."""
    about = (
        ""
        if description is None
        else '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
        f"{escape(description)}</rdf:li></rdf:Alt></dc:description>"
    )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        f' xmlns:pixazo="{XMP_NS}" pixazo:record="{escape(record_json, _QUOTE)}">'
        f"{about}</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def record_from_xmp(packet: bytes) -> dict[str, Any] | None:
    # XMP never has a DTD; refusing one rules out entity-expansion tricks in hostile files.
    if b"<!DOCTYPE" in packet or b"<!ENTITY" in packet:
        return None
    try:
        root = ElementTree.fromstring(packet.strip(b"\x00 \t\r\n"))
    except ElementTree.ParseError:
        return None
    for description in root.iter(f"{{{RDF_NS}}}Description"):
        text = description.get(f"{{{XMP_NS}}}record")
        if text is None:  # other XMP writers may turn the attribute into an element
            text = description.findtext(f"{{{XMP_NS}}}record")
        if text is not None:
            return parse_record(text)
    return None


# TIFF field types used here, and the tags (EXIF 2.32). exiftool's -validate lists the IFD0
# resolution and YCbCr tags and the Exif IFD's version, colour and size tags as required.
_SHORT, _LONG, _RATIONAL, _UNDEFINED = 3, 4, 5, 7
_SEVENTY_TWO = struct.pack(">II", 72, 1)  # 72 dpi: EXIF's own default resolution
EXIF_IFD = 0x8769


def exif_tiff(text: str, size: tuple[int, int] | None) -> bytes:
    """A big-endian TIFF block: IFD0 -> Exif IFD -> UserComment = text, as A1111 writes it,
    with the fields EXIF requires (their spec defaults, and the image's size where known).

    UserComment's UNICODE charset is UTF-16; big-endian byte order makes it UTF-16BE under
    both readings readers use (the TIFF byte order, or piexif's fixed UTF-16BE).
    """
    comment = b"UNICODE\x00" + text.encode("utf-16-be")
    exif = [
        (0x9000, _UNDEFINED, 4, b"0232"),  # ExifVersion
        (0x9101, _UNDEFINED, 4, b"\x01\x02\x03\x00"),  # ComponentsConfiguration: Y Cb Cr
        (0x9286, _UNDEFINED, len(comment), comment),  # UserComment
        (0xA000, _UNDEFINED, 4, b"0100"),  # FlashpixVersion
        (0xA001, _SHORT, 1, struct.pack(">H", 1)),  # ColorSpace: sRGB
    ]
    if size is not None:
        exif += [(0xA002, _LONG, 1, struct.pack(">I", size[0])),  # PixelXDimension
                 (0xA003, _LONG, 1, struct.pack(">I", size[1]))]  # PixelYDimension
    ifd0 = [
        (0x011A, _RATIONAL, 1, _SEVENTY_TWO),  # XResolution
        (0x011B, _RATIONAL, 1, _SEVENTY_TWO),  # YResolution
        (0x0128, _SHORT, 1, struct.pack(">H", 2)),  # ResolutionUnit: inches
        (0x0213, _SHORT, 1, struct.pack(">H", 1)),  # YCbCrPositioning: centred
    ]
    first_length = len(_ifd([*ifd0, (EXIF_IFD, _LONG, 1, b"\x00" * 4)], 8))
    first = _ifd([*ifd0, (EXIF_IFD, _LONG, 1, struct.pack(">I", 8 + first_length))], 8)
    return b"MM\x00\x2a" + struct.pack(">I", 8) + first + _ifd(exif, 8 + first_length)


Entry = tuple[int, int, int, bytes]  # tag, type, count, value as stored


def _ifd(entries: list[Entry], at: int) -> bytes:
    """One IFD starting at offset `at`, its values of more than 4 bytes right after it
    (each at an even offset), and no next IFD."""
    table = struct.pack(">H", len(entries))
    values = b""
    data_at = at + 2 + 12 * len(entries) + 4
    for tag, kind, count, value in sorted(entries):
        if len(value) <= 4:
            table += struct.pack(">HHI", tag, kind, count) + value.ljust(4, b"\x00")
        else:
            table += struct.pack(">HHII", tag, kind, count, data_at + len(values))
            values += value + b"\x00" * (len(value) & 1)
    return table + struct.pack(">I", 0) + values
