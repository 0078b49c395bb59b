"""Every file the assets package writes goes through `write_new`, and it through the project's
one file writer (sinks/files.py: a part file in the same folder, then a link for a new name or a
rename for a replacement, never through a symlink). What this adds is the assets' own policy:

- an existing file is replaced only when the caller vouches that it is the tool's own: its
  sha256 is the one the tool recorded for it (`replace_own`), so a file a person made or
  edited since is never lost;
- a file that already holds exactly these bytes is left alone (not even its mtime moves),
  so re-runs keep caches and rsync quiet.
"""

from __future__ import annotations

import hashlib
import os
import stat
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from pixazo_cli.errors import SaveError

if TYPE_CHECKING:
    from pixazo_cli.sinks.files import Folder

PIECE = 1024 * 1024


class Written(Enum):
    NEW = "new"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"


def sha256_of(path: Path) -> str:
    """The digest of a regular file, read without following a symlink."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        while piece := handle.read(PIECE):
            digest.update(piece)
    return digest.hexdigest()


def write_new(folder: Path, name: str, data: bytes, replace_own: str | None = None) -> Written:
    """Give `folder/name` the bytes `data`, by the rules above. `replace_own` is the sha256
    the tool recorded for the file now at that name, if it made one. Raises SaveError."""
    from pixazo_cli.sinks.files import Folder, NotOurs

    target = folder / name
    with Folder.open(folder, create=False) as where:
        existing = _existing_digest(where, target)
        if existing == hashlib.sha256(data).hexdigest():
            return Written.UNCHANGED
        if existing is not None and existing != replace_own:
            raise SaveError(f"{target} already exists and pixazo did not make it (or it was "
                            "changed since), so it is left alone.",
                            hint="Move it away, or rename the original so its derived files "
                            "get other names.")
        try:
            where.write(name, data, overwrite=existing is not None)
        except NotOurs:  # the name was taken meanwhile: nothing is replaced
            raise SaveError(f"{target} appeared while it was being written; it is left "
                            "alone.") from None
    return Written.NEW if existing is None else Written.REPLACED


def _existing_digest(where: Folder, target: Path) -> str | None:
    found = where.lstat(target.name)
    if found is None:
        return None
    if not stat.S_ISREG(found.st_mode):
        kind = "a symlink" if stat.S_ISLNK(found.st_mode) else "not a regular file"
        raise SaveError(f"{target} is {kind}; pixazo never writes through one.",
                        hint="Remove it, or write the assets to another folder.")
    try:
        return sha256_of(target)
    except OSError as exc:
        raise SaveError(f"Cannot read {target}: {exc.strerror or exc}.") from None
