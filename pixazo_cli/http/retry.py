"""What happens on a 429, a 5xx or a network error: which requests may be sent again, and when.

Paid POSTs are resent only where the gateway cannot have started the work: the connection never
opened, or it answered 429, 502, 503 or 504. A 500, a read timeout or a connection dropped
mid-request may have been charged, so those are never resent. Status polls are idempotent GETs:
every transient failure is retried until the command's deadline.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

MAX_POST_RETRIES = 3
POST_RETRY_STATUSES = frozenset({429, 502, 503, 504})


def poll_should_retry(status: int) -> bool:
    return status == 429 or status >= 500


@dataclass
class Backoff:
    """Exponential backoff with jitter; a server's Retry-After wins when it gives one."""

    base: float = 0.5
    cap: float = 8.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return retry_after
        ceiling = min(self.cap, self.base * 2**attempt)
        # "Equal jitter": at least half the ceiling, so retries never bunch up at zero.
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds, from either of its forms: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
