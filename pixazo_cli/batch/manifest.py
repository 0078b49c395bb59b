"""The batch manifest: one JSON line per event in the output folder, so a batch that was killed
can be run again and pays for nothing twice.

Append-only, because a process killed mid-write then loses at most its last, partial line (which
reading skips). The newest line of a job is its state.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pixazo_cli.errors import SaveError

MANIFEST_NAME = "pixazo-manifest.jsonl"


class Manifest:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._latest: dict[str, dict[str, Any]] = {}
        if path.exists():
            self._load()

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

    def record(self, job: str, **fields: Any) -> dict[str, Any]:
        """Append the job's new state (merged over its last one) and return it."""
        with self._lock:
            entry = {**self._latest.get(job, {}), **fields, "job": job,
                     "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
            if entry.get("status") != "failed":
                entry.pop("error", None)
                entry.pop("maybe_charged", None)
            try:
                with open(self.path, "a", encoding="utf-8") as handle:
                    handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            except OSError as exc:
                raise SaveError(f"Cannot write the manifest {self.path}: "
                                f"{exc.strerror or exc}.") from None
            self._latest[job] = entry
            return entry


def files_present(entry: dict[str, Any], folder: Path) -> bool:
    files = entry.get("files") or []
    return bool(files) and all((folder / f["path"]).is_file() for f in files)
