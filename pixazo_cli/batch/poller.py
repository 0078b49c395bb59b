"""Polling many queued jobs from one thread on one schedule for the whole batch, so a batch's
nucleus jobs wait together instead of each holding a worker.

One schedule, not one per job: a single job starts polling fast (a quick result is seen
quickly), but a batch that queues 50 jobs at once must not give each of them that fast start,
or it would send ~7 polls per job in the first seconds. Every poll of the batch draws its delay
from the shared backoff, which reaches the vendor's advised 5 s after a handful of polls; from
then on each job is polled at most once per 5 s."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pixazo_cli.batch.jobfile import BatchJob
from pixazo_cli.errors import MaybeCharged, PixazoError, UnknownRequest
from pixazo_cli.flow.events import FlowEvents
from pixazo_cli.flow.generate import take_urls
from pixazo_cli.flow.ledger import Outcome, after_sending
from pixazo_cli.flow.waiting import PollSchedule, poll_step
from pixazo_cli.http.client import Gateway
from pixazo_cli.http.clock import Clock, Deadline


class SharedSchedule(Iterator[float]):
    """One backoff for the whole batch, drawn from by every job (thread-safe)."""

    def __init__(self, schedule: PollSchedule | None = None) -> None:
        self._delays = (schedule or PollSchedule()).delays()
        self._lock = threading.Lock()

    def __next__(self) -> float:
        with self._lock:
            return next(self._delays)


@dataclass(order=True)
class _Item:
    due: float
    job: BatchJob = field(compare=False)
    outcome: Outcome = field(compare=False)
    deadline: Deadline = field(compare=False)
    delays: Iterator[float] = field(compare=False)


class Poller:
    def __init__(self, gateway: Gateway, clock: Clock,
                 on_done: Callable[[BatchJob, Outcome], None],
                 on_failed: Callable[[BatchJob, Outcome, PixazoError], None],
                 events: FlowEvents | None = None) -> None:
        self.gateway = gateway
        self.clock = clock
        self.on_done = on_done
        self.on_failed = on_failed
        self.events = events or FlowEvents()
        self._items: list[_Item] = []
        self._schedule = SharedSchedule()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pixazo-poller", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()

    def add(self, job: BatchJob, outcome: Outcome, deadline: Deadline) -> None:
        if self._stopped.is_set():
            return  # stopping: the manifest keeps the request id for the next run
        delays = self._schedule
        with self._lock:
            self._items.append(_Item(self.clock.now() + next(delays), job, outcome, deadline,
                                     delays))
        self._wake.set()

    def _loop(self) -> None:
        while not self._stopped.is_set():
            item = self._next_due()
            if item is not None:
                self._poll(item)

    def _next_due(self) -> _Item | None:
        with self._lock:
            self._wake.clear()
            soonest = min(self._items, default=None)
        if soonest is None:
            self._wake.wait()
            return None
        if self.clock.wait(self._wake, soonest.due - self.clock.now()):
            return None  # woken: a new job or stop; look again
        with self._lock:
            self._items.remove(soonest)
        return soonest

    def _poll(self, item: _Item) -> None:
        request_id = item.outcome.request_id or ""
        try:
            reply, delay = poll_step(self.gateway.with_deadline(item.deadline), request_id,
                                     item.delays)
            if delay is None:
                take_urls(item.outcome, reply, item.job.request.model, self.events)
                self.events.answered(item.outcome)  # the images are known: paid for
                self.on_done(item.job, item.outcome)
                return
        except UnknownRequest:  # as for a single command: it was taken, so it may have cost
            return self._fail(item, MaybeCharged(
                f"The gateway accepted the job {request_id} but no longer knows it; its result "
                "cannot be fetched.", hint="It may have been charged: check your Pixazo "
                "dashboard, then re-run with --resend-maybe-charged to send it again."))
        except PixazoError as error:
            return self._fail(item, error)
        except Exception as error:  # a bug must not kill the one thread that polls every job
            return self._fail(item, after_sending(item.outcome, error))
        with self._lock:
            self._items.append(_Item(self.clock.now() + delay, item.job, item.outcome,
                                     item.deadline, item.delays))

    def _fail(self, item: _Item, error: PixazoError) -> None:
        with contextlib.suppress(Exception):  # the batch counts it as finished either way
            self.on_failed(item.job, item.outcome, error)
