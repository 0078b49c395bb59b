"""A model file's bytes, read the one way every reader of them does: at most `MAX_BYTES`, and
from a models folder only from a regular file (a symlink to one is fine).

A models folder is read without being asked for by name (`pixazo models`, `--help`'s title
lines, an unknown model's error), so what sits there must not decide how long pixazo takes: a
FIFO named `x.toml` would block the open forever, a symlink to /dev/zero would read without
end. A file named on the command line (`pixazo models check FILE`) is read as asked, a pipe
included, within the same cap.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pixazo_cli.models.lines import Where, key_lines, line_of
from pixazo_cli.models.reader import ModelFileError, key_name

MAX_BYTES = 256 * 1024  # a model file is a page of text; more is a mistake
NOT_REGULAR = "is not a regular file (a FIFO, a device or a folder), so it is not read"


def is_regular(path: Path) -> bool:
    """A regular file, following a symlink; never opens it (a FIFO's open would block)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def read_bytes(path: Path, regular_only: bool = True) -> bytes:
    """The file's bytes; a `ModelFileError` when it cannot be read, is too large, or (where
    `regular_only`) is not a regular file. Opened without blocking and checked on the open
    descriptor, so a file swapped for a FIFO after a check is still refused."""
    flags = os.O_RDONLY | (getattr(os, "O_NONBLOCK", 0) if regular_only else 0)
    try:
        with open(os.open(path, flags), "rb") as handle:
            if regular_only and not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ModelFileError(str(path), None, "", NOT_REGULAR)
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ModelFileError(str(path), None, "", f"cannot be read: {exc.strerror or exc}"
                             ) from None
    if len(raw) > MAX_BYTES:
        raise ModelFileError(str(path), None, "", f"is larger than {MAX_BYTES // 1024} KB")
    return raw


def file_error(source: str, where: Where, problem: str, hint: str | None = None
               ) -> ModelFileError:
    """An error found after reading (a duplicate name, an example that does not parse),
    pointing at its line when the file can still be read."""
    try:  # the one way model files are read: a FIFO read once already must not block here
        line = line_of(key_lines(read_bytes(Path(source), regular_only=True).decode()), where)
    except (ModelFileError, UnicodeDecodeError):
        line = None
    return ModelFileError(source, line, key_name(where), problem, hint)
