"""Reading a reply's body a bounded piece at a time, however it is compressed.

httpx decodes gzip one network read at a time with no limit on the output: 64 KB of a gzip
bomb become 64 MB in one step, before any size cap can look. Here the raw bytes are
decompressed with `max_length`, so no piece is ever larger than `size`, and memory stays flat
while a caller's cap counts the pieces. Only the encodings the clients ask for are accepted.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import httpx

ACCEPT_ENCODING = "gzip, deflate"  # sent by both clients: nothing they cannot bound here
PIECE = 64 * 1024


class UndecodableBody(Exception):
    """A Content-Encoding not asked for, or compressed data that does not decode."""


def bounded_pieces(response: httpx.Response, size: int = PIECE) -> Iterator[bytes]:
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity"):
        yield from response.iter_raw(size)
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise UndecodableBody(f"content encoding {encoding[:40]!r}")
    decoder: Any = None
    try:
        for raw in response.iter_raw(size):
            if decoder is None:
                decoder = zlib.decompressobj(_wbits(encoding, raw))
            yield from _drain(decoder, raw, size)
        tail = decoder.flush() if decoder is not None else b""
    except zlib.error as exc:
        raise UndecodableBody(f"{encoding} data that does not decode ({exc})") from None
    if tail:
        yield tail


def _wbits(encoding: str, first: bytes) -> int:
    if "gzip" in encoding:
        return zlib.MAX_WBITS | 16
    # "deflate" is zlib-wrapped by the standard, raw by some servers: the header tells.
    wrapped = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
    return zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS


def _drain(decoder: Any, data: bytes, size: int) -> Iterator[bytes]:
    """All the output this input gives, `size` bytes at most at a time."""
    piece = decoder.decompress(data, size)
    while piece:
        yield piece
        if len(piece) < size and not decoder.unconsumed_tail:
            return
        piece = decoder.decompress(decoder.unconsumed_tail, size)
