"""What the one file writer (files.py) knows of a file it left: its `Stamp`, and where a file
went: `Placed`. A stamp is how a later run tells the tool's own file from someone else's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Stamp:
    """A file as the tool left it: the same inode, size and time, or after a copy (a CI cache
    restored) the same bytes."""

    size: int
    sha256: str
    ino: int = 0
    mtime_ns: int = 0

    def as_json(self) -> list[Any]:
        return [self.size, self.sha256, self.ino, self.mtime_ns]

    @classmethod
    def from_json(cls, value: Any) -> Stamp | None:
        if (isinstance(value, list) and len(value) == 4 and isinstance(value[1], str)
                and all(isinstance(v, int) and not isinstance(v, bool)
                        for v in (value[0], value[2], value[3]))):
            return cls(value[0], value[1], value[2], value[3])
        return None


@dataclass(frozen=True)
class Placed:
    path: Path
    stamp: Stamp

    @property
    def name(self) -> str:
        return self.path.name
