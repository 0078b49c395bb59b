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


def exif_tiff(text: str) -> bytes:
    """A big-endian TIFF block: IFD0 -> Exif IFD -> UserComment = text, as A1111 writes it.

    UserComment's UNICODE charset is UTF-16; big-endian byte order makes it UTF-16BE under
    both readings readers use (the TIFF byte order, or piexif's fixed UTF-16BE).
    """
    comment = b"UNICODE\x00" + text.encode("utf-16-be")
    ifd0 = struct.pack(">HHHIII", 1, 0x8769, 4, 1, 26, 0)  # ExifIFD pointer -> offset 26
    exif_ifd = struct.pack(">HHHIII", 1, 0x9286, 7, len(comment), 44, 0)  # data at 44
    return b"MM\x00\x2a" + struct.pack(">I", 8) + ifd0 + exif_ifd + comment
