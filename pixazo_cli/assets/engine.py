"""Deriving many originals on every core, apart from any sending.

`DeriveEngine.submit(path)` may be called from any thread (a batch's workers report each saved
image from their own) and never waits for derivation: paths queue up (a path each, not their
pixels), at most two per worker process are in flight, and each result is handed to
`on_done` in the order the paths were submitted, from one thread of the engine's own. So a
slow derivation never holds a request back, and memory stays flat however many images come.

A batch's re-run hands over its saved originals lazily (`more`): the engine asks for the next
one only when a worker is free and nothing submitted waits, so a re-run over 100,000 saved jobs
holds none of them here, and the images being paid for now are derived first.

One asset's failure (not an image, a name taken by another file) is its outcome, not the
run's end. Worker processes ignore Ctrl-C and SIGTERM: the command stops them after the assets
in progress, so no part file is left behind.
"""

from __future__ import annotations

import os
import queue
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pixazo_cli.assets.asset import Asset
from pixazo_cli.assets.options import AssetOptions
from pixazo_cli.compare.pool import SAFE_PATH, process_pool, put_back
from pixazo_cli.errors import Interrupted, PixazoError, SaveError, UsageError

PER_WORKER = 2  # in flight per process: one deriving, one ready to start
Job = tuple[Path, AssetOptions]
_ERRORS = {UsageError.exit_code: UsageError, SaveError.exit_code: SaveError}


@dataclass(frozen=True)
class Outcome:
    original: Path
    asset: Asset | None = None
    reused: bool = False  # the manifest's entry still held: nothing was derived again
    failure: tuple[int, str, str | None] | None = None  # exit code, message, hint

    @property
    def error(self) -> PixazoError | None:
        if self.failure is None:
            return None
        code, message, hint = self.failure
        error = _ERRORS.get(code, PixazoError)(message, hint=hint)
        error.exit_code = code
        return error


def derive_one(original: Path, options: AssetOptions, previous: dict[str, Any] | None) -> Outcome:
    """One asset, in whichever process runs it: the earlier entry reused when it still holds,
    else derived again (replacing only the files that entry lists)."""
    from pixazo_cli.assets.derive import derive_asset
    from pixazo_cli.assets.reuse import own_files, still_valid

    try:
        kept = still_valid(previous, original, options)
        if kept is not None:
            return Outcome(original, kept, reused=True)
        return Outcome(original, derive_asset(original, options, own_files(previous, original)))
    except PixazoError as error:
        return Outcome(original, failure=(error.exit_code, error.message, error.hint))
    except OSError as error:
        return Outcome(original, failure=(SaveError.exit_code, f"Cannot derive from "
                                          f"{original}: {error.strerror or error}.", None))


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


class DeriveEngine:
    """Derive submitted originals in a process pool (`workers` processes; 0: in the engine's
    own thread), reporting each Outcome to `on_done` in submission order. `previous(path)`
    gives an original's earlier manifest entry, if any; both are called on the engine's
    thread. close() waits for all; leaving a `with` block by an exception cancels the rest."""

    def __init__(self, options: AssetOptions, on_done: Callable[[Outcome], None],
                 workers: int | None = None,
                 previous: Callable[[Path], dict[str, Any] | None] | None = None,
                 more: Callable[[], Job | None] | None = None) -> None:
        self.options = options
        self._on_done = on_done
        self._previous = previous or (lambda _: None)
        self._more = more or (lambda: None)  # the next original to derive when idle, if any
        count = default_workers() if workers is None else workers
        self._safe_path = os.environ.get(SAFE_PATH)
        self._pool = process_pool(count, quiet_signals=True) if count > 0 else None
        self._window = max(1, count) * PER_WORKER
        self._inbox: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pixazo-derive", daemon=True)
        self._thread.start()

    def submit(self, original: Path, options: AssetOptions | None = None) -> None:
        """Derive `original` with `options` (a batch line's own), else the engine's."""
        self._inbox.put(("path", (original, options or self.options)))

    def poke(self) -> None:
        """`more` may have an original again: ask it when a worker is free."""
        self._inbox.put(("poke", None))

    def halt(self) -> None:
        """Start nothing more (what is submitted is dropped, `more` no longer asked); what has
        started finishes. Returns at once; close() or cancel() then waits."""
        self._inbox.put(("halt", None))

    def close(self) -> None:
        self._stop("close")
        if self._failure is not None:
            raise self._failure

    def cancel(self) -> None:
        """Drop what has not started; wait for what has (its files are whole or absent)."""
        self._stop("cancel")

    def __enter__(self) -> DeriveEngine:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            self.cancel()

    def _stop(self, how: str) -> None:
        self._inbox.put((how, None))
        self._thread.join()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            put_back(self._safe_path)

    def _run(self) -> None:
        backlog: deque[tuple[int, Job]] = deque()
        done: dict[int, Outcome] = {}
        submitted = reported = running = 0
        closing = halted = False
        while True:
            kind, value = self._inbox.get()
            if kind == "path":
                backlog.append((submitted, value))
                submitted += 1
            elif kind == "done":
                running -= 1
                done[value[0]] = value[1]
            closing = closing or kind in ("close", "cancel")
            halted = halted or kind in ("halt", "cancel") or self._failure is not None
            if halted:
                backlog.clear()
            while running < self._window and not halted:
                job = backlog.popleft() if backlog else self._next(submitted)
                if job is None:
                    break
                submitted = max(submitted, job[0] + 1)
                running += 1
                self._start(*job)
            while reported in done:
                self._report(done.pop(reported))
                reported += 1
            if closing and running == 0 and not backlog:
                return

    def _next(self, seq: int) -> tuple[int, Job] | None:
        try:
            job = self._more()
        except BaseException as failure:  # noqa: BLE001 (re-raised by close(), in the caller)
            self._failure = failure
            return None
        return None if job is None else (seq, job)

    def _start(self, seq: int, job: tuple[Path, AssetOptions]) -> None:
        original, options = job
        try:
            previous = self._previous(original)
        except PixazoError as error:
            self._inbox.put(("done", (seq, Outcome(original, failure=(
                error.exit_code, error.message, error.hint)))))
            return
        if self._pool is None:
            self._inbox.put(("done", (seq, derive_one(original, options, previous))))
            return
        future = self._pool.submit(derive_one, original, options, previous)
        future.add_done_callback(lambda f: self._inbox.put(("done", (seq, _outcome(original,
                                                                                     f)))))

    def _report(self, outcome: Outcome) -> None:
        if self._failure is not None:
            return
        try:
            self._on_done(outcome)
        except BaseException as failure:  # noqa: BLE001 (re-raised by close(), in the caller)
            self._failure = failure


def _outcome(original: Path, future: Future[Outcome]) -> Outcome:
    if future.cancelled():
        return Outcome(original, failure=(Interrupted.exit_code, "Stopped before deriving "
                                          f"{original}.", None))
    failure = future.exception()
    if failure is not None:  # the worker process died (killed, out of memory)
        return Outcome(original, failure=(SaveError.exit_code, f"Deriving {original} "
                                          f"failed: {type(failure).__name__}: {failure}.", None))
    return future.result()
