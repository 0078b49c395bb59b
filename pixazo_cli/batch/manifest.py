"""The batch manifest: one JSON line per event in the output folder, so a batch that was killed
can be run again and pays for nothing twice.

Append-only, because a process killed mid-write then loses at most its last, partial line (which
reading skips). The newest line of a job is its state.

What an earlier run wrote is indexed, not held: each job's newest line is remembered by its
offset in the file and parsed when asked for, so a re-run over 100,000 saved jobs keeps a key
and a number each, whatever the entries hold.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from pixazo_cli.errors import SaveError, UsageError
from pixazo_cli.jsontext import loads
from pixazo_cli.scrub import scrub_data

MANIFEST_NAME = "pixazo-manifest.jsonl"


class Manifest:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._offsets: dict[str, int] = {}  # job -> where its newest earlier line starts
        self._written: dict[str, dict[str, Any]] = {}  # job -> its state, written this run
        self._reader: Any = None
        self._indexed = 0  # bytes of the file read into the index
        self._file: tuple[int, int] | None = None  # the file indexed: device and inode
        self._torn = False  # the file ends in a line cut short: the next append starts anew
        self._held: Any = None
        if path.exists():
            self._load()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def hold(self) -> None:
        """One batch per output folder: an advisory lock on the manifest, released by the OS
        when this process ends however it ends. Also proves the manifest can be appended to."""
        try:
            handle = self._append()  # held until release
        except SaveError as error:
            raise SaveError(f"{error.message.rstrip('.')}; nothing was sent.") from None
        if not _try_lock(handle):
            handle.close()
            raise UsageError(f"Another pixazo batch is already running on {self.path.parent}; "
                             "nothing was sent.",
                             hint="Wait for it to finish, or use another output folder (-d).")
        self._held = handle
        # What another run appended before it let go of the lock (read since our index was).
        self._load()

    def _append(self) -> BinaryIO:
        """The manifest opened to append, through the one file writer: never through a
        symlink, never anything but a regular file."""
        from pixazo_cli.sinks.files import Folder

        with Folder.open(self.path.parent, create=False) as folder:
            return folder.append(self.path.name)

    def release(self) -> None:
        if self._held is not None:
            self._held.close()  # closing drops the lock
            self._held = None
        self._close_reader()

    def _load(self) -> None:
        """Index the lines appended since the last look (all of them the first time, or when
        another program replaced the file). A last line without its newline is indexed as it
        is and read again next time: another run may still be writing it."""
        with open(self.path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            if (stat.st_dev, stat.st_ino) != self._file or stat.st_size < self._indexed:
                self._file, self._indexed = (stat.st_dev, stat.st_ino), 0
                self._offsets.clear()
                self._close_reader()
            offset = handle.seek(self._indexed)
            self._torn = False
            for line in handle:
                job = _job_of(line)
                if job is not None:
                    self._offsets[job] = offset
                if not line.endswith(b"\n"):
                    self._torn = True
                    break
                offset += len(line)
            self._indexed = offset

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def get(self, job: str) -> dict[str, Any] | None:
        with self._lock:
            return self._get(job)

    def _get(self, job: str) -> dict[str, Any] | None:
        if job in self._written:
            return self._written[job]
        offset = self._offsets.get(job)
        if offset is None:
            return None
        if self._reader is None:
            self._reader = open(self.path, "rb")  # noqa: SIM115 - closed by release()
        self._reader.seek(offset)
        try:
            entry = loads(self._reader.readline())
        except ValueError:
            entry = None
        if not isinstance(entry, dict) or entry.get("job") != job:
            raise SaveError(f"The manifest {self.path} was changed by another program while "
                            f"this batch used it (job {job} is not where it was).",
                            hint="Run the batch again: it reads the manifest afresh.")
        if not _names_only(entry.get("files")):
            raise SaveError(f"The manifest {self.path} is damaged: job {job} lists a file "
                            "that is not a plain name in its folder, so the batch stops "
                            "rather than read or write outside it.",
                            hint="Move the manifest away, or restore the one pixazo wrote.")
        return entry

    def status(self, job: str) -> str | None:
        return (self.get(job) or {}).get("status")

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every job's newest state."""
        for job in {**self._offsets, **self._written}:
            entry = self.get(job)
            if entry is not None:
                yield entry

    def record(self, job: str, durable: bool = False, **fields: Any) -> dict[str, Any]:
        """Append the job's new state (merged over its last one) and return it; `durable`
        waits until it is on the disk (the intent written before paying)."""
        with self._lock:
            entry = {**(self._get(job) or {}), **fields, "job": job,
                     "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
            if "error" not in fields:  # news without an error clears the last one
                entry.pop("error", None)
                entry.pop("maybe_charged", None)
            try:
                line = json.dumps(scrub_data(entry), ensure_ascii=False, allow_nan=False)
                torn, self._torn = self._torn, True  # until the whole line is surely written
                with self._append() as handle:
                    handle.write((("\n" if torn else "") + line + "\n").encode("utf-8"))
                    if durable:
                        handle.flush()
                        os.fsync(handle.fileno())
                self._torn = False
            except OSError as exc:
                raise SaveError(f"Cannot write the manifest {self.path}: "
                                f"{exc.strerror or exc}.") from None
            self._written[job] = entry
            return entry


def _names_only(files: Any) -> bool:
    """Every file a job lists is a name in the batch's folder, as the tool saves them (a
    restored CI cache or a hand edit could say `../x.png` or an absolute path)."""
    if files is None:
        return True
    return isinstance(files, list) and all(
        isinstance(made, dict) and isinstance(made.get("path"), str)
        and made["path"] not in ("", ".", "..") and "/" not in made["path"]
        and "\\" not in made["path"] for made in files)


def _job_of(line: bytes) -> str | None:
    try:
        entry = loads(line)
    except ValueError:
        return None  # a line cut short by a kill
    job = entry.get("job") if isinstance(entry, dict) else None
    return job if isinstance(job, str) else None


def files_present(entry: dict[str, Any], folder: Path) -> bool:
    files = entry.get("files") or []
    # os.path, not pathlib: pathlib interns every name it parses, ~100 bytes a saved job
    # held to the end of a re-run.
    return bool(files) and all(os.path.isfile(os.path.join(folder, f["path"])) for f in files)


def _try_lock(handle: Any) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True
