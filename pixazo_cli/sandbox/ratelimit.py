"""The gateway's fair-use limit: a sliding 60-second window of model POSTs per key.

The vendor only says "fair-use rate limit of 60 requests/minute" on each model's pricing line,
so what counts is the sandbox's choice: model POSTs only. Status polls are left out because the
vendor asks clients to poll every 5-10 s while a job runs, and CDN downloads never pass through
the gateway at all. Every POST with a key takes a slot, even one refused with 400 or 402, as
API Management counts calls before the backend sees them; only POSTs refused with 429 do not,
so Retry-After stays truthful for a client that honours it.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0


class SandboxRateLimiter:
    """The gateway refusing with 429; the client pacing itself is http.limiter.RateLimiter."""

    def __init__(self, limit: int, clock: Callable[[], float]) -> None:
        self._limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> int | None:
        """Record one POST; return None if allowed, else the seconds until a slot frees."""
        if self._limit <= 0:
            return None
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - WINDOW_SECONDS:
                hits.popleft()
            if len(hits) < self._limit:
                hits.append(now)
                return None
            return max(1, math.ceil(hits[0] + WINDOW_SECONDS - now))

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
