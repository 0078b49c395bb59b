"""What `status` and `inspect` do once parsed, and reading a request back from an image."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pixazo_cli.commands.generate import finish, open_session, print_paths
from pixazo_cli.commands.history import (
    collectable,
    find_row,
    last_row,
    open_for_reading,
    outcome_from_row,
)
from pixazo_cli.commands.options import GlobalOptions, OutputOptions
from pixazo_cli.commands.saving import destination, emit
from pixazo_cli.commands.session import Session
from pixazo_cli.errors import UsageError
from pixazo_cli.flow.generate import generate, resume
from pixazo_cli.flow.ledger import Outcome
from pixazo_cli.models.table import MODELS, Model, dig, queued_model

if TYPE_CHECKING:
    from pixazo_cli.history.store import History, Row


def run_status(request_id: str | None, wait: bool, output: OutputOptions,
               globals_: GlobalOptions) -> None:
    """Without an id: the most recent queued job in the history."""
    with open_session(globals_, output) as session:
        model = queued_model()
        history = _history_for(session, needed=request_id is None) if wait or \
            request_id is None else None
        if request_id is None:
            latest = last_row(history, queued_only=True)
            request_id = latest.request_id or ""
            session.ui.say(f"The most recent queued job: {request_id} ({latest.prompt!r}).")
        if wait:
            try:
                row = find_row(history, request_id)
            except UsageError:  # not in the history: named after its id, as before
                row = None
            collect(session, MODELS.get(row.model, model) if row else model, request_id, row,
                    output)
            return
        reply = session.gateway().status(request_id).data
        if output.json_out:
            session.ui.result_json(reply)
            return
        session.ui.result_value(str(reply.get("status")))
        urls = dig(reply, model.urls_at)
        for url in urls if isinstance(urls, list) else []:
            session.ui.result_value(str(url))
        if reply.get("error"):
            session.ui.say(f"error: {reply['error']}")


def _history_for(session: Session, needed: bool) -> History | None:
    """The history to find a job in. Collecting a job by its id needs none: a history that
    cannot be read is then said, and the paid job is collected all the same."""
    from pixazo_cli.history import HistoryUnavailable

    try:
        return open_for_reading(session)
    except HistoryUnavailable as error:
        if needed:
            raise
        session.ui.say(f"Warning: {error.message} The job is collected without it.")
        return None


def run_fetch(ident: str | None, output: OutputOptions, globals_: GlobalOptions) -> None:
    """Download a past generation's images again, without paying: its recorded URLs, or for a
    queued job the status endpoint."""
    with open_session(globals_, output) as session:
        history = open_for_reading(session)
        row = last_row(history, False) if ident is None else find_row(history, ident)
        collect(session, collectable(row), row.request_id or "", row, output)


def collect(session: Session, model: Model, request_id: str, row: Row | None,
            output: OutputOptions) -> None:
    """Collect a generation sent earlier. From the history it keeps its prompt and body (file
    names, embedded record) and its row goes on; a file already saved is found, not copied.
    A sandbox row is made again on a sandbox (free): the one that answered it has stopped."""
    known = None
    print_paths(session, output)
    if row is not None:
        known = outcome_from_row(row)
        if row.sandbox:
            return _make_again(session, row, known, output)
        recorder = session.recorder()
        recorder.follow(row, known)
        session.events.add(recorder)
    with destination(session, output, None) as save:
        outcome = resume(session, model, request_id, replace(save, reuse=True), known)
        emit(session, output, outcome)
    finish(session, outcome, output.json_out)


def _make_again(session: Session, row: Row, known: Outcome, output: OutputOptions) -> None:
    """A sandbox row's URLs died with its sandbox: the recorded request is sent to a sandbox
    started here, which charges nothing, and its row is completed."""
    if known.request is None:
        raise UsageError(f"Generation {row.id} was made by the sandbox with a model this pixazo "
                         "does not know; it cannot be made again.")
    session.uses_sandbox = True
    again = Outcome.planned(known.request, session.origin())
    again.ident = known.ident
    recorder = session.recorder()
    recorder.follow(row, again)
    session.events.add(recorder)
    session.ui.say(f"Generation {row.id} came from the sandbox, which has stopped; making it "
                   "again on a sandbox here (placeholders, nothing charged).")
    with destination(session, output, known.request.expected_images) as save:
        outcome = generate(session, again, replace(save, reuse=True))
        emit(session, output, outcome)
    finish(session, outcome, output.json_out)


def run_inspect(path: Path, json_out: bool) -> None:
    from pixazo_cli.record import image_size, parameters_text, read

    need_image_file(path)
    record = read(path)
    if record is None:
        raise UsageError(f"{path} carries no pixazo generation record.",
                         hint="Only images saved by pixazo carry one.")
    from pixazo_cli.sinks import stdio

    # The record came from a file: anyone may have written it.
    stdio.emit(sys.stdout, stdio.json_line(record, indent=None if json_out else 2))
    if not json_out and isinstance(record.get("body"), dict):
        stdio.emit(sys.stdout, stdio.text("\n" + parameters_text(record, image_size(path))))


def need_image_file(path: Path) -> None:
    """An image to read: a missing path, a folder and a device each say which they are."""
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not an image file.",
                         hint=f"Name one image in it, such as {path / 'NAME.png'}.")
    if not path.exists():
        raise UsageError(f"No such file: {path}.")
    if not path.is_file():
        raise UsageError(f"{path} is not a regular file, so not an image.")
