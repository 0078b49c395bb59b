"""The history's rows: `Row`, one generation as recorded, and `History`, the open database
(one connection, safe to share between a batch's threads) with the write-ahead row written
before every paid POST. recorder.py turns the flow's events into row updates."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixazo_cli.flow.ledger import Origin
from pixazo_cli.history.db import connect
from pixazo_cli.scrub import register_secret, scrub

if TYPE_CHECKING:
    from pixazo_cli.models.request import ApiRequest

def stamp(moment: datetime) -> str:
    """A UTC moment as the rows keep it, 'YYYY-MM-DD HH:MM:SS': the year always four digits,
    so the text sorts as time does for any year (strftime writes the year 999 as '999')."""
    return f"{moment.year:04d}" + moment.strftime("-%m-%d %H:%M:%S")


def utc_now() -> str:
    return stamp(datetime.now(UTC))


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
    ledger: str | None = None  # the paid request's identity (flow/ledger.py)
    sandbox: bool = False  # answered by the sandbox: placeholders, nothing spent

    @classmethod
    def from_sql(cls, row: sqlite3.Row) -> Row:
        data = dict(row)
        data["body"] = json.loads(data["body"])
        data["urls"] = json.loads(data["urls"]) if data["urls"] else None
        data["files"] = json.loads(data["files"] or "[]")
        data["maybe_charged"] = bool(data["maybe_charged"])
        data["sandbox"] = bool(data.get("sandbox"))
        return cls(**data)

    @property
    def created_at(self) -> datetime:
        # fromisoformat reads the stored form as well, without loading _strptime (start-up).
        return datetime.fromisoformat(self.created).replace(tzinfo=UTC)

    @property
    def state(self) -> str:
        """The status in words, for people."""
        if self.status == "sent":
            return "sent, no reply"
        if self.status == "failed" and self.maybe_charged:
            return "failed, may be charged"
        if self.status == "answered" and self.error:
            return "paid, not saved"
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

    def start(self, request: ApiRequest, origin: Origin | None = None,
              ledger: str | None = None) -> int:
        """The write-ahead row: everything known before the paid POST goes out."""
        origin = origin or Origin()
        cursor = self.execute(
            "INSERT INTO generations (created, model, endpoint, body, prompt, cwd, status, "
            "batch_file, batch_line, ledger, sandbox) VALUES (?, ?, ?, ?, ?, ?, 'sent', ?, ?, "
            "?, ?)",
            (utc_now(), request.model.name, request.path,
             json.dumps(request.body, ensure_ascii=False), request.prompt,
             _cwd(), origin.batch_file, origin.batch_line if origin.batch_file else None,
             ledger, int(origin.sandbox)))
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

    def by_ledger(self, ledger: str) -> Row | None:
        rows = self.query("SELECT * FROM generations WHERE ledger = ? ORDER BY id DESC LIMIT 1",
                          (ledger,))
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
