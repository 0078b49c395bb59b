"""Compressed replies are read a bounded piece at a time (pixazo_cli/http/decoding.py): the
gzip bomb's memory bound rests on no piece ever being larger than asked for."""

from __future__ import annotations

import gzip
import zlib

import httpx
import pytest

from pixazo_cli.http.decoding import UndecodableBody, bounded_pieces

TEXT = b'{"imageUrl": "https://cdn.example/a.png"}' * 50


def pieces(body: bytes, encoding: str | None, size: int = 1024) -> list[bytes]:
    headers = {"Content-Encoding": encoding} if encoding else {}
    response = httpx.Response(200, headers=headers, stream=httpx.ByteStream(body))
    return list(bounded_pieces(response, size))


@pytest.mark.parametrize("encoding, body", [
    (None, TEXT), ("identity", TEXT), ("gzip", gzip.compress(TEXT)),
    ("deflate", zlib.compress(TEXT)), ("deflate", zlib.compress(TEXT)[2:-4]),
], ids=["none", "identity", "gzip", "deflate-zlib", "deflate-raw"])
def test_every_accepted_encoding_decodes_to_the_same_bytes(
        encoding: str | None, body: bytes) -> None:
    assert b"".join(pieces(body, encoding)) == TEXT


def test_a_gzip_bomb_comes_out_in_pieces_no_larger_than_asked() -> None:
    bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=9)
    sizes = [len(piece) for piece in pieces(bomb, "gzip", size=65536)]
    assert max(sizes) <= 65536 and sum(sizes) == 20_000_000


@pytest.mark.parametrize("encoding, body", [("br", b"\x0b\x02\x80hi\x03"),
                                            ("gzip", b"not gzip at all")])
def test_an_encoding_not_asked_for_or_broken_data_is_refused(encoding: str, body: bytes) -> None:
    with pytest.raises(UndecodableBody):
        pieces(body, encoding)
