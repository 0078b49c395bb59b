"""The client-side rate limiter a batch's workers share, so the tool itself stays under the
gateway's fair-use limit (60 requests a minute) instead of provoking 429s.

A sliding window, like the gateway's own: up to `per_minute` paid POSTs in any 60 seconds, so a
batch may burst up to the limit and then proceeds as old sends leave the window. A 429 that comes
anyway pauses every worker, not just the one that met it.
"""

from __future__ import annotations

import threading
from collections import deque

from pixazo_cli.errors import RateLimitError
from pixazo_cli.http.clock import Clock, Deadline

WINDOW = 60.0


class Stopped(Exception):
    """The batch is stopping, so this request was not sent."""


class RateLimiter:
    def __init__(self, per_minute: int, clock: Clock) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._sent: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self._closed = threading.Event()

    def acquire(self, deadline: Deadline | None = None) -> None:
        """Block until one more POST fits in the window, then count it. Raise Stopped once the
        batch stops, and refuse (nothing sent) when the wait would outlast the job's time."""
        while True:
            with self._lock:
                if self._closed.is_set():
                    raise Stopped
                delay = self._delay()
                if delay <= 0:
                    self._sent.append(self.clock.now())
                    return
            if deadline is not None and not deadline.allows(delay):
                raise RateLimitError(
                    "Not sent: the rate limit would hold this request past its time limit.",
                    hint="Raise --timeout or --rate-limit, or lower --concurrency.")
            if self.clock.wait(self._closed, delay):
                raise Stopped

    def close(self) -> None:
        """No more sends: workers waiting for a slot give up at once."""
        self._closed.set()

    def _delay(self) -> float:
        now = self.clock.now()
        while self._sent and self._sent[0] <= now - WINDOW:
            self._sent.popleft()
        pause = self._paused_until - now
        if len(self._sent) < self.per_minute:
            return pause
        return max(pause, self._sent[0] + WINDOW - now)

    def pause(self, seconds: float) -> None:
        """The gateway said 429: hold every worker back, not just the one that met it."""
        with self._lock:
            self._paused_until = max(self._paused_until, self.clock.now() + seconds)
