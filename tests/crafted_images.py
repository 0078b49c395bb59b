"""Hostile images: PNGs whose compressed text chunks claim far more than they hold (for the
record readers; the tests and bench/scale.py use them), and one whose header claims more pixels
than Pillow will decode."""

from __future__ import annotations

import io
import struct
import zlib


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def deflated_zeros(megabytes: int) -> bytes:
    """A valid zlib stream of `megabytes` MB of zeros, about 1 KB a megabyte. Compressing
    gigabytes takes half a minute, so one megabyte is compressed after a full flush (which
    makes its bytes the same wherever it sits) and repeated; the checksum is worked out."""
    pack, block = zlib.compressobj(9), bytes(1 << 20)
    first = pack.compress(block) + pack.flush(zlib.Z_FULL_FLUSH)  # with the 2-byte header
    again = pack.compress(block) + pack.flush(zlib.Z_FULL_FLUSH)
    end = pack.flush()[:-4]  # the empty last block; its Adler-32 is for two megabytes only
    adler = ((megabytes << 20) % 65521) << 16 | 1  # zeros: s1 stays 1, s2 adds 1 a byte
    return first + again * (megabytes - 1) + end + struct.pack(">I", adler)


def png_text_bomb(megabytes: int, chunks: int = 1, keyword: bytes = b"pixazo",
                  kind: bytes = b"iTXt") -> bytes:
    """A 1x1 PNG whose `chunks` compressed text chunks (iTXt or zTXt, before the image data)
    each decompress to `megabytes` MB of zeros."""
    flags = b"\x01\x00\x00\x00" if kind == b"iTXt" else b"\x00"  # compressed; no language
    return png_with_chunks([png_chunk(kind, keyword + b"\x00" + flags +
                                      deflated_zeros(megabytes))] * chunks)


def png_with_chunks(chunks: list[bytes]) -> bytes:
    """A 1x1 PNG with these chunks before its image data."""
    from PIL import Image

    small = io.BytesIO()
    Image.new("L", (1, 1)).save(small, "PNG")
    plain = small.getvalue()
    idat = plain.index(b"IDAT") - 4
    return plain[:idat] + b"".join(chunks) + plain[idat:]


def png_pixel_bomb() -> bytes:
    """A 1x1 PNG whose header says 20000x20000: 400 million pixels, over twice Pillow's
    MAX_IMAGE_PIXELS, so opening it raises DecompressionBombError before any decoding."""
    from PIL import Image

    small = io.BytesIO()
    Image.new("L", (1, 1)).save(small, "PNG")
    data = bytearray(small.getvalue())
    at = data.index(b"IHDR")
    data[at + 4:at + 12] = struct.pack(">II", 20000, 20000)
    data[at + 17:at + 21] = struct.pack(">I", zlib.crc32(bytes(data[at:at + 17])))
    return bytes(data)
