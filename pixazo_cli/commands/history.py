"""What `history` and `fetch` do, and how `status` and `replay` find a generation recorded in
the history: read rows, turn one back into an outcome the flow can collect, print."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pixazo_cli.errors import UsageError
from pixazo_cli.models.table import MODELS, Model, queued_model

if TYPE_CHECKING:
    from pixazo_cli.commands.session import Session
    from pixazo_cli.flow.ledger import Outcome
    from pixazo_cli.history.queries import Filter
    from pixazo_cli.history.store import History, Row
    from pixazo_cli.models.request import ApiRequest

PROMPT_WIDTH = 60


def open_for_reading(session: Session | None = None) -> History | None:
    """The history to read from, even when recording is off; None when there is none yet.
    A file that cannot be read is a plain error (HistoryUnavailable, exit 2)."""
    from pixazo_cli.history import readable
    from pixazo_cli.history.db import default_path

    path = default_path()
    if not path.exists():
        return None
    from pixazo_cli.history.store import History

    with readable(path):
        history = History(path)
    if session is not None:
        session.adopt_history(history)
    return history


def find_row(history: History | None, ident: str) -> Row:
    """A history id (the number `pixazo history` shows) or a request id."""
    from pixazo_cli.history import readable

    row = None
    if history is not None:
        # An id past SQLite's integers (20 digits) names no row; it is no crash either.
        by_id = ident.isdigit() and int(ident) < 2**63
        with readable(history.path):
            row = history.get(int(ident)) if by_id else history.by_request_id(ident)
    if row is None:
        raise UsageError(f"No generation {ident!r} in the history.",
                         hint="`pixazo history` lists them, with their ids.")
    return row


def last_row(history: History | None, queued_only: bool) -> Row:
    from pixazo_cli.history import readable

    row = None
    if history is not None:
        with readable(history.path):
            row = history.last(queued_only)
    if row is None:
        what = "queued job" if queued_only else "generation with a reply"
        raise UsageError(f"No {what} in the history.",
                         hint="Give its id: `pixazo history` lists them.")
    return row


def outcome_from_row(row: Row) -> Outcome:
    # The flow (and httpx with it) is loaded only to collect, never to list: `history` is fast.
    from pixazo_cli.flow.download import Saved
    from pixazo_cli.flow.ledger import Origin, Outcome
    from pixazo_cli.models.request import ApiRequest

    model = MODELS.get(row.model)
    request = ApiRequest(model, row.endpoint, row.body) if model else None
    files = [Saved(Path(f["path"]), f["url"], f["bytes"], f["sha256"]) for f in row.files]
    outcome = Outcome(row.model, request_id=row.request_id, status=row.status, request=request,
                      urls=row.urls, files=files, created=row.created_at, sent=True,
                      origin=Origin(row.batch_file, row.batch_line, sandbox=row.sandbox))
    if row.ledger:
        outcome.ident = row.ledger
    return outcome


def collectable(row: Row) -> Model:
    """The model to fetch `row` as; refuses what cannot be fetched without paying again (a
    sandbox row can: it is made again, free)."""
    model = MODELS.get(row.model)
    if row.urls is not None or row.sandbox:
        return model or queued_model()
    if _queued_job(row, model):
        # Its images are read from the status endpoint, the same for every queued model, as
        # `status --wait` reads them: collected as one whatever became of its model file.
        return model if model is not None and model.queued else queued_model()
    raise UsageError(f"Generation {row.id} has no image URLs to fetch: the gateway "
                     f"never answered it ({row.state}).",
                     hint="Check your Pixazo dashboard; `pixazo replay "
                     f"{row.id}` sends it again (and pays again).")


def _queued_job(row: Row, model: Model | None) -> bool:
    """A queued job's row, whose images the status endpoint has: a request id and its model
    queued. Where the model file was since changed to sync, a row still "queued" says what
    it was; where it was removed, any row with a request id is asked for (asking is free,
    and the status endpoint answers for every queued job)."""
    from pixazo_cli.flow.ledger import QUEUED

    if not row.request_id:
        return False
    return model is None or model.queued or row.status == QUEUED


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
    from pixazo_cli.history import readable
    from pixazo_cli.ui.pager import paged

    history = open_for_reading()
    if history is None:
        say("No history yet: generations are recorded as they are made.")
        return
    try:
        with readable(history.path), paged(options.pager) as out:
            if options.cost:
                _print_cost(history, options, out)
            else:
                _print_rows(history, options, out)
    finally:
        history.close()


def _print_rows(history: History, options: HistoryOptions, out: TextIO) -> None:
    from pixazo_cli.history.queries import latest
    from pixazo_cli.sinks import stdio

    for row in latest(history, options.query):
        if options.json_out:
            stdio.emit(out, stdio.json_line(row.to_json()))
            continue
        # Recorded prompts and paths came from outside (a batch file, a replayed image).
        stdio.emit(out, stdio.text(_row_line(row)))
        for saved in row.files:
            where = "- (written to stdout)" if saved["path"] == "-" else saved["path"]
            stdio.emit(out, f"{'':>7}{stdio.value(where)}")


def _row_line(row: Row) -> str:
    """One row as `history` lists it: id, local time, model, state, the prompt shortened."""
    when = row.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    prompt = " ".join(row.prompt.split())
    if len(prompt) > PROMPT_WIDTH:
        prompt = prompt[:PROMPT_WIDTH - 1] + "…"
    state = f"{row.state} (sandbox)" if row.sandbox else row.state
    return f"{row.id:>5}  {when}  {row.model:<9}  {state:<22}  {prompt}"


def _print_cost(history: History, options: HistoryOptions, out: TextIO) -> None:
    from pixazo_cli.history.queries import spend

    by_model = spend(history, options.query, "model")
    by_day = spend(history, options.query, "day")
    sandbox = spend(history, options.query, "sandbox")
    from pixazo_cli.sinks import stdio

    if options.json_out:
        for kind, lines in (("model", by_model), ("day", by_day), ("sandbox", sandbox)):
            for line in lines:
                stdio.emit(out, stdio.json_line(line.to_json(kind)))
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
    lines += [f"{'sandbox (free)':<22} {s.images:>7}  $0.00, not in the total"
              for s in sandbox]
    stdio.emit(out, stdio.text("\n".join(lines)))


def _money(cost: float, images: int, unpriced: int) -> str:
    if unpriced == images and images:
        return "unknown"
    text = f"${cost:.2f}"
    return text + (f" + {unpriced} image(s) of unknown price" if unpriced else "")


def run_clear(query: Filter, confirm: Callable[[int], bool], say: Callable[[str], None]
              ) -> int | None:
    """Delete exactly the rows `query` lists (every filter obeyed), after showing them and
    asking `confirm`. Returns how many were deleted; None when the user said no."""
    from pixazo_cli.history import readable
    from pixazo_cli.history.queries import clear, latest

    history = open_for_reading()
    if history is None:
        say("No history yet: nothing to delete.")
        return 0
    try:
        with readable(history.path):
            doomed = latest(history, query)
            if not doomed:
                say("No history row matches: nothing was deleted.")
                return 0
            for row in doomed:
                say(f"  {_row_line(row)}")
            if not confirm(len(doomed)):
                say("Nothing was deleted.")
                return None
            deleted = clear(history, doomed)
    finally:
        history.close()
    say(f"Deleted {deleted} history row(s); the image files stay.")
    return deleted
