"""The one writer of every file the tool makes: images, sidecars, thumbnails, contact-sheet
pages, grid pictures, manifests, the config.

Its rules, kept here once so that no writer keeps its own:
- Whole or nothing. A file is written into a hidden temp file in its own folder, then linked
  into place (a new name) or renamed over the old one (a replacement): no reader sees half.
- Exclusive. A new name is taken with link(), which fails when the name exists. A file is
  replaced only where the caller says so: `overwrite` (the user's --overwrite), or `mine`, the
  stamp of the file the tool itself left there (sinks/made.py keeps them), checked at the
  moment of replacing. Deleting takes the stamp too.
- No symlink is followed below the chosen folder. That folder is opened once; every folder
  below it with O_NOFOLLOW | O_DIRECTORY relative to its parent's descriptor; every file is
  opened, linked, renamed and deleted relative to its folder's descriptor, never following
  the last name. A symlink where a file goes is replaced or refused, never written through.
- Names are one path component, so nothing is written or deleted outside the folder.
(Without descriptor-relative calls, on Windows, the same calls take joined paths.)
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from pixazo_cli.errors import SaveError
from pixazo_cli.sinks.stamp import Placed, Stamp

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted where a file is read must not hang
# Python lists renameat's support under os.rename alone, though os.replace takes dir_fd too
# (both are renameat): asking for os.replace here made AT false on every Python.
AT = {os.open, os.stat, os.link, os.rename, os.unlink, os.mkdir} <= os.supports_dir_fd
CHUNK = 64 * 1024
TEMP_PREFIX = ".pixazo-"


class NotOurs(SaveError):
    """A name is taken by something the tool did not make; it was left as it is."""

    def __init__(self, path: Path, hint: str | None = None) -> None:
        super().__init__(f"{path} exists and pixazo did not make it; it was left as it is.",
                         hint=hint or "Pass --overwrite to replace it, or write elsewhere.")
        self.path = path


def check_name(name: str) -> str:
    """One entry of a folder: no separator, no `..`, nothing that reaches elsewhere."""
    seps = {os.sep, os.altsep or os.sep, "/", "\0"}
    if not name or name in (".", "..") or any(sep in name for sep in seps):
        raise ValueError(f"not a file name in its folder: {name!r}")
    return name


class Folder:
    """One folder the tool writes into, held open by its descriptor (close it, or use `with`)."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def open(cls, path: Path, create: bool = True, mode: int = 0o777) -> Folder:
        """The chosen folder (-d, the config's): the way to it may pass symlinks, nothing below."""
        try:
            if create:
                os.makedirs(path, mode=mode, exist_ok=True)
            if not AT:
                if not os.path.isdir(path):
                    raise NotADirectoryError(20, "Not a directory")
                return cls(path, None)
            return cls(path, os.open(path, os.O_RDONLY | DIRECTORY | CLOEXEC))
        except OSError as exc:
            raise SaveError(f"Cannot write to the folder {path}: {exc.strerror or exc}.",
                            hint="Choose another with -d, or fix its permissions.") from None

    def sub(self, name: str, create: bool = True) -> Folder:
        """A folder inside this one: made if missing, refused when a symlink or a file is there."""
        at = self._at(check_name(name))
        try:
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(at, 0o777, dir_fd=self._fd)
            found = self.lstat(name)
            if found is None or not stat.S_ISDIR(found.st_mode):
                raise NotADirectoryError(20, "a symlink or a file, not a folder")
            if self._fd is None:
                return Folder(self.path / name, None)
            flags = os.O_RDONLY | DIRECTORY | NOFOLLOW | CLOEXEC
            return Folder(self.path / name, os.open(at, flags, dir_fd=self._fd))
        except OSError as exc:
            raise SaveError(f"Cannot write into {self.path / name}: {exc.strerror or exc}; "
                            "pixazo never writes through a symlink.",
                            hint="Remove or rename it, or write elsewhere with -d.") from None

    @property
    def identity(self) -> tuple[int, int]:
        """Device and inode: a worker opening the folder by its path checks it is this one."""
        found = os.stat(self._fd if self._fd is not None else self.path)
        return found.st_dev, found.st_ino

    def claim(self, wait: bool = False) -> bool:
        """This folder for this process alone while it is open (flock on its descriptor, so
        no lock file is left behind); False when another run holds it, or, with `wait`, once
        it lets go. Where there is no flock, or no descriptor, every claim succeeds."""
        try:
            import fcntl
        except ImportError:  # Windows: runs into one folder at once are not guarded
            return True
        if self._fd is None:
            return True
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError:  # a file system without locks (ENOLCK, EOPNOTSUPP): unguarded, as on
            return True  # Windows, rather than no work at all
        return True

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _at(self, name: str) -> str:
        return name if self._fd is not None else os.path.join(self.path, name)

    def lstat(self, name: str) -> os.stat_result | None:
        """What is at the name itself (a symlink is a symlink), None when nothing is."""
        try:
            return os.stat(self._at(check_name(name)), dir_fd=self._fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def names(self) -> list[str]:
        return os.listdir(self._fd if self._fd is not None else self.path)

    def read(self, name: str, limit: int) -> bytes | None:
        """A regular file's bytes (no symlink followed); None for anything else, or > limit."""
        try:
            fd = os.open(self._at(check_name(name)), os.O_RDONLY | NOFOLLOW | NONBLOCK | CLOEXEC,
                         dir_fd=self._fd)
        except OSError:
            return None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(limit + 1)
        return data if len(data) <= limit else None

    def current(self, name: str, stamp: Stamp) -> Stamp | None:
        """The file's stamp now if it is still the one the tool left; None for anything else."""
        found = self.lstat(name)
        if found is None or not stat.S_ISREG(found.st_mode) or found.st_size != stamp.size:
            return None
        if (found.st_ino, found.st_mtime_ns) == (stamp.ino, stamp.mtime_ns):
            return stamp
        data = self.read(name, stamp.size)
        if data is None or hashlib.sha256(data).hexdigest() != stamp.sha256:
            return None
        return Stamp(stamp.size, stamp.sha256, found.st_ino, found.st_mtime_ns)

    def new_file(self, mode: int = 0o666) -> NewFile:
        """A hidden temp file in this folder, created exclusively; `place` gives it its name.
        `mode` is before the umask: 0o666 for results, 0o600 for what may hold the key."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | CLOEXEC
        while True:
            temp = f"{TEMP_PREFIX}{secrets.token_hex(6)}.part"
            try:
                fd = os.open(self._at(temp), flags, mode, dir_fd=self._fd)
            except FileExistsError:
                continue
            except OSError as exc:
                raise SaveError(f"Cannot write to {self.path}: {exc.strerror or exc}.") from None
            return NewFile(self, temp, os.fdopen(fd, "wb"))

    def write(self, name: str, data: bytes, *, overwrite: bool = False,
              mine: Stamp | None = None, alternatives: Iterable[str] = (),
              mode: int = 0o666) -> Placed:
        """A whole file at once (see NewFile.place for which names it may take)."""
        with self.new_file(mode) as new:
            new.file.write(data)
            return new.place(name, overwrite=overwrite, mine=mine, alternatives=alternatives,
                             sha256=hashlib.sha256(data).hexdigest())

    def append(self, name: str, mode: int = 0o666) -> BinaryIO:
        """An append-only file (a manifest), created if missing, never through a symlink."""
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | NOFOLLOW | NONBLOCK | CLOEXEC
        try:
            fd = os.open(self._at(check_name(name)), flags, mode, dir_fd=self._fd)
        except OSError as exc:
            raise SaveError(f"Cannot write {self.path / name}: {exc.strerror or exc}.") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise SaveError(f"Cannot write {self.path / name}: not a regular file.")
        return os.fdopen(fd, "ab")

    def place_temp(self, temp: str, name: str, stamp: Stamp, *, overwrite: bool = False,
                   mine: Stamp | None = None, alternatives: Iterable[str] = ()) -> Placed:
        """Name a whole temp file of this folder (one the tool wrote here: a download, a
        NewFile), by the rules of NewFile.place; the temp file is gone afterwards either way."""
        check_name(name)
        try:
            if overwrite or (mine is not None and self.current(name, mine) is not None):
                os.replace(self._at(temp), self._at(name), src_dir_fd=self._fd,
                           dst_dir_fd=self._fd)
                return Placed(self.path / name, stamp)
            for candidate in itertools.chain((name,), alternatives):  # lazily: a counter
                try:
                    os.link(self._at(temp), self._at(check_name(candidate)),
                            src_dir_fd=self._fd, dst_dir_fd=self._fd)
                except FileExistsError:
                    continue
                return Placed(self.path / candidate, stamp)
        except OSError as exc:
            raise SaveError(f"Cannot save {self.path / name}: {exc.strerror or exc}.") from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._at(temp), dir_fd=self._fd)
        raise NotOurs(self.path / name)

    def remove(self, name: str, mine: Stamp) -> bool:
        """Delete a file the tool made; whatever else holds the name stays. True when deleted."""
        if self.current(name, mine) is None:
            return False
        try:
            os.unlink(self._at(name), dir_fd=self._fd)
        except FileNotFoundError:
            return False
        return True


class NewFile:
    """A hidden temp file until `place` names it; discarded if the `with` block ends first."""

    def __init__(self, folder: Folder, temp: str, file: BinaryIO) -> None:
        self.folder = folder
        self.file = file
        self._temp: str | None = temp

    def __enter__(self) -> NewFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def place(self, name: str, *, overwrite: bool = False, mine: Stamp | None = None,
              alternatives: Iterable[str] = (), sha256: str | None = None,
              durable: bool = False) -> Placed:
        """Give the file its name. It replaces what is there only with `overwrite`, or when
        what is there is still `mine`; otherwise it takes the first of name and `alternatives`
        that is free (a download's counter), or raises NotOurs. `sha256` spares reading the file
        back when the caller hashed it; `durable` waits until it is on the disk."""
        folder, temp = self.folder, self._temp
        assert temp is not None, "placed twice"
        try:
            stamp = self._stamp(temp, sha256, durable)
        except OSError as exc:
            self.discard()
            raise SaveError(f"Cannot save {folder.path / name}: {exc.strerror or exc}.") from None
        self._temp = None  # from here on, place_temp owns it
        return folder.place_temp(temp, name, stamp, overwrite=overwrite, mine=mine,
                                 alternatives=alternatives)

    def _stamp(self, temp: str, sha256: str | None, durable: bool) -> Stamp:
        self.file.flush()
        if durable:
            os.fsync(self.file.fileno())
        info = os.fstat(self.file.fileno())
        self.file.close()
        if sha256 is None:
            digest = hashlib.sha256()
            fd = os.open(self.folder._at(temp), os.O_RDONLY | NOFOLLOW | CLOEXEC,
                         dir_fd=self.folder._fd)
            with os.fdopen(fd, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
            sha256 = digest.hexdigest()
        return Stamp(info.st_size, sha256, info.st_ino, info.st_mtime_ns)

    def discard(self) -> None:
        self.file.close()
        if self._temp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.folder._at(self._temp), dir_fd=self.folder._fd)
            self._temp = None
