"""Files on this machine: the hidden part file a download goes into, its digest, whether its
bytes are a whole image, and moving it into place without ever replacing another file."""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pixazo_cli.errors import SaveError
from pixazo_cli.flow.naming import taken_hint, with_counter

CHUNK = 64 * 1024


MAX_COUNTER = 1000


@dataclass(frozen=True)
class Fetched:
    tmp: Path
    ext: str
    size: int
    sha256: str


def sniff(head: bytes) -> str | None:
    """The image format by its first bytes; anything else (an HTML error page…) is None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def is_image_file(path: Path) -> bool:
    """A file on disk that starts like one of the images the tool makes."""
    try:
        with open(path, "rb") as handle:
            return sniff(handle.read(16)) is not None
    except OSError:
        return False


def check_folder(folder: Path) -> None:
    """Before paying: the folder exists (created if need be) and takes a new file."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise SaveError(f"Cannot write to the output folder {folder}: {exc.strerror or exc}.",
                        hint="Choose another with -d/--output-dir, or fix its permissions.",
                        ) from None


def file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def create_part_file(folder: Path) -> tuple[Path, int]:
    """A new hidden file beside the target; unlike mkstemp's 0600, it gets the usual
    permissions (0666 less the umask), which the saved image keeps after the rename."""
    while True:
        tmp = folder / f".pixazo-{secrets.token_hex(6)}.part"
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise SaveError(f"Cannot write to {folder}: {exc.strerror or exc}.") from None


TAIL = 16


def whole_image(ext: str, head: bytes, tail: bytes, size: int) -> bool:
    """The image's own end marker is there: PNG's IEND chunk, JPEG's EOI, WEBP's RIFF size."""
    if ext == "png":
        return tail.endswith(b"IEND\xaeB`\x82")
    if ext == "jpg":
        return tail.rstrip(b"\x00").endswith(b"\xff\xd9")
    if ext == "webp":
        return int.from_bytes(head[4:8], "little") + 8 == size
    return False


def place(fetched: Fetched, target: Path, overwrite: bool, find_free: bool,
          other_name: str = "another --name") -> Path:
    """Give a whole download (its part file beside the target) its name, through the one file
    writer (sinks/files.py): a name that is taken is never replaced unless --overwrite says so
    (find_free tries NAME-2, NAME-3 … instead), and no symlink is written through."""
    from pixazo_cli.sinks.files import Folder, NotOurs
    from pixazo_cli.sinks.stamp import Stamp

    alternatives = (with_counter(target.name, n) for n in range(2, MAX_COUNTER)) \
        if find_free else ()
    try:
        with Folder.open(target.parent, create=False) as folder:
            placed = folder.place_temp(fetched.tmp.name, target.name,
                                       Stamp(fetched.size, fetched.sha256),
                                       overwrite=overwrite, alternatives=alternatives)
    except NotOurs:
        raise SaveError(f"{target} already exists.", hint=taken_hint(other_name)) from None
    finally:
        fetched.tmp.unlink(missing_ok=True)
    return placed.path
