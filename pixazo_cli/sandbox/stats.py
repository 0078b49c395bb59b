"""Counters that let tests see what the client really did to the gateway."""

from __future__ import annotations

import copy
import threading
from typing import Any

COUNTERS = (
    "posts_received",
    "posts_accepted",
    "posts_maybe_charged",
    "status_polls",
    "downloads",
    "cdn_requests_with_key",
    "webhooks_sent",
    "webhooks_failed",
    "images_made",
)


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, Any] = {}
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._data = {name: 0 for name in COUNTERS}
            self._data.update(posts_by_path={}, bodies=[], headers=[])

    def count(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._data[name] += amount

    def post_received(self, path: str) -> None:
        with self._lock:
            self._data["posts_received"] += 1
            by_path = self._data["posts_by_path"]
            by_path[path] = by_path.get(path, 0) + 1

    def post_accepted(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        with self._lock:
            self._data["posts_accepted"] += 1
            self._data["bodies"].append(copy.deepcopy(body))
            self._data["headers"].append(dict(headers))

    def snapshot(self) -> dict[str, Any]:
        """A deep copy, so callers can keep it while the sandbox goes on counting."""
        with self._lock:
            return copy.deepcopy(self._data)
