"""The nucleus queue: jobs that move QUEUED -> PROCESSING -> terminal as the clock advances.

A job's status is a pure function of the injected clock, so tests can step through it without
sleeping. Whoever looks first (a poll, or the background ticker) applies the transitions, under
one lock, so each state is entered exactly once and its side effects happen exactly once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .media import MadeImage
from .webhooks import Webhook

MODEL_ID = "nucleus-image"
TERMINAL = ("COMPLETED", "FAILED", "ERROR")
MAX_JOBS = 4096  # oldest jobs are forgotten past this, like an expiring queue
ERRORS = {
    "FAILED": "Generation failed: sandbox fault",
    "ERROR": "Internal error: sandbox fault",
}


@dataclass
class Job:
    request_id: str
    created: float  # injected-clock time
    latency: float
    outcome: str | None  # the terminal status it will reach; None: stays PROCESSING forever
    paths: list[str]  # CDN paths; the images appear there when the job completes
    urls: list[str]
    images: list[MadeImage]
    media_type: str
    charged: int
    webhook: Webhook | None
    status: str = "QUEUED"
    updated: float = 0.0
    completed: float | None = None

    def due_status(self, now: float) -> str:
        elapsed = now - self.created
        if elapsed < self.latency / 3:
            return "QUEUED"
        if elapsed < self.latency or self.outcome is None:
            return "PROCESSING"
        return self.outcome

    def entered_at(self, status: str) -> float:
        """When the job entered `status` in theory, so timestamps do not depend on who polled."""
        if status == "QUEUED":
            return self.created
        if status == "PROCESSING":
            return self.created + self.latency / 3
        return self.created + self.latency


class JobBook:
    """All jobs, advanced lazily. `on_enter(job)` runs under the lock for each state entered."""

    def __init__(self, clock: Callable[[], float], on_enter: Callable[[Job], None]) -> None:
        self._clock = clock
        self._on_enter = on_enter
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        # Map the injected clock onto wall time once, for the timestamps in status bodies.
        self._wall_offset = time.time() - clock()

    def add(self, job: Job) -> None:
        with self._lock:
            job.updated = job.created
            self._jobs[job.request_id] = job
            while len(self._jobs) > MAX_JOBS:
                del self._jobs[next(iter(self._jobs))]

    def view(self, request_id: str) -> dict[str, Any] | None:
        """The status body for a job as of now, or None if there is no such job."""
        with self._lock:
            job = self._jobs.get(request_id)
            if job is None:
                return None
            self._advance(job, self._clock())
            return self.payload(job)

    def advance_all(self) -> None:
        with self._lock:
            now = self._clock()
            for job in self._jobs.values():
                if job.status not in TERMINAL:
                    self._advance(job, now)

    def clear(self) -> None:
        with self._lock:
            self._jobs.clear()

    def payload(self, job: Job, callback: bool = False) -> dict[str, Any]:
        """The status-response shape. Callbacks format two stamps differently, as the vendor's
        own callback example does ('2026-05-22 13:19:23' rather than ISO)."""
        stamp = _plain_stamp if callback else _iso_stamp
        completed = None if job.completed is None else stamp(self._wall(job.completed))
        output = None
        if job.status == "COMPLETED":
            output = {"media_url": list(job.urls), "media_type": job.media_type}
        return {
            "request_id": job.request_id,
            "status": job.status,
            "model_id": MODEL_ID,
            "error": ERRORS.get(job.status),
            "output": output,
            "created_at": _iso_stamp(self._wall(job.created)),
            "updated_at": stamp(self._wall(job.updated)),
            "completed_at": completed,
        }

    def _advance(self, job: Job, now: float) -> None:
        target = job.due_status(now)
        while job.status != target:
            # Step through every state, even when one poll spans several, so that sync-mode
            # webhooks always see PROCESSING before the end.
            job.status = "PROCESSING" if job.status == "QUEUED" else target
            job.updated = job.entered_at(job.status)
            if job.status in TERMINAL:
                job.completed = job.updated
            self._on_enter(job)

    def _wall(self, clock_time: float) -> datetime:
        return datetime.fromtimestamp(clock_time + self._wall_offset, UTC)


def _iso_stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _plain_stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")
