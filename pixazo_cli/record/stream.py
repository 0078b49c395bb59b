"""Bounded stream helpers: exact reads and chunked copies, so memory stays flat."""

from __future__ import annotations

import io
from typing import Any, BinaryIO

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


class Tee(io.RawIOBase):
    """Reads src and keeps what it read, so a header can be looked at before it is copied."""

    def __init__(self, src: BinaryIO) -> None:
        self.src, self.seen = src, bytearray()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        piece = self.src.read(len(buffer))
        buffer[: len(piece)] = piece
        self.seen += piece
        return len(piece)


class Prefixed(io.RawIOBase):
    """`head` again, then the rest of src: what a Tee read is read a second time."""

    def __init__(self, head: bytes, src: BinaryIO) -> None:
        self.head, self.src = memoryview(head), src

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.head:
            piece = self.src.read(len(buffer))
        else:
            piece, self.head = self.head[: len(buffer)], self.head[len(buffer) :]
        buffer[: len(piece)] = piece
        return len(piece)
