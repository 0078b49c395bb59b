"""Polling a batch's queued jobs: one schedule for the whole batch, so N jobs queued at once do
not each get a fast start (~7 polls a job in the first seconds); at most one poll per job per
5 s once it settles. A fake clock and a fake gateway count every poll; nothing sleeps."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from pixazo_cli.batch.jobfile import read_jobs
from pixazo_cli.batch.poller import Poller
from pixazo_cli.http.clock import Deadline
from pixazo_cli.http.replies import Reply
from tests.conftest import FakeClock

JOBS = 40
FINISH = 60.0  # every job completes a minute after it was queued


class CountingGateway:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.started = clock.now()
        self.deadline = Deadline(clock, 600)
        self.polls: dict[str, list[float]] = defaultdict(list)

    def with_deadline(self, deadline: Deadline) -> CountingGateway:
        return self

    def status(self, request_id: str) -> Reply:
        elapsed = self.clock.now() - self.started
        self.polls[request_id].append(elapsed)
        if elapsed >= FINISH:
            return Reply(200, {"status": "COMPLETED", "output": {"media_url": ["https://x/1"]}})
        return Reply(200, {"status": "PROCESSING"})


def poll_a_batch(count: int) -> dict[str, list[float]]:
    from pixazo_cli.flow.generate import Outcome

    clock = FakeClock()
    gateway = CountingGateway(clock)
    jobs, _ = read_jobs("".join(f"job {n}\n" for n in range(count)), "nucleus", {})
    finished = threading.Event()
    done: list[Any] = []

    def on_done(job: Any, outcome: Any) -> None:
        done.append(job)
        if len(done) == count:
            finished.set()

    poller = Poller(gateway, clock, on_done, lambda job, error: on_done(job, error))  # type: ignore[arg-type]
    for n, job in enumerate(jobs):
        poller.add(job, Outcome("nucleus", request_id=f"r{n}"), Deadline(clock, 600))
    poller.start()
    assert finished.wait(30)
    poller.stop()
    return gateway.polls


def test_jobs_queued_together_share_one_fast_start() -> None:
    polls = poll_a_batch(JOBS)
    early = sum(1 for times in polls.values() for t in times if t <= 10)
    assert early <= 3 * JOBS  # a fast start each would be ~7 per job: 280


def test_once_settled_each_job_is_polled_at_most_once_per_5_seconds() -> None:
    polls = poll_a_batch(JOBS)
    for times in polls.values():
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert all(gap >= 5 - 1e-9 for gap in gaps), gaps


def test_every_job_is_seen_finished_within_one_poll_interval() -> None:
    polls = poll_a_batch(JOBS)
    assert all(FINISH <= times[-1] < FINISH + 5 + 1e-9 for times in polls.values())
