"""What `history` and `fetch` do, and how `status` and `replay` find a generation recorded in
the history: read rows, turn one back into an outcome the flow can collect, print."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pixazo_cli.errors import UsageError
from pixazo_cli.models.table import MODELS

if TYPE_CHECKING:
    from pixazo_cli.commands.session import Session
    from pixazo_cli.flow.generate import Outcome
    from pixazo_cli.history.queries import Filter
    from pixazo_cli.history.store import History, Row
    from pixazo_cli.models.request import ApiRequest

PROMPT_WIDTH = 60


def open_for_reading(session: Session | None = None) -> History | None:
    """The history to read from, even when recording is off; None when there is none yet."""
    if session is not None and session.history() is not None:
        return session.history()
    from pixazo_cli.history.db import default_path

    if not default_path().exists():
        return None
    from pixazo_cli.history.store import History

    history = History(default_path())
    if session is not None:
        session.close_later(history)
    return history


def find_row(history: History | None, ident: str) -> Row:
    """A history id (the number `pixazo history` shows) or a request id."""
    row = None
    if history is not None:
        row = history.get(int(ident)) if ident.isdigit() else history.by_request_id(ident)
    if row is None:
        raise UsageError(f"No generation {ident!r} in the history.",
                         hint="`pixazo history` lists them, with their ids.")
    return row


def last_row(history: History | None, queued_only: bool) -> Row:
    row = history.last(queued_only) if history is not None else None
    if row is None:
        what = "queued job" if queued_only else "generation with a reply"
        raise UsageError(f"No {what} in the history.",
                         hint="Give its id: `pixazo history` lists them.")
    return row


def outcome_from_row(row: Row) -> Outcome:
    # The flow (and httpx with it) is loaded only to collect, never to list: `history` is fast.
    from pixazo_cli.flow.download import Saved
    from pixazo_cli.flow.generate import Outcome
    from pixazo_cli.models.request import ApiRequest

    model = MODELS.get(row.model)
    request = ApiRequest(model, row.endpoint, row.body) if model else None
    files = [Saved(Path(f["path"]), f["url"], f["bytes"], f["sha256"]) for f in row.files]
    return Outcome(row.model, request_id=row.request_id, status=row.status, request=request,
                   urls=row.urls, files=files, created=row.created_at)


def collectable(row: Row) -> None:
    """Refuse what cannot be fetched without paying again."""
    if row.urls is None and not (row.request_id and MODELS.get(row.model)
                                 and MODELS[row.model].queued):
        raise UsageError(f"Generation {row.id} has no image URLs to fetch: the gateway "
                         f"never answered it ({row.state}).",
                         hint="Check your Pixazo dashboard; `pixazo replay "
                         f"{row.id}` sends it again (and pays again).")


def replay_request(ident: str) -> ApiRequest:
    """`replay ID`: the request recorded in the history, checked like one read from a file."""
    from pixazo_cli.models.request import recorded_request

    history = open_for_reading()
    try:
        row = find_row(history, ident)
    finally:
        if history is not None:
            history.close()
    model = MODELS.get(row.model)
    if model is None or row.endpoint not in (model.path, model.stream_path):
        raise UsageError(f"Generation {row.id} was made by {row.model} at {row.endpoint}, "
                         "which this pixazo cannot send.")
    return recorded_request(model, row.endpoint, row.body)


# --- `pixazo history` ------------------------------------------------------------------------

@dataclass(frozen=True)
class HistoryOptions:
    query: Filter
    json_out: bool = False
    cost: bool = False
    pager: bool = True  # on a terminal, through the pager (--no-pager: straight out)


def run_history(options: HistoryOptions, say: Any) -> None:
    """Newest first, as `git log` lists: on a terminal the pager opens on the newest rows, so
    they are where the eye lands first and never scroll off the top."""
    from pixazo_cli.ui.pager import paged

    history = open_for_reading()
    if history is None:
        say("No history yet: generations are recorded as they are made.")
        return
    try:
        with paged(options.pager) as out:
            if options.cost:
                _print_cost(history, options, out)
            else:
                _print_rows(history, options, out)
    finally:
        history.close()


def _print_rows(history: History, options: HistoryOptions, out: TextIO) -> None:
    from pixazo_cli.history.queries import latest

    for row in latest(history, options.query):
        if options.json_out:
            out.write(json.dumps(row.to_json(), ensure_ascii=False, allow_nan=False) + "\n")
            continue
        when = row.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        prompt = " ".join(row.prompt.split())
        if len(prompt) > PROMPT_WIDTH:
            prompt = prompt[:PROMPT_WIDTH - 1] + "…"
        out.write(f"{row.id:>5}  {when}  {row.model:<9}  {row.state:<22}  {prompt}\n")
        for saved in row.files:
            out.write(f"{'':>7}{saved['path']}\n")


def _print_cost(history: History, options: HistoryOptions, out: TextIO) -> None:
    from pixazo_cli.history.queries import spend

    by_model = spend(history, options.query, "model")
    by_day = spend(history, options.query, "day")
    if options.json_out:
        for kind, lines in (("model", by_model), ("day", by_day)):
            for line in lines:
                out.write(json.dumps(line.to_json(kind), allow_nan=False) + "\n")
        return
    images = sum(s.images for s in by_model)
    total = (sum(s.cost_usd for s in by_model), images,
             sum(s.unpriced_images for s in by_model))
    lines = ["by model                images  cost"]
    lines += [f"  {s.key:<20} {s.images:>7}  {_money(s.cost_usd, s.images, s.unpriced_images)}"
              for s in by_model]
    lines.append("by day")
    lines += [f"  {s.key:<20} {s.images:>7}  {_money(s.cost_usd, s.images, s.unpriced_images)}"
              for s in by_day]
    lines.append(f"{'total':<22} {images:>7}  {_money(*total)}")
    out.write("\n".join(lines) + "\n")


def _money(cost: float, images: int, unpriced: int) -> str:
    if unpriced == images:
        return "unknown"
    text = f"${cost:.2f}"
    return text + (f" + {unpriced} image(s) of unknown price" if unpriced else "")


def run_clear(before: str | None) -> int:
    from pixazo_cli.history.queries import clear

    history = open_for_reading()
    if history is None:
        return 0
    try:
        return clear(history, before)
    finally:
        history.close()


def count_rows(before: str | None) -> int:
    from pixazo_cli.history.queries import Filter, count

    history = open_for_reading()
    if history is None:
        return 0
    try:
        return count(history, Filter(None, before=before))
    finally:
        history.close()
