"""A batch's view with its images derived (batch, -n, grid): the listener of assets/follow.py,
standing in front of the view. Every event goes on to the view as it comes, but a job's end
(done, failed, or skipped on a re-run) is shown once its images are derived, with what was
made in each image's file entry, so its stdout lines and its JSON line carry the derived files.

A re-run's saved jobs are derived again with this run's options, without sending anything:
their line numbers are noted as the run reports them, and the engine asks for their originals
only when a worker is free (`_more`), reading each job's manifest entry then, so memory holds
a number per saved job and the entries of the few being derived."""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixazo_cli.assets.engine import Job
from pixazo_cli.assets.follow import Deriving, OptionsAt, where
from pixazo_cli.batch.events import BatchEvents
from pixazo_cli.batch.jobfile import BatchJob

if TYPE_CHECKING:
    from pixazo_cli.errors import PixazoError
    from pixazo_cli.flow.download import Saved
    from pixazo_cli.flow.events import StatusUpdate
    from pixazo_cli.flow.ledger import Outcome

Line = int | None
Show = Callable[[dict[str, dict[str, Any]]], None]  # a job's end, given what was derived


class DerivingView(Deriving, BatchEvents):
    def __init__(self, view: BatchEvents, options_at: OptionsAt,
                 entry_at: Callable[[int], dict[str, Any] | None], folder: Path,
                 workers: int | None = None) -> None:
        """`entry_at(line)`: the manifest entry of the job on that line (for saved jobs);
        `folder`: where the batch saves its images."""
        self.view = view
        self.folder = folder
        self.entry_at = entry_at
        self._saved_lines: array[int] = array("q")  # saved jobs noted, to derive when idle
        self._cursor = 0
        self._starved = True  # the engine found nothing more: tell it when there is
        self._feed: deque[Job] = deque()  # the originals of the saved job being fed
        self._pending: dict[Line, int] = {}  # a job's images not derived yet
        self._found: dict[Line, dict[str, dict[str, Any]]] = {}
        self._held: dict[Line, Show] = {}
        super().__init__(options_at, view.say, workers, more=self._more)

    # -- the view's own events go on as they come -------------------------------------------

    def __enter__(self) -> DerivingView:
        self.view.__enter__()
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Wait for the derivations (the progress bar still counting them), then show what
        waited for them; a stop (halted, Ctrl-C here) shows the rest without deriving."""
        try:
            self.close()
        finally:
            try:
                self._show_the_rest()
            finally:
                self.view.__exit__(*exc)

    def stage(self, label: str, status: str) -> AbstractContextManager[StatusUpdate]:
        return self.view.stage(label, status)

    def sending(self, outcome: Outcome) -> None:
        self.view.sending(outcome)

    def notice(self, outcome: Outcome, message: str) -> None:
        self.view.notice(outcome, message)

    def answered(self, outcome: Outcome) -> None:
        self.view.answered(outcome)

    def finished(self, outcome: Outcome, error: PixazoError | None) -> None:
        self.view.finished(outcome, error)

    def say(self, message: str) -> None:
        self.view.say(message)

    def started(self, job: BatchJob) -> None:
        self.view.started(job)

    def halted(self) -> None:
        self.halt()
        self.view.halted()

    def summary(self) -> None:
        if sum(self.counts.values()):
            self.say(self.summary_line())
        self.view.summary()

    # -- images saved now, and a job's end once they are derived ------------------------------

    def saved(self, outcome: Outcome, saved: Saved) -> None:
        self.view.saved(outcome, saved)
        self.submit(saved.path, outcome.origin.batch_line)

    def done(self, job: BatchJob, entry: dict[str, Any]) -> None:
        self._end(job.line, lambda found: self.view.done(job, self._with(entry, found)))

    def failed(self, job: BatchJob, entry: dict[str, Any]) -> None:
        self._end(job.line, lambda found: self.view.failed(job, self._with(entry, found)))

    def expect(self, original: Path, line: Line, options: Any) -> None:
        with self._lock:
            self._pending[line] = self._pending.get(line, 0) + 1
        super().expect(original, line, options)

    def derived(self, line: Line, original: Path, found: dict[str, Any]) -> None:
        with self._lock:
            self._found.setdefault(line, {})[where(original)] = found
            self._pending[line] -= 1
            show = self._ready(line)
        if show is not None:
            show()

    def _end(self, line: Line, show: Show) -> None:
        with self._lock:
            self._held[line] = show
            ready = self._ready(line)
        if ready is not None:
            ready()

    def _ready(self, line: Line) -> Callable[[], None] | None:
        """The job's end, to show now that nothing of it is left to derive (lock held)."""
        if self._pending.get(line) or line not in self._held:
            return None
        show, found = self._held.pop(line), self._found.pop(line, {})
        self._pending.pop(line, None)
        return lambda: show(found)

    def _with(self, entry: dict[str, Any], found: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """The entry with what was derived from each of its files in the file's entry."""
        if not found:
            return entry
        files = [{**f, **found.get(where(self.folder / f["path"]), {})}
                 if isinstance(f.get("path"), str) else f for f in entry.get("files") or []]
        return {**entry, "files": files}

    # -- a re-run's saved jobs, fed to the engine when a worker is free -----------------------

    def skipped(self, line: int, entry: dict[str, Any]) -> None:
        if self.stopped or self.options_at(line) is None:
            self.view.skipped(line, entry)
            return
        with self._lock:
            self._saved_lines.append(line)
            poke, self._starved = self._starved, False
        if poke:
            self.poke()

    def _more(self) -> Job | None:
        """The next saved original to derive (on the engine's thread), or None for now."""
        while not self._feed:
            line = self._next_saved()
            if line is None:
                return None
            entry = self.entry_at(line) or {}
            options = self.options_at(line)
            for original in self._originals(entry):
                self.expect(original, line, options)
                self._feed.append((original, options))  # type: ignore[arg-type]
            self._end(line, lambda found, line=line, entry=entry: self.view.skipped(
                line, self._with(entry, found)))
        return self._feed.popleft()

    def _next_saved(self) -> int | None:
        with self._lock:
            if self.stopped or self._cursor >= len(self._saved_lines):
                self._starved = True
                return None
            self._cursor += 1
            return self._saved_lines[self._cursor - 1]

    def _originals(self, entry: dict[str, Any]) -> Iterator[Path]:
        for made in entry.get("files") or []:
            if isinstance(made.get("path"), str):
                yield self.folder / made["path"]

    def _show_the_rest(self) -> None:
        """After a stop: the jobs whose derivation never ran, as they are, and the saved jobs
        never fed (shown, and counted, as already saved)."""
        with self._lock:
            held, self._held = self._held, {}
            self._feed.clear()
            rest, self._cursor = self._saved_lines[self._cursor:], len(self._saved_lines)
        for line, show in sorted(held.items(), key=lambda item: item[0] or 0):
            show(self._found.pop(line, {}))
        for line in rest:
            self.view.skipped(line, self.entry_at(line) or {})
