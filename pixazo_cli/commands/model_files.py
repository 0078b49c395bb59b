"""`pixazo models check FILE` and `pixazo models add FILE`: a model file of one's own, checked by
the loader every model goes through, its example turned into the request it would send (sent
nowhere), then copied into the models folder."""

from __future__ import annotations

import os
from pathlib import Path

from pixazo_cli.commands.models import describe
from pixazo_cli.commands.options import GlobalOptions, RunOptions
from pixazo_cli.commands.session import Session
from pixazo_cli.errors import SaveError, UsageError
from pixazo_cli.models.files import parse_model, read_text
from pixazo_cli.models.request import ApiRequest, build_request, parse_params, with_seed
from pixazo_cli.models.table import GATEWAY_HEADERS, KEY_HEADER, MODELS, Model
from pixazo_cli.ui.output import dry_run_report, dry_run_text


def read_candidate(path: Path) -> tuple[Model, bytes]:
    """A model file given on the command line: its name is its `name` key, whatever the file
    is called. Returns the model and the exact bytes that were checked."""
    raw, text = read_text(path)
    return parse_model(text, str(path), None, MODELS.builtin_names()), raw


def example_request(model: Model, prompt: str, options: RunOptions) -> ApiRequest:
    """The request the example makes, checked like any command's (no config defaults)."""
    try:
        request = build_request(model, prompt, options.request.given(),
                                parse_params(list(options.request.params)),
                                stream=options.request.stream)
    except UsageError as error:
        from pixazo_cli.models.source import file_error

        raise file_error(model.source, ("example",), error.message.rstrip("."),
                         hint=error.hint) from None
    return with_seed(request)


def run_check(model: Model, request: ApiRequest, globals_: GlobalOptions,
              json_out: bool) -> None:
    with Session(globals_, json_mode=json_out) as session:
        headers = {**GATEWAY_HEADERS, KEY_HEADER: "****", **request.headers}
        report = dry_run_report("POST", session.settings.base_url + request.path, headers,
                                request.body)
        if json_out:
            session.ui.result_json({"file": model.source, "valid": True,
                                    "model": describe(model), "request": report})
            return
        session.ui.say(f"{model.source}: a valid model file for `pixazo {model.name}` "
                       f"({'queued' if model.queued else 'sync'}). The request its example "
                       "makes (nothing was sent):")
        session.ui.result_line(dry_run_text(report))
        _note_clash(session, model)


def _note_clash(session: Session, model: Model) -> None:
    installed = MODELS.get(model.name)
    if installed is not None and not _same_file(installed.source, model.source):
        session.ui.say(f"Note: {model.name} is already installed from {installed.source}.")


def run_add(model: Model, raw: bytes, overwrite: bool, globals_: GlobalOptions,
            json_out: bool) -> None:
    """Copy a checked model file into the models folder, as NAME.toml."""
    folder = MODELS.user_dirs()[0]
    target = folder / f"{model.name}.toml"
    for other in MODELS.user_dirs()[1:]:
        if (other / target.name).is_file():
            raise UsageError(f"A model {model.name!r} is already defined by "
                             f"{other / target.name}; a second one would be left out.",
                             hint="Remove or rename one of them.")
    if _same_file(str(target), model.source):
        raise UsageError(f"{model.source} is already the installed file.")
    write_model_file(target, raw, overwrite)
    with Session(globals_, json_mode=json_out) as session:
        if json_out:
            session.ui.result_json({"file": str(target), "name": model.name,
                                    "model": describe(model)})
            return
        session.ui.result_value(str(target))
        session.ui.say(f"Added {model.name}. Try it offline, free: pixazo --sandbox "
                       f"{model.name} \"a lighthouse at dusk\"")


def _same_file(one: str, other: str) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def write_model_file(target: Path, data: bytes, overwrite: bool) -> None:
    """A model file installed through the one file writer (sinks/files.py): whole or not at
    all, never through a symlink, never over an existing file unless `overwrite` (then the
    name is replaced, not written through)."""
    from pixazo_cli.sinks.files import Folder, NotOurs

    try:
        with Folder.open(target.parent, mode=0o700) as folder:
            folder.write(target.name, data, overwrite=overwrite, mode=0o644)
    except NotOurs:
        raise SaveError(f"{target} already exists.",
                        hint="Pass --overwrite to replace it.") from None

