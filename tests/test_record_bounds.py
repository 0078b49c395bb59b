"""Reading and embedding records stay bounded whatever the file claims: compressed text that
inflates to gigabytes, and JPEG metadata piled up before the frame header. (Time and peak
process memory of `pixazo inspect` on such files are in bench/scale.py.)"""

from __future__ import annotations

import io
import struct
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from pixazo_cli.record import embed, parameters_text, read
from pixazo_cli.record.jpeg import HEAD_CAP
from pixazo_cli.record.payload import MAX_READ_RECORD, record_json
from tests.conftest import run
from tests.crafted_images import png_chunk, png_text_bomb

RECORD = {"model": "sdxl", "body": {"prompt": "a fox", "seed": 3}, "request_id": None}


def traced_peak(action: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_compressed_record_is_read(tmp_path: Path) -> None:
    small = io.BytesIO()
    Image.new("L", (1, 1)).save(small, "PNG")
    plain = small.getvalue()
    text = zlib.compress(record_json(RECORD).encode())
    chunk = png_chunk(b"iTXt", b"pixazo\x00\x01\x00\x00\x00" + text)
    path = tmp_path / "compressed.png"
    path.write_bytes(plain[:-12] + chunk + plain[-12:])
    assert read(path) == RECORD


def test_a_compressed_text_bomb_has_no_record_and_costs_one_cap(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_text_bomb(1024))  # 1 MB on disk, a gigabyte inflated
    found, peak = traced_peak(lambda: read(path))
    assert found is None
    assert peak < MAX_READ_RECORD + (4 << 20), f"peak {peak} bytes"


def test_only_the_first_record_chunk_is_inflated(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bombs.png"
    path.write_bytes(png_text_bomb(20, chunks=30))  # each past the cap
    calls = []
    real = zlib.decompressobj
    monkeypatch.setattr(zlib, "decompressobj", lambda *a: calls.append(1) or real(*a))
    assert read(path) is None and len(calls) == 1


def test_inspect_says_a_bomb_carries_no_record(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_text_bomb(64))
    result = run("inspect", str(path))
    assert result.exit_code == 2 and "carries no pixazo generation record" in result.stderr


def test_jpeg_metadata_beyond_the_read_ahead_is_copied_without_a_size(tmp_path: Path) -> None:
    """A frame header hidden behind megabytes of APP15 segments: the read-ahead stops at
    HEAD_CAP, the record goes in without Size, and memory stays bounded by the cap."""
    source = io.BytesIO()
    Image.new("RGB", (16, 16), (9, 90, 200)).save(source, "JPEG")
    data = source.getvalue()
    filler = (b"\xff\xef" + struct.pack(">H", 65535) + bytes(65533)) * (HEAD_CAP // 65535 * 3)
    source_path, target = tmp_path / "crafted.jpg", tmp_path / "out.jpg"
    source_path.write_bytes(data[:2] + filler + data[2:])
    del filler

    def embed_files() -> None:
        with source_path.open("rb") as src, target.open("wb") as dst:
            embed(src, dst, RECORD, "jpg")

    _, peak = traced_peak(embed_files)
    assert peak < 3 * HEAD_CAP, f"peak {peak} bytes"
    with Image.open(target) as image:
        assert image.size == (16, 16)
        comment = image.getexif().get_ifd(0x8769)[0x9286][8:].decode("utf-16-be")
    assert comment == parameters_text(RECORD) and "Size" not in comment
