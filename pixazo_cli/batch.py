"""Running a batch: jobs in parallel under one shared rate limiter, queued jobs polled together,
every step recorded in the manifest so a re-run skips what is saved and resumes what is queued.

Threads, not asyncio: the work is a few dozen blocking HTTP calls at a time, and the shared
httpx client, the limiter and the manifest are thread-safe.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .batchfile import BatchJob
from .batchview import BatchView
from .clock import Deadline
from .errors import PixazoError, most_severe
from .generate import Outcome, SaveOptions, name_parts, save_all, submit
from .limiter import RateLimiter
from .manifest import MANIFEST_NAME, Manifest, files_present
from .poller import Poller
from .session import Session


@dataclass(frozen=True)
class BatchOptions:
    save: SaveOptions
    concurrency: int = 4
    rate_limit: int = 60


class BatchRun:
    def __init__(self, session: Session, jobs: list[BatchJob], options: BatchOptions,
                 view: BatchView) -> None:
        self.session = session
        self.jobs = jobs
        self.options = options
        self.view = view
        self.manifest = Manifest(options.save.out_dir / MANIFEST_NAME)
        self.limiter = RateLimiter(options.rate_limit, session.clock)
        self.gateway = session.gateway()
        self.gateway.limiter = self.limiter
        self.downloader = session.downloader()
        self.pool = ThreadPoolExecutor(max_workers=options.concurrency)
        self.poller = Poller(self.gateway, session.clock, self._queued_done, self._failed)
        self.stopping = threading.Event()
        self._left = len(jobs)
        self._all_done = threading.Event()
        self._lock = threading.Lock()
        self.codes: list[int] = []

    def run(self) -> int:
        """Run every job; return 0 when all saved, else the most severe failure's exit code."""
        if not self.jobs:
            self._all_done.set()
        self.poller.start()
        with self.view:
            for job in self.jobs:
                self.pool.submit(self._guarded, job, self._start)
            self._wait_for_all()
        self.poller.stop()
        self.pool.shutdown(wait=True)
        self.view.summary()
        return most_severe(self.codes)

    def _wait_for_all(self) -> None:
        previous = signal.getsignal(signal.SIGTERM)
        in_main = threading.current_thread() is threading.main_thread()
        if in_main:  # a CI timeout's SIGTERM stops as gently as Ctrl-C
            signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            while not self._all_done.wait(0.1):
                pass
        except KeyboardInterrupt:
            self._stop()
        finally:
            if in_main:
                signal.signal(signal.SIGTERM, previous)

    def _stop(self) -> None:
        """Send nothing new; let requests in flight finish so the manifest knows what was paid."""
        self.stopping.set()
        self.view.say("Stopping: no new requests; waiting for those in flight "
                      "(queued jobs resume on the next run).")
        self.poller.stop()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.codes.append(130)

    def _start(self, job: BatchJob) -> None:
        entry = self.manifest.get(job.key) or {}
        if entry.get("status") == "saved" and files_present(entry, self.options.save.out_dir):
            self.view.skipped(job, entry)
            self._finish()
            return
        outcome = Outcome(job.request.model.name, request=job.request,
                          request_id=entry.get("request_id"), urls=entry.get("urls"))
        error = entry.get("error") or {}
        if self.stopping.is_set():
            return self._finish()
        if outcome.urls and error.get("exit_code") in (8, 130, None):
            self.view.started(job)
            self._download(job, outcome)  # paid before: fetch again, do not pay again
        elif outcome.request_id and job.request.model.queued and error.get("exit_code") != 6:
            self.view.started(job)
            self.poller.add(job, outcome, self._deadline())  # resume the queued job
        else:
            self._submit(job)

    def _submit(self, job: BatchJob) -> None:
        self.view.started(job)
        deadline = self._deadline()
        outcome = submit(self.gateway.with_deadline(deadline), job.request)
        self.manifest.record(job.key, line=job.line, model=outcome.model,
                             body_sha256=job.body_sha256, request_id=outcome.request_id,
                             urls=outcome.urls, status="submitted")
        if outcome.urls is None:
            self.poller.add(job, outcome, deadline)
        else:
            self._download(job, outcome)

    def _queued_done(self, job: BatchJob, outcome: Outcome) -> None:
        self.manifest.record(job.key, urls=outcome.urls)
        if self.stopping.is_set():
            return  # the next run downloads it from the recorded URLs
        with contextlib.suppress(RuntimeError):  # the pool shut down as we stopped: same
            self.pool.submit(self._guarded, job, lambda j: self._download(j, outcome))

    def _download(self, job: BatchJob, outcome: Outcome) -> None:
        save = SaveOptions(self.options.save.out_dir, job.name or self.options.save.template,
                           self.options.save.overwrite, self.options.save.sidecar)
        downloader = self.downloader.with_deadline(self._deadline())
        files = save_all(downloader, outcome, name_parts(job.request), save,
                         on_saved=self.view.saved)
        entry = self.manifest.record(job.key, status="saved", files=[
            {"path": f.path.name, "bytes": f.bytes, "sha256": f.sha256, "url": f.url}
            for f in files])
        self.view.done(job, entry)
        self._finish()

    def _guarded(self, job: BatchJob, step: Any) -> None:
        try:
            step(job)
        except PixazoError as error:
            self._failed(job, error)
        except Exception as error:  # a bug must not hang the batch
            self._failed(job, PixazoError(f"unexpected error: {type(error).__name__}: {error}"))

    def _failed(self, job: BatchJob, error: PixazoError) -> None:
        try:
            self._record_failure(job, error)
        finally:
            self._finish()  # whatever happens, the batch must not wait for this job forever

    def _record_failure(self, job: BatchJob, error: PixazoError) -> None:
        with self._lock:
            self.codes.append(error.exit_code)
        entry = self.manifest.record(job.key, line=job.line, model=job.request.model.name,
                                     body_sha256=job.body_sha256, status="failed",
                                     error={"exit_code": error.exit_code,
                                            "message": error.message})
        if error.exit_code in (3, 4):  # a refused key or an empty wallet fails every job
            self.stopping.set()
        self.view.failed(job, entry)

    def _finish(self) -> None:
        with self._lock:
            self._left -= 1
            if self._left <= 0:
                self._all_done.set()

    def _deadline(self) -> Deadline:
        return Deadline(self.session.clock, self.session.settings.timeout)


def _raise_interrupt(*_: object) -> None:
    raise KeyboardInterrupt
