"""What happens on a 429, a 5xx or a network error: which requests may be sent again, and when.

One helper, `retrying`, runs every retry loop of the tool; each loop is a `RetryPolicy` (how many
attempts, which backoff, a floor under the delay). An attempt that may be tried again raises
`Retry` carrying the error to report if it may not.

Paid POSTs are resent only where the gateway cannot have started the work: the connection never
opened, or it answered 429 or 503. Any other reply after the body went out, except the refusals
in NOT_CHARGED, may have been charged and is never resent (default deny). Status polls are
idempotent GETs: every transient failure is retried until the command's deadline.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from pixazo_cli.http.clock import Clock, Deadline

T = TypeVar("T")

MAX_POST_RETRIES = 3
# The only replies after which a paid POST is sent again: nothing was started.
POST_RETRY_STATUSES = frozenset({429, 503})
# Refusals that prove the gateway did not start (or charge) the work; every other reply to a
# paid POST that is not a success "may have been charged".
NOT_CHARGED = frozenset({400, 401, 402, 403, 404, 405, 413, 415, 422, 429, 503})
# A status poll never comes sooner than this, whatever a Retry-After says.
MIN_POLL_SECONDS = 0.25


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


@dataclass(frozen=True)
class RetryPolicy:
    """One retry loop: at most `attempts` tries (None: until the deadline), waits from `backoff`
    (or the server's Retry-After), never shorter than `min_delay`."""

    attempts: int | None
    backoff: Backoff = field(default_factory=Backoff)
    min_delay: float = 0.0


class Retry(Exception):  # noqa: N818 - a signal to `retrying`, not an error for the user
    """Raised by an attempt that another may cure; `failure` is reported if none may follow."""

    def __init__(self, failure: Exception, retry_after: float | None = None,
                 wait: Callable[[float], None] | None = None) -> None:
        super().__init__(str(failure))
        self.failure = failure
        self.retry_after = retry_after
        self.wait = wait  # how to wait instead of the clock (e.g. the shared rate limiter)


def retrying(attempt: Callable[[int], T], policy: RetryPolicy, deadline: Deadline,
             clock: Clock) -> T:
    """Call attempt(0), attempt(1)… until one returns; between them wait as the policy says.
    Gives up with the last failure when the attempts are used up or the deadline would pass."""
    for number in itertools.count():
        try:
            return attempt(number)
        except Retry as retry:
            delay = max(policy.min_delay, policy.backoff.delay(number, retry.retry_after))
            last = policy.attempts is not None and number + 1 >= policy.attempts
            if last or not deadline.allows(delay):
                raise retry.failure from None
            (retry.wait or clock.sleep)(delay)
    raise AssertionError("unreachable")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds, from either of its forms: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
