"""Reading the history: the latest rows with filters, full-text search, spend, and clearing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pixazo_cli.errors import UsageError
from pixazo_cli.history.db import has_fts
from pixazo_cli.history.store import History, Row, stamp

PENDING_SQL = ("(status IN ('sent', 'queued') OR (status = 'failed' AND maybe_charged = 1 "
               "AND urls IS NULL))")
_RELATIVE = re.compile(r"^(\d+)([dhm])$")
SQLITE_MAX_INT = 2**63 - 1


@dataclass(frozen=True)
class Filter:
    limit: int | None = 20
    model: str | None = None
    since: str | None = None  # UTC, as stored (store.stamp)
    before: str | None = None
    search: str | None = None
    failed: bool = False
    pending: bool = False


def parse_when(text: str, option: str, now: datetime | None = None) -> str:
    """A local date or date-time (2026-11-23, 2026-11-23T14:00) or an age (7d, 12h, 30m), as
    the UTC text the rows are stored with. A moment no calendar holds is a plain exit 2."""
    now = now or datetime.now().astimezone()
    match = _RELATIVE.match(text.strip())
    try:
        if match:
            unit = {"d": "days", "h": "hours", "m": "minutes"}[match.group(2)]
            moment = now - timedelta(**{unit: int(match.group(1))})
        else:
            moment = _moment(text, option)
        return stamp(moment.astimezone(UTC))
    except (OverflowError, ValueError):
        raise UsageError(f"{option} {text} is out of range: dates go from year 1 to 9999.",
                         hint=f"For example: {option} 30d, or {option} 2026-01-01.") from None


def _moment(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} wants a date such as 2026-11-23, a date and time such as "
                         f"2026-11-23T14:00, or an age such as 7d or 12h; not {text!r}."
                         ) from None
    return moment.astimezone() if moment.tzinfo is None else moment  # people write local time


def _where(history: History, query: Filter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.model:
        clauses.append("model = ?")
        params.append(query.model)
    if query.since:
        clauses.append("created >= ?")
        params.append(query.since)
    if query.before:
        clauses.append("created < ?")
        params.append(query.before)
    if query.failed:
        clauses.append("status = 'failed'")
    if query.pending:
        clauses.append(PENDING_SQL)
    if query.search:
        clauses.append(_search_clause(history, query.search, params))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _search_clause(history: History, text: str, params: list[Any]) -> str:
    if has_fts(history.conn):
        # Every word must appear; each is quoted so FTS syntax in a prompt is just text.
        words = [w.replace('"', '""') for w in text.split()]
        params.append(" ".join(f'"{w}"*' for w in words) or '""')
        return "id IN (SELECT rowid FROM prompts_fts WHERE prompts_fts MATCH ?)"
    params.append("%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                  + "%")
    return "prompt LIKE ? ESCAPE '\\'"


def latest(history: History, query: Filter) -> list[Row]:
    """Newest first."""
    where, params = _where(history, query)
    limit = " LIMIT ?" if query.limit is not None else ""
    if query.limit is not None:
        params.append(min(query.limit, SQLITE_MAX_INT))  # -n 10**20: every row, not a crash
    return history.query(f"SELECT * FROM generations{where} ORDER BY id DESC{limit}",
                         tuple(params))


@dataclass(frozen=True)
class Spend:
    """One line of `history --cost`: a model or a day."""

    key: str
    images: int
    cost_usd: float  # of the images with a known price
    unpriced_images: int

    def to_json(self, kind: str) -> dict[str, Any]:
        key: str | bool = True if kind == "sandbox" else self.key
        return {kind: key, "images": self.images, "cost_usd": round(self.cost_usd, 4),
                "images_of_unknown_price": self.unpriced_images}


def spend(history: History, query: Filter, by: str) -> list[Spend]:
    """Images made and their cost, by 'model' or by local 'day'; or, by 'sandbox', the
    sandbox's placeholders, which cost nothing and are left out of the other sums."""
    group = {"model": "model", "day": "date(created, 'localtime')", "sandbox": "'sandbox'"}[by]
    where, params = _where(history, Filter(None, query.model, query.since, query.before,
                                           query.search))
    sandbox = int(by == "sandbox")
    where += (" AND " if where else " WHERE ") + f"images IS NOT NULL AND sandbox = {sandbox}"
    sql = (f"SELECT {group} AS key, SUM(images) AS images, "
           "COALESCE(SUM(cost_usd), 0) AS cost, "
           "COALESCE(SUM(CASE WHEN cost_usd IS NULL THEN images END), 0) AS unpriced "
           f"FROM generations{where} GROUP BY {group} ORDER BY {group}")
    rows = history.raw(sql, tuple(params))
    return [Spend(str(r["key"]), int(r["images"]), float(r["cost"]), int(r["unpriced"]))
            for r in rows]


def clear(history: History, rows: list[Row]) -> int:
    """Delete exactly these rows (the ones a filter listed and the user saw); the image files
    stay."""
    ids = [row.id for row in rows]
    deleted = 0
    for start in range(0, len(ids), 500):  # SQLite's bound on parameters
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        deleted += history.execute(f"DELETE FROM generations WHERE id IN ({marks})",
                                   tuple(chunk)).rowcount
    history.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return deleted
