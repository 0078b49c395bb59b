"""Writing the history: a row written ahead of every paid POST, completed as the request goes.

`History` is the open database (one connection, safe to share between a batch's threads);
`HistoryRecorder` listens to the generation flow through the same hooks as the flow's events
(sending, answered, saved, finished) and turns them into row updates.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixazo_cli.errors import GenerationFailed, Interrupted, MaybeCharged, PixazoError
from pixazo_cli.flow.events import FlowEvents
from pixazo_cli.history.db import connect
from pixazo_cli.scrub import register_secret, scrub

if TYPE_CHECKING:
    from pixazo_cli.flow.download import Saved
    from pixazo_cli.flow.generate import Outcome
    from pixazo_cli.models.request import ApiRequest

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def utc_now() -> str:
    return datetime.now(UTC).strftime(TIME_FORMAT)


@dataclass(frozen=True)
class Row:
    """One generation as recorded."""

    id: int
    created: str
    model: str
    endpoint: str
    body: dict[str, Any]
    prompt: str
    cwd: str
    status: str
    request_id: str | None
    urls: list[str] | None
    files: list[dict[str, Any]]
    error: str | None
    exit_code: int | None
    maybe_charged: bool
    finished: str | None
    batch_file: str | None
    batch_line: int | None
    images: int | None
    cost_usd: float | None

    @classmethod
    def from_sql(cls, row: sqlite3.Row) -> Row:
        data = dict(row)
        data["body"] = json.loads(data["body"])
        data["urls"] = json.loads(data["urls"]) if data["urls"] else None
        data["files"] = json.loads(data["files"] or "[]")
        data["maybe_charged"] = bool(data["maybe_charged"])
        return cls(**data)

    @property
    def created_at(self) -> datetime:
        # fromisoformat reads TIME_FORMAT as well, without loading _strptime (start-up).
        return datetime.fromisoformat(self.created).replace(tzinfo=UTC)

    @property
    def state(self) -> str:
        """The status in words, for people."""
        if self.status == "sent":
            return "sent, no reply"
        if self.status == "failed" and self.maybe_charged:
            return "failed, may be charged"
        return self.status

    def to_json(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["state"] = self.state
        return data


class History:
    """The open history database. Writes are serialised in-process by a lock and across
    processes by SQLite (WAL, busy timeout)."""

    def __init__(self, path: Path, secret: str | None = None) -> None:
        self.path = path
        self.conn = connect(path)
        self._lock = threading.Lock()
        register_secret(secret)  # never written: masked in every text stored

    def close(self) -> None:
        self.conn.close()

    @staticmethod
    def _clean(text: str) -> str:
        """Every text stored: the key masked in whatever encoding the column holds (JSON
        text too), and a lone surrogate (an undecodable byte of a path) stored as its JSON
        escape rather than refused by SQLite."""
        return scrub(text).encode("utf-8", "backslashreplace").decode("utf-8")

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        clean = tuple(self._clean(p) if isinstance(p, str) else p for p in params)
        with self._lock:
            return self.conn.execute(sql, clean)

    def raw(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        with self._lock:
            rows = self.conn.execute(sql, params).fetchall()
        return [Row.from_sql(row) for row in rows]

    def start(self, request: ApiRequest, batch_file: str | None = None,
              batch_line: int | None = None) -> int:
        """The write-ahead row: everything known before the paid POST goes out."""
        cursor = self.execute(
            "INSERT INTO generations (created, model, endpoint, body, prompt, cwd, status, "
            "batch_file, batch_line) VALUES (?, ?, ?, ?, ?, ?, 'sent', ?, ?)",
            (utc_now(), request.model.name, request.path,
             json.dumps(request.body, ensure_ascii=False), str(request.body.get("prompt", "")),
             _cwd(), batch_file, batch_line))
        return int(cursor.lastrowid or 0)

    def update(self, row_id: int, **fields: Any) -> None:
        if not fields:
            return
        values = tuple(json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                       for v in fields.values())
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self.execute(f"UPDATE generations SET {assignments} WHERE id = ?", (*values, row_id))

    def get(self, row_id: int) -> Row | None:
        rows = self.query("SELECT * FROM generations WHERE id = ?", (row_id,))
        return rows[0] if rows else None

    def by_request_id(self, request_id: str) -> Row | None:
        rows = self.query("SELECT * FROM generations WHERE request_id = ? ORDER BY id DESC "
                          "LIMIT 1", (request_id,))
        return rows[0] if rows else None

    def by_url(self, url: str) -> Row | None:
        rows = self.query("SELECT * FROM generations WHERE urls IS NOT NULL AND EXISTS "
                          "(SELECT 1 FROM json_each(urls) WHERE value = ?) "
                          "ORDER BY id DESC LIMIT 1", (url,))
        return rows[0] if rows else None

    def last(self, queued_only: bool = False) -> Row | None:
        where = "WHERE status = 'queued'" if queued_only else \
            "WHERE urls IS NOT NULL OR request_id IS NOT NULL"
        rows = self.query(f"SELECT * FROM generations {where} ORDER BY id DESC LIMIT 1")
        return rows[0] if rows else None


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:
        return ""


@dataclass
class _Progress:
    row_id: int
    files: list[dict[str, Any]] = field(default_factory=list)
    answered: bool = False


class HistoryRecorder(FlowEvents):
    """A listener for the generation flow's events that keeps the history rows current.

    One recorder may follow several generations at once (a batch): each is known by its
    request object (`lines` gives a batch request's line). `follow` binds a row recorded
    earlier (`status --wait`, `fetch`)."""

    def __init__(self, history: History, batch_file: str | None = None,
                 lines: dict[int, int] | None = None) -> None:
        self.history = history
        self.batch_file = batch_file
        self.lines = lines or {}
        self._by_request: dict[int, _Progress] = {}
        self._bound: _Progress | None = None
        self._lock = threading.Lock()

    def follow(self, row: Row) -> None:
        self._bound = _Progress(row.id, list(row.files), answered=row.urls is not None)

    def follow_request(self, request: ApiRequest, request_id: str | None,
                       urls: list[str] | None) -> None:
        """A batch job resumed from its manifest: its row, found by request id, goes on."""
        row = self.history.by_request_id(request_id) if request_id else None
        if row is None and urls:
            row = self.history.by_url(urls[0])  # a sync reply may carry no request id
        if row is not None:
            with self._lock:
                self._by_request[id(request)] = _Progress(row.id, list(row.files),
                                                          answered=urls is not None)

    def sending(self, request: ApiRequest) -> None:
        row_id = self.history.start(request, self.batch_file, self.lines.get(id(request)))
        with self._lock:
            self._by_request[id(request)] = _Progress(row_id)

    def answered(self, outcome: Outcome) -> None:
        progress = self._progress(outcome)
        if progress is None:
            return
        fields: dict[str, Any] = {"request_id": outcome.request_id}
        if outcome.urls is None:
            fields["status"] = "queued"
        else:
            fields.update(self._urls(progress, outcome.model, outcome.urls))
        self.history.update(progress.row_id, **fields)

    @staticmethod
    def _urls(progress: _Progress, model: str, urls: list[str]) -> dict[str, Any]:
        """The image URLs, known from the POST's reply (sync) or the job's end (queued)."""
        progress.answered = True
        return {"status": "answered", "urls": urls, "images": len(urls),
                "cost_usd": _cost(model, len(urls))}

    def saved(self, outcome: Outcome, saved: Saved) -> None:
        progress = self._progress(outcome)
        if progress is None:
            return
        entry = {"path": str(saved.path.absolute()), "bytes": saved.bytes,
                 "sha256": saved.sha256, "url": saved.url}
        progress.files = [f for f in progress.files if f.get("url") != saved.url] + [entry]
        fields: dict[str, Any] = {"files": progress.files}
        if not progress.answered and outcome.urls:
            fields.update(self._urls(progress, outcome.model, outcome.urls))
        if {f.get("url") for f in progress.files} >= set(outcome.urls or [saved.url]):
            fields.update(status="saved", error=None, exit_code=0, finished=utc_now())
        self.history.update(progress.row_id, **fields)

    def finished(self, outcome: Outcome | None, error: PixazoError | None) -> None:
        progress = self._progress(outcome)
        if progress is None:
            return
        fields: dict[str, Any] = {"finished": utc_now()}
        if not progress.answered and outcome is not None and outcome.urls:
            fields.update(self._urls(progress, outcome.model, outcome.urls))
        if error is None:
            fields.update(error=None, exit_code=0)
            if progress.answered:  # else a queued job left to collect later (--no-wait)
                fields["status"] = "saved"
        else:
            fields.update(error=error.message, exit_code=error.exit_code)
            row = self.history.get(progress.row_id)
            # Stopped waiting (Ctrl-C, timeout): the job goes on and can still be collected.
            keeps_queued = (row is not None and row.status == "queued" and not progress.answered
                            and not isinstance(error, GenerationFailed))
            fields["status"] = "queued" if keeps_queued else "failed"
            if not progress.answered and (row is None or row.request_id is None):
                fields["maybe_charged"] = int(_maybe_charged(error))
        self.history.update(progress.row_id, **fields)

    def discard(self, request: ApiRequest) -> None:
        """The request was never sent after all (a batch stopped before its turn)."""
        with self._lock:
            progress = self._by_request.pop(id(request), None)
        if progress is not None:
            self.history.execute("DELETE FROM generations WHERE id = ?", (progress.row_id,))

    def _progress(self, outcome: Outcome | None) -> _Progress | None:
        request = outcome.request if outcome is not None else None
        with self._lock:
            found = self._by_request.get(id(request)) if request is not None else None
            if found is None and request is None and len(self._by_request) == 1:
                found = next(iter(self._by_request.values()))
        if found is None and self._bound is None and outcome is not None and request is not None:
            # Sent by an earlier run (a batch resumed from its manifest): its row goes on.
            self.follow_request(request, outcome.request_id, outcome.urls)
            with self._lock:
                found = self._by_request.get(id(request))
        return found or self._bound


def _maybe_charged(error: PixazoError) -> bool:
    """A reply that never came (timeout, dropped connection, Ctrl-C) may still have cost."""
    return isinstance(error, MaybeCharged | Interrupted)


def _cost(model_name: str, images: int) -> float | None:
    from pixazo_cli.models.table import MODELS

    model = MODELS.get(model_name)
    price = model.price_per_image if model else None
    return None if price is None else round(price * images, 4)
