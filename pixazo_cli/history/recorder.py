"""Recording the flow in the history: `HistoryRecorder` listens to the ledger's events
(flow/events.py: sending, answered, saved, finished) and turns them into row updates.

The history helps but never blocks. Writes go one at a time, so a file another program holds
costs one wait (the busy timeout), not one per job; after a failure (a locked, full, read-only
or damaged file), said once, nothing more is tried while the command runs, and what could not
be written is kept and written once more when the command ends (`close`): a lock that went
away by then loses nothing.

A request sent by an earlier command (a batch resumed from its manifest, `fetch`, `status
--wait`) continues its own row, and that row only moves forward: its files are added to, its
status only advances (queued or answered to saved), and its request id, error and finish time
stay what the original request left."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pixazo_cli.errors import GenerationFailed, PixazoError
from pixazo_cli.flow.events import FlowEvents
from pixazo_cli.flow.ledger import ANSWERED, FAILED, QUEUED, SAVED, SENT, Outcome, settled
from pixazo_cli.history.store import History, Row, utc_now

if TYPE_CHECKING:
    from pixazo_cli.flow.download import Saved

_ORDER = {SENT: 0, QUEUED: 1, FAILED: 1, ANSWERED: 2, SAVED: 3}  # how far a row has come


@dataclass
class _Progress:
    outcome: Outcome | None  # for the write-ahead row, while it is not written yet
    row_id: int | None = None
    status: str = SENT
    files: list[dict[str, Any]] = field(default_factory=list)
    answered: bool = False
    earlier: bool = False  # sent by an earlier command: only moves forward
    had_request_id: bool = False
    pending: dict[str, Any] = field(default_factory=dict)  # fields not written yet


class HistoryRecorder(FlowEvents):
    """One row per paid request, known by the request's ledger identity (`Outcome.ident`)."""

    def __init__(self, history: History, warn: Callable[[str], None] | None = None) -> None:
        self.history = history
        self.warn = warn
        self._rows: dict[str, _Progress] = {}
        self._lock = threading.Lock()  # the map
        self._writing = threading.Lock()  # one write at a time
        self._broken = False
        self._warned = False

    def follow(self, row: Row, outcome: Outcome) -> None:
        """`outcome` (fetch, status --wait, a resumed batch job) goes on with `row`."""
        with self._lock:
            self._rows[outcome.ident] = _Progress(
                None, row.id, row.status, list(row.files), answered=row.urls is not None,
                earlier=True, had_request_id=row.request_id is not None)

    def sending(self, outcome: Outcome) -> None:
        if outcome.request is None or outcome.ident in self._rows:  # made again for its row
            return
        progress = _Progress(outcome)
        with self._lock:
            self._rows[outcome.ident] = progress
        self._write(progress)

    def answered(self, outcome: Outcome) -> None:
        progress = self._progress(outcome)
        if progress is None:
            return
        fields: dict[str, Any] = {}
        if outcome.request_id and not progress.had_request_id:
            fields["request_id"] = outcome.request_id
        if not outcome.answered:
            self._advance(progress, fields, QUEUED)
        elif not progress.answered:
            fields.update(self._urls(progress, outcome))
        self._update(progress, fields)

    def _urls(self, progress: _Progress, outcome: Outcome) -> dict[str, Any]:
        """The image URLs, known from the POST's reply (sync) or the job's end (queued)."""
        progress.answered = True
        images = len(outcome.urls or []) or (1 if outcome.image is not None else 0)
        fields = {"urls": outcome.urls or [], "images": images,
                  "sandbox": int(outcome.origin.sandbox),
                  "cost_usd": _cost(outcome.model, images, outcome.origin.sandbox)}
        self._advance(progress, fields, ANSWERED)
        return fields

    def saved(self, outcome: Outcome, saved: Saved) -> None:
        progress = self._progress(outcome)
        if progress is None:
            return
        path = "-" if saved.to_stdout else str(saved.path.absolute())
        entry = {"path": path, "bytes": saved.bytes,
                 "sha256": saved.sha256, "url": saved.url}
        if progress.earlier:  # a copy fetched again is added; the original's stay listed
            keep = [f for f in progress.files if f.get("path") != entry["path"]]
        else:  # one file per URL of this request
            keep = [f for f in progress.files if f.get("url") != saved.url or not saved.url]
        progress.files = keep + [entry]
        fields: dict[str, Any] = {"files": progress.files}
        if not progress.answered and outcome.answered:
            fields.update(self._urls(progress, outcome))
        self._update(progress, fields)

    def finished(self, outcome: Outcome, error: PixazoError | None) -> None:
        progress = self._progress(outcome)
        if progress is None:
            return
        fields: dict[str, Any] = {}
        if not progress.answered and outcome.answered:
            fields.update(self._urls(progress, outcome))
        if error is None:
            if outcome.answered:  # else a queued job left to collect later (--no-wait)
                moved = self._advance(progress, fields, SAVED)
                if moved or not progress.earlier:
                    fields.update(error=None, exit_code=0, finished=utc_now())
        elif not progress.earlier or isinstance(error, GenerationFailed):
            # A later command's failure (a fetch that could not download) is its own news,
            # not the original request's; a queued job that ended FAILED is.
            state, maybe = settled(outcome, error)
            fields.update(status=state, error=error.message, exit_code=error.exit_code,
                          finished=utc_now(), maybe_charged=int(maybe))
            progress.status = state
        self._update(progress, fields)
        self._forget(outcome.ident, progress)

    def close(self) -> None:
        """The command ends: what could not be written is tried once more."""
        with self._lock:
            left = [p for p in self._rows.values() if p.row_id is None or p.pending]
        if not left:
            return
        self._broken = False
        for progress in left:
            self._write(progress)
        if self._broken and self.warn is not None:
            self.warn(f"Warning: {len(left)} generation(s) are missing from the history or "
                      "out of date in it; the images are saved all the same.")

    @staticmethod
    def _advance(progress: _Progress, fields: dict[str, Any], status: str) -> bool:
        """Move the status forward, never back (a row fetched again stays as far as it got)."""
        if _ORDER[status] < _ORDER.get(progress.status, 0) or \
                (progress.earlier and _ORDER[status] == _ORDER.get(progress.status, 0)):
            return False
        fields["status"] = progress.status = status
        return True

    def _progress(self, outcome: Outcome) -> _Progress | None:
        with self._lock:
            found = self._rows.get(outcome.ident)
        if found is not None or not outcome.sent or self._broken:
            return found
        # Sent by an earlier run (a batch resumed from its manifest): its row goes on.
        row = self._safely(lambda: self._earlier_row(outcome))
        if row is None:
            return None
        self.follow(row, outcome)
        return self._rows.get(outcome.ident)

    def _earlier_row(self, outcome: Outcome) -> Row | None:
        row = self.history.by_ledger(outcome.ident)
        if row is None and outcome.request_id:  # manifests written before the ledger
            row = self.history.by_request_id(outcome.request_id)
        if row is None and outcome.urls:  # a sync reply may carry no request id
            row = self.history.by_url(outcome.urls[0])
        return row

    def _update(self, progress: _Progress, fields: dict[str, Any]) -> None:
        if fields:
            progress.pending.update(fields)
            self._write(progress)

    def _write(self, progress: _Progress) -> None:
        """The row's write-ahead insert (once) and its pending fields, if the file takes them."""
        def write() -> None:
            if progress.row_id is None and progress.outcome is not None:
                outcome = progress.outcome
                assert outcome.request is not None
                progress.row_id = self.history.start(outcome.request, outcome.origin,
                                                     outcome.ident)
            if progress.row_id is not None and progress.pending:
                self.history.update(progress.row_id, **progress.pending)
                progress.pending = {}

        self._safely(write)

    def _forget(self, ident: str, progress: _Progress) -> None:
        """A row fully written is not held any longer: memory stays flat over a long batch."""
        if progress.row_id is not None and not progress.pending:
            with self._lock:
                self._rows.pop(ident, None)

    def _safely(self, write: Callable[[], Any]) -> Any:
        """One write at a time; a history that cannot be written is said once, then left
        alone until the command ends."""
        with self._writing:
            if self._broken:
                return None
            try:
                return write()
            except (sqlite3.Error, OSError) as exc:
                self._broken = True
                if not self._warned and self.warn is not None:
                    self._warned = True
                    self.warn(f"Warning: the history is not recorded ({self.history.path}: "
                              f"{exc}); the image is made all the same.")
                return None


def _cost(model_name: str, images: int, sandbox: bool = False) -> float | None:
    """What the images cost, where the vendor states a price; the sandbox's cost nothing."""
    from pixazo_cli.models.table import MODELS

    if sandbox:
        return 0.0
    model = MODELS.get(model_name)
    price = model.price_per_image if model else None
    return None if price is None else round(price * images, 4)
