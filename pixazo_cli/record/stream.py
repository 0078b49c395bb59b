"""Bounded stream helpers: exact reads and chunked copies, so memory stays flat."""

from __future__ import annotations

from typing import BinaryIO

PIECE = 64 * 1024  # copy size: memory stays flat whatever the image size


def read_exact(src: BinaryIO, n: int) -> bytes:
    data = b""
    while len(data) < n:
        piece = src.read(n - len(data))
        if not piece:
            raise ValueError("the image ends early (truncated or not the named format)")
        data += piece
    return data


def copy(src: BinaryIO, dst: BinaryIO | None, n: int) -> None:
    """Copy exactly n bytes in bounded pieces (dst None: skip them; src may not seek)."""
    while n > 0:
        piece = src.read(min(n, PIECE))
        if not piece:
            raise ValueError("the image ends early (truncated or not the named format)")
        if dst is not None:
            dst.write(piece)
        n -= len(piece)


def copy_rest(src: BinaryIO, dst: BinaryIO) -> None:
    while piece := src.read(PIECE):
        dst.write(piece)
