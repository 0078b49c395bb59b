"""What `status` and `inspect` do once parsed, and reading a request back from an image."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pixazo_cli.commands.generate import finish, open_session, print_paths
from pixazo_cli.commands.options import OutputOptions
from pixazo_cli.commands.saving import destination, emit
from pixazo_cli.commands.session import GlobalOptions
from pixazo_cli.errors import UsageError
from pixazo_cli.flow.generate import resume
from pixazo_cli.models.table import dig, queued_model


def run_status(request_id: str, wait: bool, output: OutputOptions,
               globals_: GlobalOptions) -> None:
    with open_session(globals_, output) as session:
        model = queued_model()
        if wait:
            print_paths(session, output)
            with destination(session, output, None) as save:
                outcome = resume(session, model, request_id, save)
                emit(session, output, outcome)
            finish(session, outcome, output.json_out)
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


def run_inspect(path: Path, json_out: bool) -> None:
    from pixazo_cli.record import parameters_text, read

    need_image_file(path)
    record = read(path)
    if record is None:
        raise UsageError(f"{path} carries no pixazo generation record.",
                         hint="Only images saved by pixazo carry one.")
    if json_out:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
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
