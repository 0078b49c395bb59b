"""Recording the flow in the history: `HistoryRecorder` listens to the ledger's events
(flow/events.py: sending, answered, saved, finished) and turns them into row updates."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pixazo_cli.errors import GenerationFailed, PixazoError
from pixazo_cli.flow.events import FlowEvents
from pixazo_cli.flow.ledger import ANSWERED, QUEUED, SAVED, Outcome, settled
from pixazo_cli.history.store import History, Row, utc_now

if TYPE_CHECKING:
    from pixazo_cli.flow.download import Saved

T = TypeVar("T")


@dataclass
class _Progress:
    row_id: int
    files: list[dict[str, Any]] = field(default_factory=list)
    answered: bool = False
    earlier: bool = False  # sent by an earlier command: only its progress is written


class HistoryRecorder(FlowEvents):
    """A listener for the generation flow's events that keeps the history rows current: one
    row per paid request, known by the request's ledger identity (`Outcome.ident`).

    The history helps but never blocks: a write that fails (a locked, full, read-only or
    damaged file) is said once through `warn`, and from then on nothing more is written; the
    request goes on. A request sent by an earlier command (a batch resumed from its manifest,
    `fetch`, `status --wait`) continues its own row, which only moves forward: fetching again
    never rewrites how the original request went."""

    def __init__(self, history: History, warn: Callable[[str], None] | None = None) -> None:
        self.history = history
        self.warn = warn
        self._rows: dict[str, _Progress] = {}
        self._lock = threading.Lock()
        self._broken = False

    def follow(self, row: Row, outcome: Outcome) -> None:
        """`outcome` (fetch, status --wait) goes on with `row`, recorded earlier."""
        with self._lock:
            self._rows[outcome.ident] = _Progress(row.id, list(row.files),
                                                  answered=row.urls is not None, earlier=True)

    def sending(self, outcome: Outcome) -> None:
        if outcome.request is None or outcome.ident in self._rows:  # made again for its row
            return
        row_id = self._safely(lambda: self.history.start(outcome.request, outcome.origin,
                                                          outcome.ident))
        if row_id is not None:
            with self._lock:
                self._rows[outcome.ident] = _Progress(row_id)

    def answered(self, outcome: Outcome) -> None:
        progress = self._progress(outcome)
        if progress is None:
            return
        fields: dict[str, Any] = {"request_id": outcome.request_id} if outcome.request_id \
            else {}
        if outcome.urls is None and outcome.image is None:
            if not progress.earlier:
                fields["status"] = QUEUED
        else:
            fields.update(self._urls(progress, outcome))
        self._update(progress, fields)

    def _urls(self, progress: _Progress, outcome: Outcome) -> dict[str, Any]:
        """The image URLs, known from the POST's reply (sync) or the job's end (queued)."""
        progress.answered = True
        images = len(outcome.urls or []) or (1 if outcome.image is not None else 0)
        return {"status": ANSWERED, "urls": outcome.urls or [], "images": images,
                "sandbox": int(outcome.origin.sandbox),
                "cost_usd": _cost(outcome.model, images, outcome.origin.sandbox)}

    def saved(self, outcome: Outcome, saved: Saved) -> None:
        progress = self._progress(outcome)
        if progress is None:
            return
        entry = {"path": str(saved.path.absolute()), "bytes": saved.bytes,
                 "sha256": saved.sha256, "url": saved.url}
        progress.files = [f for f in progress.files
                          if f.get("url") != saved.url or not saved.url] + [entry]
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
                fields.update(status=SAVED, error=None, exit_code=0, finished=utc_now())
        elif not progress.earlier or isinstance(error, GenerationFailed):
            # A later command's failure (a fetch that could not download) is its own news,
            # not the original request's; a queued job that ended FAILED is.
            state, maybe = settled(outcome, error)
            fields.update(status=state, error=error.message, exit_code=error.exit_code,
                          finished=utc_now(), maybe_charged=int(maybe))
        self._update(progress, fields)

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
            self._safely(lambda: self.history.update(progress.row_id, **fields))

    def _safely(self, write: Callable[[], T]) -> T | None:
        """A history that cannot be written is said once, then left alone."""
        if self._broken:
            return None
        try:
            return write()
        except (sqlite3.Error, OSError) as exc:
            with self._lock:
                first, self._broken = not self._broken, True
            if first and self.warn is not None:
                self.warn(f"Warning: the history is not recorded ({self.history.path}: {exc}); "
                          "the image is made all the same.")
            return None


def _cost(model_name: str, images: int, sandbox: bool = False) -> float | None:
    """What the images cost, where the vendor states a price; the sandbox's cost nothing."""
    from pixazo_cli.models.table import MODELS

    if sandbox:
        return 0.0
    model = MODELS.get(model_name)
    price = model.price_per_image if model else None
    return None if price is None else round(price * images, 4)
