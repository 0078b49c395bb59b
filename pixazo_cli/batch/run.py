"""Running a batch: jobs in parallel under one shared rate limiter, queued jobs polled together,
every step recorded in the manifest so a re-run skips what is saved and resumes what is queued.

Threads, not asyncio: the work is a few dozen blocking HTTP calls at a time, and the shared
httpx client, the limiter and the manifest are thread-safe."""

from __future__ import annotations

import os
import shutil
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pixazo_cli.batch.events import BatchEvents
from pixazo_cli.batch.guards import SpendingGuard, SpendingLimit
from pixazo_cli.batch.intake import SavedJobs
from pixazo_cli.batch.jobfile import BatchJob
from pixazo_cli.batch.manifest import MANIFEST_NAME, Manifest
from pixazo_cli.batch.plan import NameClashes, Step, hold_reason, name_clashes, next_step, was_sent
from pixazo_cli.batch.poller import Poller
from pixazo_cli.batch.recorder import ManifestRecorder, recorded_files, shown_entry
from pixazo_cli.errors import (
    AuthError,
    BalanceError,
    Interrupted,
    MaybeCharged,
    PixazoError,
    Terminated,
    most_severe,
)
from pixazo_cli.flow.events import Fanout, FlowContext
from pixazo_cli.flow.generate import save_all, submit
from pixazo_cli.flow.ledger import Origin, Outcome, after_sending, with_way_back
from pixazo_cli.flow.naming import SaveOptions
from pixazo_cli.history import NoRecord
from pixazo_cli.http.clock import Deadline
from pixazo_cli.http.limiter import RateLimiter, Stopped


@dataclass(frozen=True)
class BatchOptions:
    save: SaveOptions
    concurrency: int = 4
    rate_limit: int = 60
    resend_maybe_charged: bool = False
    job_timeout: float = 600.0  # --timeout bounds each job, not the whole batch
    max_requests: int | None = None  # paid requests this run may send
    max_cost: float | None = None  # US dollars this run may spend on priced models
    manifest: Path | None = None  # default: pixazo-manifest.jsonl in the output folder
    origin: Origin = Origin()  # the batch file, and whether the sandbox answers
    job_word: str = "line"  # what the messages call a job: a batch line, a -n variation, a cell
    scratch: Path | None = None  # -n's manifest folder, this run's alone: not resumable


class BatchRun:
    def __init__(self, session: FlowContext, jobs: list[BatchJob], options: BatchOptions,
                 view: BatchEvents, history: Any = None, manifest: Manifest | None = None,
                 saved: SavedJobs | None = None) -> None:
        """`saved`: jobs batch/intake.py found saved in `manifest` by an earlier run."""
        self.session = session
        self.jobs = jobs
        self.saved = saved or SavedJobs()
        self.options = options
        self.view = view
        self.history = history or NoRecord()  # the history's rows, one per paid request
        if hasattr(self.history, "warn"):  # said above the progress bar, not through it
            self.history.warn = view.say
        self.manifest = manifest or Manifest(options.manifest
                                             or options.save.out_dir / MANIFEST_NAME)
        # One life cycle, three listeners: the manifest first (its write-ahead may refuse to
        # send), then the history, then what people see.
        self.events = Fanout(ManifestRecorder(self.manifest, view.say), self.history, view)
        self.limiter = RateLimiter(options.rate_limit, session.clock)
        self.guard = SpendingGuard(options.max_requests, options.max_cost)
        self.gateway = session.gateway()
        self.gateway.limiter = self.limiter
        self.downloader = session.downloader()
        self.pool = ThreadPoolExecutor(max_workers=options.concurrency)
        self.poller = Poller(self.gateway, session.clock, self._queued_done, self._end,
                             self.events)
        self.stopping = threading.Event()  # no new paid requests (Ctrl-C, refused key, no money)
        self.halted = threading.Event()  # Ctrl-C: no new work of any kind
        self._left = len(jobs)
        self._all_done = threading.Event()
        self._lock = threading.Lock()
        self.codes: list[int] = []

    def run(self) -> int:
        """Run every job; return 0 when all saved, else the most severe failure's exit code."""
        self.manifest.hold()
        try:
            return self._run()
        finally:
            self.manifest.release()

    def _run(self) -> int:
        self._check_names()
        if not self.jobs:
            self._all_done.set()
        self.poller.start()
        with self.view:
            # Saved jobs are skipped here: a re-run of 10,000 saved jobs costs a look-up each.
            for line, key in self.saved:
                self.view.skipped(line, self.manifest.get(key) or {})
            left = [job for job in self.jobs if not self._skipped(job)]
            total = len(self.jobs) + len(self.saved)
            if total and not left:
                saved = "the job is" if total == 1 else f"all {total} jobs are"
                self.view.say(f"Nothing to do: {saved} saved.")
            for job in left:
                self.pool.submit(self._guarded, job, self._planned(job), self._start)
            self._wait_for_all()
        self.poller.stop()
        self.pool.shutdown(wait=True)
        self.view.summary()
        return most_severe(self.codes)

    def _planned(self, job: BatchJob) -> Outcome:
        """The job's entry in the ledger, before anything is known of its fate."""
        return Outcome.planned(job.request, replace(self.options.origin, batch_line=job.line,
                                                    job=job.key))

    def _check_names(self) -> None:
        """Before paying for anything: fixed file names that are taken, or that two lines
        share, would fail only after the request was paid for."""
        problems = name_clashes(self.jobs, lambda job: self.manifest.get(job.key),
                                self._save_for, self.options.job_word)
        if problems:
            raise NameClashes(problems, self.options.job_word)

    def _save_for(self, job: BatchJob) -> SaveOptions:
        save = self.options.save
        return SaveOptions(save.out_dir, job.name or save.template, save.overwrite, save.sidecar)

    def _wait_for_all(self) -> None:
        previous = signal.getsignal(signal.SIGTERM)
        in_main = threading.current_thread() is threading.main_thread()
        if in_main:  # a CI timeout's SIGTERM stops as gently as Ctrl-C
            signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            while not self._all_done.wait(0.1):
                pass
        except KeyboardInterrupt as stop:  # Ctrl-C, or Terminated (SIGTERM)
            self._stop(getattr(stop, "exit_code", Interrupted.exit_code))
        finally:
            if in_main:
                signal.signal(signal.SIGTERM, previous)

    def _stop(self, code: int) -> None:
        """Send nothing new; let requests in flight finish (code: 130 Ctrl-C, 143 SIGTERM)."""
        self.halted.set()
        self.view.halted()  # nor any local work (deriving assets) that has not started
        self._stop_sending()
        with self._lock:
            self.codes.append(code)
        later = "queued jobs resume on the next run" if self.options.scratch is None else \
            "queued jobs are listed at the end, with how to collect them"
        try:
            self.view.say(f"Stopping: no new requests; waiting for those in flight ({later}). "
                          "Ctrl-C again to abort.")
            self.poller.stop()
            self.pool.shutdown(wait=True, cancel_futures=True)
        except KeyboardInterrupt as again:  # a second Ctrl-C, or the SIGTERM a CI runner sends
            kept = "`pixazo history` lists each, written before sending" if self.options.scratch \
                else "the manifest marks them, and the next run does not resend them"
            self.view.say(f"Aborted: requests in flight may have been charged; {kept}.")
            if self.options.scratch is not None:  # no clean-up runs after os._exit
                shutil.rmtree(self.options.scratch, ignore_errors=True)
            os._exit(getattr(again, "exit_code", Interrupted.exit_code))

    def _stop_sending(self) -> None:
        self.stopping.set()
        self.limiter.close()  # workers waiting for a slot give up instead of sending

    def _skipped(self, job: BatchJob) -> bool:
        entry = self.manifest.get(job.key)
        if next_step(job, entry, self.options.save.out_dir,
                     self.options.resend_maybe_charged) is not Step.SKIP:
            return False
        self.view.skipped(job.line, entry or {})
        self._finish()
        return True

    def _start(self, job: BatchJob, outcome: Outcome) -> None:
        entry = self.manifest.get(job.key) or {}
        step = next_step(job, entry, self.options.save.out_dir, self.options.resend_maybe_charged)
        if self.stopping.is_set():
            return self._finish()
        if step is not Step.SEND:  # sent by an earlier run: the same paid request goes on
            outcome.ident = entry.get("ledger") or outcome.ident
            outcome.request_id, outcome.urls = entry.get("request_id"), entry.get("urls")
            outcome.sent = was_sent(entry)
            outcome.files = recorded_files(entry, self.options.save.out_dir)
        if step is Step.DOWNLOAD:
            self.view.started(job)
            self._download(job, outcome)  # paid before: fetch again, never pay again
        elif step is Step.RESUME:
            self.view.started(job)
            self.poller.add(job, outcome, self._deadline())  # resume the queued job
        elif step is Step.HOLD:
            self._end(job, outcome, MaybeCharged(
                f"Not sent again: {hold_reason(entry)}.",
                hint="Check your Pixazo dashboard, then re-run with --resend-maybe-charged."))
        else:
            self._submit(job, outcome)

    def _submit(self, job: BatchJob, outcome: Outcome) -> None:
        try:
            self.guard.admit(job.request)
        except SpendingLimit as limit:
            return self._limit_reached(limit)
        self.view.started(job)
        deadline = self._deadline()
        # The manifest's write-ahead is the first listener of `sending`: the intent is on disk
        # before the POST, so a kill at any point leaves a trace the next run reads as "may
        # have been charged" (and a full disk stops the job here, unpaid).
        submit(self.gateway.with_deadline(deadline), outcome, self.events)
        if outcome.urls is None and outcome.image is None:
            self.poller.add(job, outcome, deadline)
        else:
            self._download(job, outcome)

    def _limit_reached(self, limit: SpendingLimit) -> None:
        """Nothing more is sent; what is in flight finishes; the job stays for the next run."""
        with self._lock:
            first = not self.stopping.is_set()
            if first:
                self.codes.append(limit.exit_code)
        if first:
            self.stopping.set()  # what the guard admitted is in budget: let it go out
            self.view.say(f"{limit.message} {limit.hint}")
        self._finish()

    def _queued_done(self, job: BatchJob, outcome: Outcome) -> None:
        if not self.halted.is_set():
            try:
                self.pool.submit(self._guarded, job, outcome,
                                 lambda j, o: self._download(j, o))
                return
            except RuntimeError:
                pass  # the pool shut down as we stopped
        self._finish()  # the next run downloads it from the recorded URLs

    def _download(self, job: BatchJob, outcome: Outcome) -> None:
        # A file an earlier run placed (and recorded) is found again, not fetched and clashed.
        save = replace(self._save_for(job), reuse=bool(outcome.files))
        downloader = self.downloader.with_deadline(self._deadline())
        save_all(downloader, outcome, job.name_parts(), save, self.events)
        self.events.finished(outcome, None)
        self.view.done(job, shown_entry(outcome, None))
        self._finish()

    def _guarded(self, job: BatchJob, outcome: Outcome, step: Any) -> None:
        try:
            step(job, outcome)
        except Stopped:
            self._finish()  # not sent: it stays for the next run
        except PixazoError as error:
            self._end(job, outcome, error)
        except Exception as exc:  # a bug must not hang the batch, nor lose what was paid
            self._end(job, outcome, after_sending(outcome, exc) if outcome.sent else
                      PixazoError(f"unexpected error: {type(exc).__name__}: {exc}"))

    def _end(self, job: BatchJob, outcome: Outcome, error: PixazoError) -> None:
        """A job that stopped with an error: counted, told to every listener (the manifest
        and the history record it, as far as they can) and shown, whatever happens."""
        with self._lock:
            self.codes.append(error.exit_code)
        if isinstance(error, AuthError | BalanceError):  # every other job would fail too
            self._stop_sending()
        with_way_back(error, outcome)
        entry = shown_entry(outcome, error)
        try:
            self.events.finished(outcome, error)
        except Exception as problem:  # a listener's own failure: said, never fatal here
            self.view.say(f"line {job.line}: its failure is not recorded: {problem}")
        finally:
            try:
                self.view.failed(job, entry)
            finally:
                self._finish()  # whatever happens, the batch must not wait for this job forever

    def _finish(self) -> None:
        with self._lock:
            self._left -= 1
            if self._left <= 0:
                self._all_done.set()

    def _deadline(self) -> Deadline:
        return Deadline(self.session.clock, self.options.job_timeout)


def _raise_interrupt(*_: object) -> None:
    raise Terminated
