"""Time, injectable: tests pass a fake clock so that waiting and backoff never sleep for real."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Sleep until `event` is set or `seconds` pass; True when the event was set."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(max(0.0, seconds))


# The longest time limit: socket and thread timeouts overflow somewhere past 2**33 s.
MAX_SECONDS = 30 * 24 * 3600.0


@dataclass
class Deadline:
    """The end of the whole command's time budget (--timeout)."""

    clock: Clock
    seconds: float

    def __post_init__(self) -> None:
        self.started = self.clock.now()
        self.end = self.started + self.seconds

    def remaining(self) -> float:
        return max(0.0, self.end - self.clock.now())

    def elapsed(self) -> float:
        return self.clock.now() - self.started

    def expired(self) -> bool:
        return self.remaining() <= 0

    def allows(self, delay: float) -> bool:
        """True when sleeping `delay` seconds still leaves time for another try."""
        return delay < self.remaining()
