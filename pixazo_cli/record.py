"""Generation records embedded in saved images, written and read at the byte level.

Every image the tool saves carries the request that made it, so `pixazo inspect` can show it and
`pixazo replay` can send it again. The record goes where other tools already look:

- PNG: two `iTXt` chunks before `IEND`: `parameters` (the Automatic1111 text) and `pixazo`
  (the record as compact JSON).
- JPEG: after SOI (and the JFIF APP0, which must come first): an APP1 Exif segment whose
  UserComment holds the parameters text, then an APP1 XMP segment with the record.
- WEBP: a VP8X header (added when the file is a simple one) flagging EXIF and XMP, and `EXIF` and
  `XMP ` chunks at the end of the RIFF container.

Only the standard library is used, and images are never decoded: JPEG and WEBP are lossy, so
re-encoding would change the picture. Everything is streamed in bounded pieces; the only things
held whole are metadata pieces that the formats themselves cap (JPEG segments, chunk headers).
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree
from xml.sax.saxutils import escape

PIECE = 64 * 1024  # copy size: memory stays flat whatever the image size

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_PARAMETERS = b"parameters"
PNG_RECORD = b"pixazo"
PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")

XMP_NS = "https://pixazo.ai/ns/1.0/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"
XMP_EXTENSION_ID = b"http://ns.adobe.com/xmp/extension/\x00"
EXIF_ID = b"Exif\x00\x00"
JPEG_SOI = b"\xff\xd8"
JPEG_MAX_PAYLOAD = 65533  # a segment's 16-bit length also counts its own two bytes
JPEG_APP0, JPEG_APP1, JPEG_SOS, JPEG_EOI = 0xE0, 0xE1, 0xDA, 0xD9
JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn carry no length

WEBP_ALPHA, WEBP_EXIF, WEBP_XMP = 0x10, 0x08, 0x04  # VP8X flag bits
MAX_READ_RECORD = 16 * 1024 * 1024  # `read` ignores larger metadata rather than loading it

# Characters XML 1.0 cannot carry at all, not even as character references.
_XML_FORBIDDEN = re.compile("[\ud800-\udfff\ufffe\uffff]")
_QUOTE = {'"': "&quot;"}  # attribute values are double-quoted; escape() leaves quotes alone
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# ---------------------------------------------------------------- public interface


def embed(src: BinaryIO, dst: BinaryIO, record: dict[str, Any], fmt: str) -> None:
    """Copy the image from src to dst with the record inserted; fmt is 'png', 'jpg' or 'webp'.

    Streams in 64 KiB pieces (memory does not grow with the file) and copies the image data
    byte for byte. Raises ValueError, before anything is written, for a record that cannot be
    stored (not JSON-able, too big for a JPEG segment) or a src whose signature is not fmt's.
    A src that turns out damaged later also raises ValueError, with dst partly written.
    """
    embedder = _EMBEDDERS.get(fmt.lower().lstrip("."))
    if embedder is None:
        raise ValueError(f"cannot embed a record in a {fmt!r} file (png, jpg or webp only)")
    embedder(src, dst, record)


def read(path: Path) -> dict[str, Any] | None:
    """The embedded record, or None when the file has none (or is not an image we know)."""
    with open(path, "rb") as f:
        reader = _reader_for(f.read(12))
        if reader is None:
            return None
        try:
            return reader(f)
        except (ValueError, struct.error):  # a damaged file has no record we can trust
            return None


def parameters_text(record: dict[str, Any]) -> str:
    """The human-readable 'parameters' text (the Automatic1111 convention many tools read)."""
    body = _normalized_body(record)
    lines = [_clean(_as_text(body.get("prompt")))]
    negative = _clean(_as_text(body.get("negativeprompt")))
    if negative:
        lines.append(f"Negative prompt: {negative}")
    settings = ", ".join(f"{label}: {_quote(value)}" for label, value in _settings(record, body))
    if settings:
        lines.append(settings)
    return "\n".join(lines)


# ---------------------------------------------------------------- parameters text

# Body field names differ by model (num_steps, num_inference_steps, guidance_scale, cfg ...);
# they are compared with case, '_' and '-' removed so camelCase spellings match too.
_SETTINGS: tuple[tuple[str, frozenset[str]], ...] = (
    ("Steps", frozenset({"steps", "numsteps", "numinferencesteps", "inferencesteps"})),
    # One label for every guidance spelling: "CFG scale" is the key A1111 readers look for.
    ("CFG scale", frozenset({"cfg", "cfgscale", "guidance", "guidancescale"})),
    ("Seed", frozenset({"seed"})),
)


def _norm(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


def _normalized_body(record: dict[str, Any]) -> dict[str, Any]:
    body = record.get("body")
    return {_norm(str(k)): v for k, v in body.items()} if isinstance(body, dict) else {}


def _settings(record: dict[str, Any], body: dict[str, Any]) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    for label, names in _SETTINGS:
        value = next((body[n] for n in body if n in names and body[n] is not None), None)
        if value is not None:
            pairs.append((label, value))
    if body.get("width") is not None and body.get("height") is not None:
        pairs.append(("Size", f"{_as_text(body['width'])}x{_as_text(body['height'])}"))
    elif body.get("aspectratio") is not None:
        pairs.append(("Aspect ratio", body["aspectratio"]))
    for label, key in (("Model", "model"), ("Request id", "request_id")):
        if record.get(key) is not None:
            pairs.append((label, record[key]))
    return pairs


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # A1111 writes "CFG scale: 7", not 7.0
    return str(value)


def _quote(value: Any) -> str:
    """A1111 quotes a value as JSON when it would break the comma-separated line."""
    text = _clean(_as_text(value))
    return json.dumps(text, ensure_ascii=False) if any(c in text for c in ',"\n') else text


def _clean(text: str) -> str:
    """Text any reader can take: LF line ends, no control characters, valid UTF-8 and XML."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_FORBIDDEN.sub("\ufffd", _CONTROLS.sub("", text))


# ---------------------------------------------------------------- shared pieces


def _record_json(record: dict[str, Any]) -> str:
    """Compact JSON that is also valid XML text; lossless, unlike the parameters text."""
    try:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except TypeError as err:
        raise ValueError(f"the generation record is not JSON-able: {err}") from err
    # Such characters can only sit inside JSON strings, where a \u escape means the same.
    return _XML_FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _parse_record(text: str | bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _xmp_packet(record_json: str, description: str | None) -> bytes:
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


def _record_from_xmp(packet: bytes) -> dict[str, Any] | None:
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
            return _parse_record(text)
    return None


def _exif_tiff(text: str) -> bytes:
    """A big-endian TIFF block: IFD0 -> Exif IFD -> UserComment = text, as A1111 writes it.

    UserComment's UNICODE charset is UTF-16; big-endian byte order makes it UTF-16BE under
    both readings readers use (the TIFF byte order, or piexif's fixed UTF-16BE).
    """
    comment = b"UNICODE\x00" + text.encode("utf-16-be")
    ifd0 = struct.pack(">HHHIII", 1, 0x8769, 4, 1, 26, 0)  # ExifIFD pointer -> offset 26
    exif_ifd = struct.pack(">HHHIII", 1, 0x9286, 7, len(comment), 44, 0)  # data at 44
    return b"MM\x00\x2a" + struct.pack(">I", 8) + ifd0 + exif_ifd + comment


# ---------------------------------------------------------------- stream helpers


def _read_exact(src: BinaryIO, n: int) -> bytes:
    data = b""
    while len(data) < n:
        piece = src.read(n - len(data))
        if not piece:
            raise ValueError("the image ends early (truncated or not the named format)")
        data += piece
    return data


def _copy(src: BinaryIO, dst: BinaryIO | None, n: int) -> None:
    """Copy exactly n bytes in bounded pieces (dst None: skip them; src may not seek)."""
    while n > 0:
        piece = src.read(min(n, PIECE))
        if not piece:
            raise ValueError("the image ends early (truncated or not the named format)")
        if dst is not None:
            dst.write(piece)
        n -= len(piece)


def _copy_rest(src: BinaryIO, dst: BinaryIO) -> None:
    while piece := src.read(PIECE):
        dst.write(piece)


# ---------------------------------------------------------------- PNG


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _itxt(keyword: bytes, text: str) -> bytes:
    # keyword NUL, compression flag 0, method 0, empty language NUL, empty translation NUL
    return _png_chunk(b"iTXt", keyword + b"\x00\x00\x00\x00\x00" + text.encode("utf-8"))


def _embed_png(src: BinaryIO, dst: BinaryIO, record: dict[str, Any]) -> None:
    extra = _itxt(PNG_PARAMETERS, parameters_text(record)) + _itxt(PNG_RECORD, _record_json(record))
    if _read_exact(src, 8) != PNG_SIGNATURE:
        raise ValueError("the image is not a PNG")
    dst.write(PNG_SIGNATURE)
    while True:
        head = _read_exact(src, 8)
        length, kind = struct.unpack(">I4s", head)
        if kind == b"IEND":
            dst.write(extra + head)
            _copy_rest(src, dst)  # IEND's CRC, and whatever a sloppy encoder left after it
            return
        _copy_png_chunk(src, dst, head, length, kind)


def _copy_png_chunk(src: BinaryIO, dst: BinaryIO, head: bytes, length: int, kind: bytes) -> None:
    """Copy one chunk (data + CRC), dropping an older record: two would leave readers guessing."""
    prefix = b""
    if kind in PNG_TEXT_CHUNKS:
        prefix = _read_exact(src, min(length, 80))  # keywords are at most 79 bytes + NUL
        keyword, nul, _ = prefix.partition(b"\x00")
        if nul and keyword in (PNG_PARAMETERS, PNG_RECORD):
            _copy(src, None, length - len(prefix) + 4)
            return
    dst.write(head + prefix)
    _copy(src, dst, length - len(prefix) + 4)


def _read_png(f: BinaryIO) -> dict[str, Any] | None:
    f.seek(len(PNG_SIGNATURE))
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
    if keyword != PNG_RECORD or len(rest) < 2:
        return None
    compressed = rest[0] == 1
    parts = rest[2:].split(b"\x00", 2)  # language, translated keyword, text
    if len(parts) < 3:
        return None
    try:
        text = zlib.decompress(parts[2]) if compressed else parts[2]
    except zlib.error:
        return None
    return _parse_record(text)


# ---------------------------------------------------------------- JPEG


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def _jpeg_metadata(record: dict[str, Any]) -> tuple[bytes, bytes]:
    """The Exif and XMP segments; Exif is left out (b"") when it cannot fit one segment."""
    params = parameters_text(record)
    record_json = _record_json(record)
    xmp = XMP_ID + _xmp_packet(record_json, params)
    if len(xmp) > JPEG_MAX_PAYLOAD:  # the description only repeats the record: drop it first
        xmp = XMP_ID + _xmp_packet(record_json, None)
    if len(xmp) > JPEG_MAX_PAYLOAD:
        raise ValueError(
            f"the generation record needs {len(xmp)} bytes of XMP, more than the "
            f"{JPEG_MAX_PAYLOAD} a JPEG segment holds"
        )
    exif = EXIF_ID + _exif_tiff(params)
    exif_segment = _jpeg_segment(JPEG_APP1, exif) if len(exif) <= JPEG_MAX_PAYLOAD else b""
    return exif_segment, _jpeg_segment(JPEG_APP1, xmp)


def _jpeg_marker(src: BinaryIO) -> int:
    if _read_exact(src, 1) != b"\xff":
        raise ValueError("the JPEG has no segment marker where one belongs")
    marker = 0xFF
    while marker == 0xFF:  # any number of 0xFF fill bytes may precede a marker
        marker = _read_exact(src, 1)[0]
    if marker == 0:
        raise ValueError("the JPEG has no segment marker where one belongs")
    return marker


def _jpeg_payload(src: BinaryIO) -> bytes:
    (length,) = struct.unpack(">H", _read_exact(src, 2))
    if length < 2:
        raise ValueError("the JPEG has a segment with an impossible length")
    return _read_exact(src, length - 2)  # at most 65533 bytes: bounded


def _embed_jpeg(src: BinaryIO, dst: BinaryIO, record: dict[str, Any]) -> None:
    exif, xmp = _jpeg_metadata(record)
    if _read_exact(src, 2) != JPEG_SOI:
        raise ValueError("the image is not a JPEG")
    dst.write(JPEG_SOI)
    pending = True  # ours go after SOI and the JFIF APP0, which both specs want first
    while True:
        marker = _jpeg_marker(src)
        if marker in (JPEG_SOS, JPEG_EOI):  # from here on it is image data: copied as is
            dst.write((exif + xmp if pending else b"") + bytes((0xFF, marker)))
            _copy_rest(src, dst)
            return
        if marker in JPEG_STANDALONE:
            dst.write(bytes((0xFF, marker)))
            continue
        payload = _jpeg_payload(src)
        if pending and marker != JPEG_APP0:
            pending = False
            # Exif must lead; an image that has its own keeps it (readers merge two badly).
            if marker == JPEG_APP1 and payload.startswith(EXIF_ID):
                dst.write(_jpeg_segment(marker, payload) + xmp)
                continue
            dst.write(exif + xmp)
        # Only one XMP packet may exist: ours replaces the image's (and its extension parts).
        if not (marker == JPEG_APP1 and payload.startswith((XMP_ID, XMP_EXTENSION_ID))):
            dst.write(_jpeg_segment(marker, payload))


def _read_jpeg(f: BinaryIO) -> dict[str, Any] | None:
    f.seek(len(JPEG_SOI))
    while True:
        marker = _jpeg_marker(f)
        if marker in (JPEG_SOS, JPEG_EOI):  # metadata only ever precedes the first scan
            return None
        if marker in JPEG_STANDALONE:
            continue
        payload = _jpeg_payload(f)
        if marker == JPEG_APP1 and payload.startswith(XMP_ID):
            found = _record_from_xmp(payload[len(XMP_ID) :])
            if found is not None:
                return found


# ---------------------------------------------------------------- WEBP


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


def _webp_lead(src: BinaryIO, exif: bytes) -> tuple[bytes, int, int, bool]:
    """What replaces the first chunk's start: (bytes, first chunk's bytes left, growth, EXIF?).

    A simple file gets a VP8X chunk (the only way to announce XMP); a VP8X file gets its
    flags set. An image's own EXIF is kept, so ours is added only where there is none.
    """
    head = _read_exact(src, 8)
    kind, size = struct.unpack("<4sI", head)
    total = size + (size & 1)
    if kind == b"VP8X":
        if size != 10:
            raise ValueError("the WEBP has a damaged VP8X header")
        payload = bytearray(_read_exact(src, 10))
        add_exif = bool(exif) and not payload[0] & WEBP_EXIF
        payload[0] |= WEBP_XMP | (WEBP_EXIF if add_exif else 0)
        return head + payload, 0, 0, add_exif
    if kind not in (b"VP8 ", b"VP8L") or size < 10:
        raise ValueError("the image is not a WEBP this tool knows")
    probe = _read_exact(src, 10)
    width, height, alpha = _bitstream_canvas(kind, probe)
    flags = WEBP_XMP | (WEBP_EXIF if exif else 0) | (WEBP_ALPHA if alpha else 0)
    vp8x = _vp8x(flags, width, height)
    return vp8x + head + probe, total - len(probe), len(vp8x), bool(exif)


def _embed_webp(src: BinaryIO, dst: BinaryIO, record: dict[str, Any]) -> None:
    params = parameters_text(record)
    xmp = _riff_chunk(b"XMP ", _xmp_packet(_record_json(record), params))
    exif = _riff_chunk(b"EXIF", _exif_tiff(params))
    riff = _read_exact(src, 12)
    if riff[:4] != b"RIFF" or riff[8:] != b"WEBP":
        raise ValueError("the image is not a WEBP")
    (riff_size,) = struct.unpack("<I", riff[4:8])
    start = dst.tell() if dst.seekable() else None
    lead, first_left, growth, add_exif = _webp_lead(src, exif)
    tail = (exif if add_exif else b"") + xmp
    dst.write(b"RIFF" + struct.pack("<I", riff_size + growth + len(tail)) + b"WEBP" + lead)
    _copy(src, dst, first_left)
    body_left = riff_size - 4 - (len(lead) - growth + first_left)
    dropped = _copy_webp_chunks(src, dst, body_left)
    dst.write(tail)
    _copy_rest(src, dst)  # bytes after the RIFF end are not ours to judge
    if dropped:
        _patch_riff_size(dst, start, riff_size + growth + len(tail) - dropped)


def _copy_webp_chunks(src: BinaryIO, dst: BinaryIO, left: int) -> int:
    """Copy the chunks after the first; drop XMP chunks (ours replaces them), return bytes gone."""
    dropped = 0
    while left >= 8:
        head = _read_exact(src, 8)
        kind, size = struct.unpack("<4sI", head)
        total = 8 + size + (size & 1)
        if kind == b"XMP ":
            _copy(src, None, total - 8)
            dropped += total
        else:
            dst.write(head)
            _copy(src, dst, total - 8)
        left -= total
    _copy(src, dst, max(left, 0))  # a few stray bytes inside the RIFF stay where they were
    return dropped


def _patch_riff_size(dst: BinaryIO, start: int | None, riff_size: int) -> None:
    if start is None:
        raise ValueError("the WEBP already had XMP; replacing it needs a seekable output")
    end = dst.tell()
    dst.seek(start + 4)
    dst.write(struct.pack("<I", riff_size))
    dst.seek(end)


def _read_webp(f: BinaryIO) -> dict[str, Any] | None:
    f.seek(12)
    while len(head := f.read(8)) == 8:
        kind, size = struct.unpack("<4sI", head)
        if kind == b"XMP " and size <= MAX_READ_RECORD:
            found = _record_from_xmp(f.read(size))
            if found is not None:
                return found
            f.seek(size & 1, 1)
        else:
            f.seek(size + (size & 1), 1)
    return None


# ---------------------------------------------------------------- dispatch

_EMBEDDERS: dict[str, Callable[[BinaryIO, BinaryIO, dict[str, Any]], None]] = {
    "png": _embed_png,
    "jpg": _embed_jpeg,
    "jpeg": _embed_jpeg,  # the sd models accept both spellings
    "webp": _embed_webp,
}


def _reader_for(head: bytes) -> Callable[[BinaryIO], dict[str, Any] | None] | None:
    if head.startswith(PNG_SIGNATURE):
        return _read_png
    if head.startswith(JPEG_SOI + b"\xff"):
        return _read_jpeg
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _read_webp
    return None
