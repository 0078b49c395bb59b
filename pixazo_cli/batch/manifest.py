"""The batch manifest: one JSON line per event in the output folder, so a batch that was killed
can be run again and pays for nothing twice.

Append-only, because a process killed mid-write then loses at most its last, partial line (which
reading skips). The newest line of a job is its state.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pixazo_cli.errors import SaveError, UsageError
from pixazo_cli.scrub import scrub_data

MANIFEST_NAME = "pixazo-manifest.jsonl"


SENDING = "sending"  # the write-ahead intent: recorded, made durable, then the POST


class Manifest:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._latest: dict[str, dict[str, Any]] = {}
        self._held: Any = None
        if path.exists():
            self._load()

    def hold(self) -> None:
        """One batch per output folder: an advisory lock on the manifest, released by the OS
        when this process ends however it ends. Also proves the manifest can be appended to."""
        try:
            handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - held until release
        except OSError as exc:
            raise SaveError(f"Cannot write the manifest {self.path}: {exc.strerror or exc}; "
                            "nothing was sent.") from None
        if not _try_lock(handle):
            handle.close()
            raise UsageError(f"Another pixazo batch is already running on {self.path.parent}; "
                             "nothing was sent.",
                             hint="Wait for it to finish, or use another output folder (-o).")
        self._held = handle

    def release(self) -> None:
        if self._held is not None:
            self._held.close()  # closing drops the lock
            self._held = None

    def _load(self) -> None:
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a kill
                if isinstance(entry, dict) and isinstance(entry.get("job"), str):
                    self._latest[entry["job"]] = entry

    def get(self, job: str) -> dict[str, Any] | None:
        return self._latest.get(job)

    def status(self, job: str) -> str | None:
        return (self._latest.get(job) or {}).get("status")

    def record(self, job: str, durable: bool = False, **fields: Any) -> dict[str, Any]:
        """Append the job's new state (merged over its last one) and return it; `durable`
        waits until it is on the disk (the intent written before paying)."""
        with self._lock:
            entry = {**self._latest.get(job, {}), **fields, "job": job,
                     "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
            if entry.get("status") != "failed":
                entry.pop("error", None)
                entry.pop("maybe_charged", None)
            try:
                line = json.dumps(scrub_data(entry), ensure_ascii=False, allow_nan=False)
                with open(self.path, "a", encoding="utf-8") as handle:
                    handle.write(line + "\n")
                    if durable:
                        handle.flush()
                        os.fsync(handle.fileno())
            except OSError as exc:
                raise SaveError(f"Cannot write the manifest {self.path}: "
                                f"{exc.strerror or exc}.") from None
            self._latest[job] = entry
            return entry


def files_present(entry: dict[str, Any], folder: Path) -> bool:
    files = entry.get("files") or []
    return bool(files) and all((folder / f["path"]).is_file() for f in files)


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
