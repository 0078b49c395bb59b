"""Generation records inside saved images: round trips, Pillow's view of the result, streaming.

Images are made in memory with Pillow; `record.py` itself never uses it.
"""

from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from PIL import Image

from pixazo_cli import record
from pixazo_cli.record import embed, parameters_text, read

TRICKY = 'Ünïcode 日本語 🎨 "quoted" \'single\' <tag> & amp;\nsecond line\r\nthird\ttab'
LONG = (TRICKY + " ") + "a calm lake at dawn, " * 1600  # 32 KB and more of prompt
PROMPTS = {"plain": "a sparrow on a cherry branch", "tricky": TRICKY, "32kb": LONG[:32 * 1024]}


@dataclass(frozen=True)
class Case:
    fmt: str  # what embed() is told
    pil_format: str
    mode: str
    options: dict[str, Any] = field(default_factory=dict)


CASES = {
    "png": Case("png", "PNG", "RGB"),
    "png-rgba": Case("png", "PNG", "RGBA"),
    "jpg": Case("jpg", "JPEG", "RGB"),
    "webp-lossy": Case("webp", "WEBP", "RGB"),  # simple file: VP8
    "webp-lossless": Case("webp", "WEBP", "RGB", {"lossless": True}),  # simple file: VP8L
    "webp-lossless-alpha": Case("webp", "WEBP", "RGBA", {"lossless": True}),  # VP8L, alpha bit
    "webp-alpha": Case("webp", "WEBP", "RGBA"),  # already VP8X (+ ALPH)
}


def picture(mode: str, size: tuple[int, int]) -> Image.Image:
    """Pixels that differ everywhere (and alpha that varies), cheap to make at any size."""
    g = Image.linear_gradient("L").resize(size)
    r = Image.radial_gradient("L").resize(size)
    bands = (g, r, g.transpose(Image.Transpose.FLIP_LEFT_RIGHT), r.point(lambda v: 255 - v))
    return Image.merge(mode, bands[: len(mode)])


def encode(case: Case, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    picture(case.mode, size).save(out, case.pil_format, **case.options)
    return out.getvalue()


def make_record(prompt: str = "a sparrow on a cherry branch", **body: Any) -> dict[str, Any]:
    return {
        "tool": "pixazo-cli/0.1.0",
        "model": "sdxl",
        "endpoint": "/getImage/v1/getSDXLImage",
        "body": {"prompt": prompt, "negative_prompt": "blurry", "seed": 4, **body},
        "request_id": None,
        "created": "2026-11-23T01:02:03Z",
    }


def embedded(data: bytes, fmt: str, rec: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    embed(io.BytesIO(data), out, rec, fmt)
    return out.getvalue()


def save(tmp_path: Path, data: bytes, name: str = "image") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def same_picture(before: bytes, after: bytes) -> None:
    old, new = Image.open(io.BytesIO(before)), Image.open(io.BytesIO(after))
    assert (new.format, new.mode, new.size) == (old.format, old.mode, old.size)
    assert new.tobytes() == old.tobytes()


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, checking each CRC on the way."""
    chunks, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks.append((kind, body))
        pos += 12 + length
    return chunks


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of the segments before the first scan."""
    segments, pos = [], 2
    while data[pos + 1] != 0xDA:
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segments.append((data[pos + 1], data[pos + 4 : pos + 2 + length]))
        pos += 2 + length
    return segments


def xmp_record(packet: bytes) -> dict[str, Any]:
    root = ElementTree.fromstring(packet)
    description = next(root.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"))
    return json.loads(description.attrib["{https://pixazo.ai/ns/1.0/}record"])


def user_comment(image: Image.Image) -> str:
    raw = image.getexif().get_ifd(0x8769)[0x9286]
    assert raw[:8] == b"UNICODE\x00"
    return raw[8:].decode("utf-16-be")


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("prompt", PROMPTS.values(), ids=PROMPTS.keys())
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_round_trip_keeps_record_and_pixels(tmp_path: Path, case: Case, prompt: str) -> None:
    original = encode(case)
    rec = make_record(prompt)
    result = embedded(original, case.fmt, rec)
    assert read(save(tmp_path, result)) == rec
    same_picture(original, result)


@pytest.mark.parametrize("name", ["png", "jpg", "webp-lossy"])
def test_large_image_round_trip(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    original = encode(case, (2000, 2000))
    rec = make_record(TRICKY)
    result = embedded(original, case.fmt, rec)
    assert read(save(tmp_path, result)) == rec
    same_picture(original, result)


def test_embed_reads_a_source_that_returns_short_pieces(tmp_path: Path) -> None:
    class Trickle(io.RawIOBase):
        """A pipe-like source: never seeks, never gives more than 7 bytes at a time."""

        def __init__(self, data: bytes) -> None:
            self.data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            piece = self.data.read(min(len(buffer), 7))
            buffer[: len(piece)] = piece
            return len(piece)

    for case in (CASES["png"], CASES["jpg"], CASES["webp-alpha"]):
        original, rec = encode(case), make_record()
        out = io.BytesIO()
        embed(Trickle(original), out, rec, case.fmt)
        assert out.getvalue() == embedded(original, case.fmt, rec)


# ---------------------------------------------------------------- what other tools see


def test_png_text_goes_before_the_image_data_where_pillow_reads_it_unloaded(
        tmp_path: Path) -> None:
    original, rec = encode(CASES["png"]), make_record(TRICKY)
    result = embedded(original, "png", rec)
    # Byte for byte the original, with two chunks slipped in before the first IDAT.
    idat = original.index(b"IDAT") - 4
    extra = result[idat : idat + len(result) - len(original)]
    assert result == original[:idat] + extra + original[idat:]
    kinds = [kind for kind, _ in png_chunks(result)]
    assert kinds[1:4] == [b"iTXt", b"iTXt", b"IDAT"]  # TRICKY is not Latin-1: iTXt
    with Image.open(save(tmp_path, result, "a.png")) as image:  # info: read without load()
        assert image.info["parameters"] == parameters_text(rec, image.size)
        assert json.loads(image.info["pixazo"]) == rec


def test_png_parameters_in_latin1_are_a_text_chunk() -> None:
    result = embedded(encode(CASES["png"]), "png", make_record("café crème, à la carte"))
    chunks = png_chunks(result)
    assert [kind for kind, _ in chunks][1:3] == [b"tEXt", b"iTXt"]
    assert chunks[1][1].startswith(b"parameters\x00caf\xe9 cr\xe8me, \xe0 la carte\n")


def test_png_written_before_this_layout_is_still_read(tmp_path: Path) -> None:
    """Earlier versions put both records in iTXt chunks after the image data, before IEND."""
    original, rec = encode(CASES["png"]), make_record(TRICKY)
    itxt = b"pixazo\x00\x00\x00\x00\x00" + record._record_json(rec).encode()
    chunk = struct.pack(">I", len(itxt)) + b"iTXt" + itxt + struct.pack(
        ">I", zlib.crc32(b"iTXt" + itxt))
    old_layout = original[:-12] + chunk + original[-12:]
    assert read(save(tmp_path, old_layout, "old.png")) == rec
    again = embedded(old_layout, "png", make_record("new"))  # the old record is replaced
    assert read(save(tmp_path, again, "again.png")) == make_record("new")
    assert again.count(b"pixazo\x00") == 1


def test_jpeg_layout_and_pillow_metadata() -> None:
    original, rec = encode(CASES["jpg"]), make_record(TRICKY)
    result = embedded(original, "jpg", rec)
    app0_end = 4 + struct.unpack(">H", original[4:6])[0]
    assert result.startswith(original[:app0_end]) and result.endswith(original[app0_end:])
    segments = jpeg_segments(result)
    assert [m for m, _ in segments[:3]] == [0xE0, 0xE1, 0xE1]  # JFIF, Exif, XMP
    image = Image.open(io.BytesIO(result))
    assert xmp_record(image.info["xmp"]) == rec
    assert user_comment(image) == parameters_text(rec, image.size)
    description = ElementTree.fromstring(image.info["xmp"]).find(".//{*}description//{*}li")
    assert description is not None and description.text == parameters_text(rec, image.size)


def test_jpeg_too_long_for_exif_keeps_record_in_xmp(tmp_path: Path) -> None:
    rec = make_record(PROMPTS["32kb"])
    result = embedded(encode(CASES["jpg"]), "jpg", rec)
    image = Image.open(io.BytesIO(result))
    assert "exif" not in image.info  # UTF-16 parameters would pass the 64 KB segment limit
    assert b"dc:description" not in image.info["xmp"]  # dropped first: it repeats the record
    assert read(save(tmp_path, result)) == rec


def test_jpeg_record_beyond_a_segment_is_refused_before_writing() -> None:
    out = io.BytesIO()
    with pytest.raises(ValueError, match="JPEG segment"):
        embed(io.BytesIO(encode(CASES["jpg"])), out, make_record("x" * 70_000), "jpg")
    assert out.getvalue() == b""


def test_jpeg_keeps_its_own_exif() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: a camera's EXIF must survive
    source = io.BytesIO()
    picture("RGB", (32, 32)).save(source, "JPEG", exif=exif)
    result = embedded(source.getvalue(), "jpg", make_record())
    markers = [(m, p[:6]) for m, p in jpeg_segments(result)]
    assert markers.count((0xE1, b"Exif\x00\x00")) == 1
    image = Image.open(io.BytesIO(result))
    assert image.getexif()[0x0112] == 6
    assert xmp_record(image.info["xmp"]) == make_record()


@pytest.mark.parametrize("name", [n for n in CASES if n.startswith("webp")])
def test_webp_layout_and_pillow_metadata(name: str) -> None:
    original, rec = encode(CASES[name]), make_record(TRICKY)
    result = embedded(original, "webp", rec)
    assert result[:4] == b"RIFF" and struct.unpack("<I", result[4:8])[0] == len(result) - 8
    assert result[12:16] == b"VP8X" and result[20] & 0x0C == 0x0C  # XMP and EXIF flags
    # libwebp decodes alpha whatever the flag says, but the spec (and other readers) want it.
    assert bool(result[20] & 0x10) == (CASES[name].mode == "RGBA")
    was_simple = original[12:16] != b"VP8X"
    kept = original[12:] if was_simple else original[30:]
    assert result[30 : 30 + len(kept)] == kept  # the image chunks, byte for byte
    image = Image.open(io.BytesIO(result))
    width, height = (int.from_bytes(result[i : i + 3], "little") + 1 for i in (24, 27))
    assert (width, height) == image.size
    assert xmp_record(image.info["xmp"]) == rec
    assert user_comment(image) == parameters_text(rec, image.size)


# ---------------------------------------------------------------- replacing, refusing, None


@pytest.mark.parametrize("name", ["png", "jpg", "webp-lossy", "webp-alpha"])
def test_embedding_again_replaces_the_record(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    first = embedded(encode(case), case.fmt, make_record("first"))
    second = embedded(first, case.fmt, make_record("second"))
    assert read(save(tmp_path, second)) == make_record("second")
    assert second.count(b'"prompt') + second.count(b"&quot;prompt") == 1
    same_picture(first, second)
    if case.fmt == "webp":
        assert struct.unpack("<I", second[4:8])[0] == len(second) - 8


def test_webp_xmp_replacement_needs_a_seekable_output() -> None:
    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

    first = embedded(encode(CASES["webp-alpha"]), "webp", make_record("first"))
    out = Pipe()
    with pytest.raises(ValueError, match="seekable"):
        embed(io.BytesIO(first), out, make_record("second"), "webp")


@pytest.mark.parametrize(
    ("data", "fmt"),
    [(b"GIF89a" + b"\x00" * 40, "png"), (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "jpg")],
)
def test_embed_refuses_data_that_is_not_the_named_format(data: bytes, fmt: str) -> None:
    out = io.BytesIO()
    with pytest.raises(ValueError, match="not a"):
        embed(io.BytesIO(data), out, make_record(), fmt)
    assert out.getvalue() == b""


def test_embed_refuses_unknown_formats_and_non_json_records() -> None:
    with pytest.raises(ValueError, match="gif"):
        embed(io.BytesIO(), io.BytesIO(), make_record(), "gif")
    with pytest.raises(ValueError, match="JSON"):
        embed(io.BytesIO(encode(CASES["png"])), io.BytesIO(), {"x": object()}, "png")
    with pytest.raises(ValueError):
        embed(io.BytesIO(encode(CASES["png"])), io.BytesIO(), {"x": float("nan")}, "png")


def test_jpeg_spelling_is_accepted(tmp_path: Path) -> None:
    result = embedded(encode(CASES["jpg"]), "JPEG", make_record())
    assert read(save(tmp_path, result)) == make_record()


@pytest.mark.parametrize("name", CASES.keys())
def test_read_is_none_without_a_record(tmp_path: Path, name: str) -> None:
    assert read(save(tmp_path, encode(CASES[name]))) is None


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, world\n", b"RIFF\x04\x00\x00\x00WAVE", b"\xff\xd8\xff\xe1\x00"],
    ids=["empty", "text", "wave", "cut-jpeg"],
)
def test_read_is_none_for_files_that_are_not_our_images(tmp_path: Path, data: bytes) -> None:
    assert read(save(tmp_path, data)) is None


def test_read_is_none_for_a_truncated_or_tampered_record(tmp_path: Path) -> None:
    result = embedded(encode(CASES["png"]), "png", make_record())
    inside_record = result.index(b"pixazo\x00") + 20
    assert read(save(tmp_path, result[:inside_record], "cut.png")) is None
    tampered = result.replace(b'"model":"sdxl"', b'"model":"sdxl"}}')
    assert read(save(tmp_path, tampered, "bad.png")) is None  # its CRC no longer matches


# ---------------------------------------------------------------- streaming


def write_huge_png(path: Path, junk_bytes: int) -> None:
    """A valid 1x1 PNG carrying one huge private ancillary chunk, written in pieces."""
    small = encode(Case("png", "PNG", "L"), (1, 1))
    piece = b"\x00" * (1 << 20)
    with path.open("wb") as f:
        f.write(small[:-12])
        f.write(struct.pack(">I", junk_bytes) + b"juNk")
        crc = zlib.crc32(b"juNk")
        for _ in range(junk_bytes // len(piece)):
            f.write(piece)
            crc = zlib.crc32(piece, crc)
        f.write(struct.pack(">I", crc) + small[-12:])


def test_embed_streams_a_50mb_png(tmp_path: Path) -> None:
    source, target = tmp_path / "big.png", tmp_path / "out.png"
    write_huge_png(source, 50 << 20)
    rec = make_record(LONG[: 32 * 1024])
    tracemalloc.start()
    try:
        with source.open("rb") as src, target.open("wb") as dst:
            embed(src, dst, rec, "png")
        found = read(target)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == rec
    assert peak < 2 << 20, f"peak {peak} bytes"
    growth = target.stat().st_size - source.stat().st_size
    chunk_overhead = 12 + 5  # length, type, CRC; NUL and the four iTXt fields after a keyword
    texts = len(parameters_text(rec, (1, 1)).encode()) + len(record._record_json(rec).encode())
    assert growth == 2 * chunk_overhead + len(b"parameters" + b"pixazo") + texts


# ---------------------------------------------------------------- parameters text


def test_parameters_text_for_sdxl() -> None:
    rec = make_record(
        "a sparrow on a cherry branch",
        negative_prompt="blurry, low quality",
        width=1280,
        height=720,
        num_steps=20,
        guidance_scale=7,
    )
    rec["request_id"] = "req-123"
    assert parameters_text(rec, (1280, 720)) == (
        "a sparrow on a cherry branch\n"
        "Negative prompt: blurry, low quality\n"
        "Steps: 20, Sampler: gateway default, CFG scale: 7, Seed: 4, Size: 1280x720, "
        "Model: sdxl, Request id: req-123"
    )


def test_parameters_text_for_nucleus() -> None:
    rec = {
        "model": "nucleus",
        "body": {
            "prompt": "a weathered lighthouse at golden hour",
            "aspect_ratio": "16:9",
            "num_inference_steps": 30,
            "guidance_scale": 4.5,
            "num_images": 1,
        },
        "request_id": "abc-1",
    }
    assert parameters_text(rec, (1344, 768)) == (
        "a weathered lighthouse at golden hour\n"
        "Steps: 30, Sampler: gateway default, CFG scale: 4.5, Seed: gateway default, "
        'Size: 1344x768, Model: nucleus, Aspect ratio: "16:9", Request id: abc-1'
    )


def test_parameters_text_says_what_the_gateway_chose_and_never_a_number() -> None:
    rec = {"model": "sd3", "body": {"prompt": "a neon-lit city race"}}
    assert parameters_text(rec, (1024, 1024)) == (
        "a neon-lit city race\n"
        "Steps: gateway default, Sampler: gateway default, CFG scale: gateway default, "
        "Seed: gateway default, Size: 1024x1024, Model: sd3"
    )


def test_parameters_text_leaves_size_out_where_the_image_did_not_tell() -> None:
    rec = make_record("p", width=1280, height=720)  # what was asked is not what was made
    assert "Size" not in parameters_text(rec)


def test_parameters_text_reads_each_models_own_spellings_and_awkward_values() -> None:
    rec = {
        "model": "lightning",
        "body": {"prompt": "line one\r\nline\x00 two", "negativePrompt": "x", "num_steps": 4,
                 "guidance": 1, "cfg": None, "seed": 9},
        "request_id": 'id, with "comma": and colon',
    }
    assert parameters_text(rec, (8, 8)) == (
        "line one\nline two\nNegative prompt: x\n"
        "Steps: 4, Sampler: gateway default, CFG scale: 1, Seed: 9, Size: 8x8, "
        'Model: lightning, Request id: "id, with \\"comma\\": and colon"'
    )
    assert parameters_text({}) == ""


def test_parameters_text_drops_c1_controls_png_text_may_not_hold() -> None:
    rec = {"model": "sdxl", "body": {"prompt": "a\x85b\x9b31mc é", "seed": 1}}
    assert parameters_text(rec).startswith("ab31mc é\n")


def test_parameters_text_ignores_fields_the_model_does_not_have() -> None:
    # `--param steps=4` sends a field lightning does not read: it set nothing, so no 4.
    rec = {"model": "lightning", "body": {"prompt": "p", "steps": 4, "cfg": 7}}
    assert parameters_text(rec).startswith("p\nSteps: gateway default, ")
    assert "4" not in parameters_text(rec) and "7" not in parameters_text(rec)
