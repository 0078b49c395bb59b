"""The batch's shared rate limiter: bursts up to the limit, then paces by the sliding window;
a 429 holds every worker back; a stop or a job's deadline ends a wait instead of sending."""

from __future__ import annotations

import threading

import pytest

from pixazo_cli.errors import RateLimitError
from pixazo_cli.http.clock import Deadline, SystemClock
from pixazo_cli.http.limiter import RateLimiter, Stopped
from tests.conftest import FakeClock


def test_bursts_up_to_the_limit_without_waiting(clock: FakeClock) -> None:
    limiter = RateLimiter(60, clock)
    for _ in range(60):
        limiter.acquire()
    assert clock.sleeps == []


def test_the_next_request_waits_for_the_oldest_to_leave_the_window(clock: FakeClock) -> None:
    limiter = RateLimiter(3, clock)
    for _ in range(3):
        limiter.acquire()
        clock.t += 1
    limiter.acquire()
    assert clock.sleeps == [57.0]


def test_never_more_than_the_limit_in_any_minute(clock: FakeClock) -> None:
    limiter = RateLimiter(5, clock)
    sent = []
    for _ in range(23):
        limiter.acquire()
        sent.append(clock.t)
        clock.t += 0.7
    for start in sent:
        assert sum(1 for t in sent if start <= t < start + 60) <= 5


def test_a_429_pauses_every_worker(clock: FakeClock) -> None:
    limiter = RateLimiter(100, clock)
    limiter.acquire()
    limiter.pause(7)
    limiter.acquire()
    limiter.acquire()
    assert clock.sleeps == [7.0]


def test_workers_in_threads_share_the_window(clock: FakeClock) -> None:
    limiter = RateLimiter(4, clock)
    lock = threading.Lock()
    times: list[float] = []

    def worker() -> None:
        for _ in range(3):
            limiter.acquire()
            with lock:
                times.append(clock.now())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(times) == 12
    for start in times:
        assert sum(1 for t in times if start <= t < start + 60) <= 4


def test_a_closed_limiter_sends_nothing(clock: FakeClock) -> None:
    limiter = RateLimiter(1, clock)
    limiter.acquire()
    limiter.close()
    with pytest.raises(Stopped):
        limiter.acquire()


class _WaitingClock(SystemClock):
    """The real clock (a minute's wait for a slot), saying when a worker starts waiting."""

    def __init__(self) -> None:
        self.waiting = threading.Event()

    def wait(self, event: threading.Event, seconds: float) -> bool:
        self.waiting.set()
        return super().wait(event, seconds)


def test_a_stop_wakes_a_worker_waiting_for_a_slot() -> None:
    clock = _WaitingClock()
    limiter = RateLimiter(1, clock)
    limiter.acquire()
    outcome: list[str] = []

    def worker() -> None:
        try:
            limiter.acquire()
            outcome.append("sent")
        except Stopped:
            outcome.append("stopped")

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    assert clock.waiting.wait(5), "the worker never waited for a slot"
    limiter.close()
    thread.join(5)
    assert outcome == ["stopped"]


def test_the_limiter_refuses_a_wait_past_the_jobs_deadline(clock: FakeClock) -> None:
    limiter = RateLimiter(1, clock)
    limiter.acquire()
    with pytest.raises(RateLimitError, match="Not sent"):
        limiter.acquire(Deadline(clock, 5))
    assert clock.sleeps == []
