"""Every file the assets package writes goes through `write_new`, one small function, so the
rules live in one place (the lead switches it to the project's safe file writer at merge time):

- the bytes go to a hidden part file in the same folder (opened without following a symlink),
  then take their name atomically: a new name by link() (which never replaces anything), a
  file the tool made itself by rename();
- a name that is a symlink, a folder or anything but a regular file is never written through;
- an existing file is replaced only when the caller vouches that it is the tool's own: its
  sha256 is the one the tool recorded for it (`replace_own`), so a file a person made or
  edited since is never lost;
- a file that already holds exactly these bytes is left alone (not even its mtime moves),
  so re-runs keep caches and rsync quiet.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from enum import Enum
from pathlib import Path

from pixazo_cli.errors import SaveError

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
    target = folder / name
    existing = _existing_digest(target)
    if existing == hashlib.sha256(data).hexdigest():
        return Written.UNCHANGED
    if existing is not None and existing != replace_own:
        raise SaveError(f"{target} already exists and pixazo did not make it (or it was "
                        "changed since), so it is left alone.",
                        hint="Move it away, or rename the original so its derived files get "
                        "other names.")
    tmp = _part_file(folder, data)
    try:
        if existing is None:
            os.link(tmp, target)  # fails if the name was taken meanwhile: nothing replaced
            return Written.NEW
        os.replace(tmp, target)
        return Written.REPLACED
    except FileExistsError:
        raise SaveError(f"{target} appeared while it was being written; it is left alone.",
                        ) from None
    except OSError as exc:
        raise SaveError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    finally:
        tmp.unlink(missing_ok=True)


def _existing_digest(target: Path) -> str | None:
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SaveError(f"Cannot look at {target}: {exc.strerror or exc}.") from None
    if not stat.S_ISREG(mode):
        kind = "a symlink" if stat.S_ISLNK(mode) else "not a regular file"
        raise SaveError(f"{target} is {kind}; pixazo never writes through one.",
                        hint="Remove it, or write the assets to another folder.")
    try:
        return sha256_of(target)
    except OSError as exc:
        raise SaveError(f"Cannot read {target}: {exc.strerror or exc}.") from None


def _part_file(folder: Path, data: bytes) -> Path:
    """A new hidden file in `folder` holding `data`, with the usual permissions (0666 less
    the umask), which the named file keeps."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    while True:
        tmp = folder / f".pixazo-{secrets.token_hex(6)}.part"
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise SaveError(f"Cannot write to {folder}: {exc.strerror or exc}.") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SaveError(f"Cannot write to {folder}: {exc.strerror or exc}.") from None
    return tmp
