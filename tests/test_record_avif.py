"""The generation record in AVIF: written through Pillow's exif= and xmp=, read back by walking
the ISOBMFF boxes without decoding the picture; a damaged or hostile file reads as no record,
never as an error, a hang or a large read."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from pixazo_cli import record
from pixazo_cli.record import avif
from pixazo_cli.record.xmp import xmp_packet
from tests.assets_support import RECORD


def pillow_avif(with_record: bool = True) -> bytes:
    buffer = io.BytesIO()
    extra = dict(zip(("exif", "xmp"), avif.metadata(RECORD), strict=True)) if with_record \
        else {}
    Image.new("RGB", (24, 16), (200, 40, 40)).save(buffer, "AVIF", max_threads=1, **extra)
    return buffer.getvalue()


AVIF = pillow_avif()


def read_bytes(data: bytes, tmp_path: Path) -> dict | None:
    path = tmp_path / "x.avif"
    path.write_bytes(data)
    return record.read(path)


def test_the_record_pillow_wrote_reads_back(tmp_path: Path) -> None:
    assert read_bytes(AVIF, tmp_path) == RECORD
    assert read_bytes(pillow_avif(with_record=False), tmp_path) is None


def test_the_parameters_text_is_in_the_exif_user_comment() -> None:
    with Image.open(io.BytesIO(AVIF)) as opened:
        comment = opened.getexif().get_ifd(0x8769)[0x9286]
    assert comment.startswith(b"UNICODE\x00")
    assert record.parameters_text(RECORD) == comment[8:].decode("utf-16-be")


def test_reading_never_decodes_the_picture(tmp_path: Path) -> None:
    pixels = AVIF.index(b'<?xpacket end="w"?>') + 19  # the coded picture follows the XMP
    garbage = AVIF[:pixels] + b"\xff" * (len(AVIF) - pixels)
    with pytest.raises((OSError, ValueError, RuntimeError)):  # Pillow cannot decode it
        Image.open(io.BytesIO(garbage)).load()
    assert read_bytes(garbage, tmp_path) == RECORD


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def built(packet: bytes, method: int = 1, brand: bytes = b"avif",
          length: int | None = None) -> bytes:
    """A minimal AVIF whose XMP item lives in idat (iloc version 1, construction method 1)."""
    infe = box(b"infe", b"\x02\x00\x00\x00" + struct.pack(">HH", 1, 0) + b"mime" + b"XMP\x00"
               + b"application/rdf+xml\x00")
    iinf = box(b"iinf", b"\x00\x00\x00\x00" + struct.pack(">H", 1) + infe)
    extent = struct.pack(">II", 0, len(packet) if length is None else length)
    iloc = box(b"iloc", b"\x01\x00\x00\x00" + bytes((0x44, 0x00)) + struct.pack(">H", 1)
               + struct.pack(">HHHH", 1, method, 0, 1) + extent)
    meta = box(b"meta", b"\x00\x00\x00\x00" + box(b"hdlr", b"\x00" * 24) + iinf + iloc
               + box(b"idat", packet))
    return box(b"ftyp", brand + b"\x00\x00\x00\x00mif1" + brand) + meta


PACKET = xmp_packet(record.payload.record_json(RECORD), None)


def test_an_item_kept_in_the_idat_box_reads_too(tmp_path: Path) -> None:
    assert read_bytes(built(PACKET), tmp_path) == RECORD


@pytest.mark.parametrize(("data", "why"), [
    (built(PACKET, brand=b"heic"), "not an AVIF"),
    (built(PACKET, method=2), "an item built from other items"),
    (built(PACKET, length=0), "an extent to the end of the file"),
    (built(PACKET, length=len(PACKET) + 1), "an extent past its box"),
    (built(PACKET, length=2**31), "an extent past the cap"),
    (box(b"ftyp", b"avif\x00\x00\x00\x00") + struct.pack(">I4sQ", 1, b"meta", 2**40),
     "a meta box of a terabyte"),
    (box(b"ftyp", b"avif\x00\x00\x00\x00") + struct.pack(">I4s", 0, b"mdat"),
     "a box to the end of the file before any meta"),
    (box(b"ftyp", b"avif\x00\x00\x00\x00") + struct.pack(">I4s", 4, b"meta"),
     "a box smaller than its header"),
    (box(b"ftyp", b"avif\x00\x00\x00\x00") + box(b"free", b"") * 100, "boxes without end"),
])
def test_a_hostile_or_odd_file_has_no_record(tmp_path: Path, data: bytes, why: str) -> None:
    assert read_bytes(data, tmp_path) is None, why


def test_every_truncation_reads_as_no_record_or_the_record(tmp_path: Path) -> None:
    for end in range(0, len(AVIF), 7):
        assert read_bytes(AVIF[:end], tmp_path) in (None, RECORD)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(AVIF) - 1), st.integers(0, 255))
def test_a_flipped_byte_never_raises(tmp_path_factory: pytest.TempPathFactory, at: int,
                                     value: int) -> None:
    folder = tmp_path_factory.mktemp("flip")
    damaged = AVIF[:at] + bytes((value,)) + AVIF[at + 1:]
    result = read_bytes(damaged, folder)
    assert result is None or isinstance(result, dict)


@pytest.mark.parametrize("value", [1, 87])
def test_a_box_size_past_the_end_of_the_file_is_no_record(tmp_path: Path, value: int) -> None:
    """Found by the flipped-byte property: byte 3 set to 1 makes the first box claim a 64-bit
    size of exabytes, and the seek past it raised OSError (EINVAL) instead of "no record"."""
    damaged = AVIF[:3] + bytes((value,)) + AVIF[4:]
    assert read_bytes(damaged, tmp_path) is None


def test_every_single_byte_change_reads_as_no_record_or_a_record(tmp_path: Path) -> None:
    """The flipped-byte property, over every one of the first 160 bytes (the boxes' headers
    and the item list, where a change alters how the rest is walked) and the values that
    mean most there: an item list made empty raised IndexError (byte 152 set to 8)."""
    path = tmp_path / "x.avif"
    for at in range(160):
        for value in (0, 1, 7, 8, 9, 16, 87, 127, 128, 255):
            path.write_bytes(AVIF[:at] + bytes((value,)) + AVIF[at + 1:])
            found = record.read(path)
            assert found is None or isinstance(found, dict), (at, value)
