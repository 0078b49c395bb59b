"""What `status` and `inspect` do once parsed, and reading a request back from an image."""

from __future__ import annotations

import json
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
from pixazo_cli.flow.generate import resume
from pixazo_cli.models.table import MODELS, Model, dig, queued_model

if TYPE_CHECKING:
    from pixazo_cli.history.store import Row


def run_status(request_id: str | None, wait: bool, output: OutputOptions,
               globals_: GlobalOptions) -> None:
    """Without an id: the most recent queued job in the history."""
    with open_session(globals_, output) as session:
        model = queued_model()
        history = open_for_reading(session)
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
        session.ui.result_line(str(reply.get("status")))
        urls = dig(reply, model.urls_at)
        for url in urls if isinstance(urls, list) else []:
            session.ui.result_line(str(url))
        if reply.get("error"):
            session.ui.say(f"error: {reply['error']}")


def run_fetch(ident: str | None, output: OutputOptions, globals_: GlobalOptions) -> None:
    """Download a past generation's images again, without paying: its recorded URLs, or for a
    queued job the status endpoint."""
    with open_session(globals_, output) as session:
        history = open_for_reading(session)
        row = last_row(history, False) if ident is None else find_row(history, ident)
        collectable(row)
        collect(session, MODELS.get(row.model) or queued_model(), row.request_id or "", row,
                output)


def collect(session: Session, model: Model, request_id: str, row: Row | None,
            output: OutputOptions) -> None:
    """Collect a generation sent earlier. From the history it keeps its prompt and body (file
    names, embedded record) and its row is completed; a file already saved is found, not
    copied."""
    known = None
    if row is not None:
        recorder = session.recorder()
        recorder.follow(row)
        session.events.add(recorder)
        known = outcome_from_row(row)
    print_paths(session, output)
    with destination(session, output, None) as save:
        outcome = resume(session, model, request_id, replace(save, reuse=True), known)
        emit(session, output, outcome)
    finish(session, outcome, output.json_out)


def run_inspect(path: Path, json_out: bool) -> None:
    from pixazo_cli.record import parameters_text, read

    need_image_file(path)
    record = read(path)
    if record is None:
        raise UsageError(f"{path} carries no pixazo generation record.",
                         hint="Only images saved by pixazo carry one.")
    if json_out:
        sys.stdout.write(json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n")
        return
    sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2, allow_nan=False) + "\n")
    if isinstance(record.get("body"), dict):
        sys.stdout.write("\n" + parameters_text(record) + "\n")


def need_image_file(path: Path) -> None:
    """An image to read: a missing path, a folder and a device each say which they are."""
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not an image file.",
                         hint=f"Name one image in it, such as {path / 'NAME.png'}.")
    if not path.exists():
        raise UsageError(f"No such file: {path}.")
    if not path.is_file():
        raise UsageError(f"{path} is not a regular file, so not an image.")
