"""What each command does once its flags are parsed: call the shared flow, print the result."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from pixazo_cli.commands.session import GlobalOptions, Session
from pixazo_cli.errors import UsageError
from pixazo_cli.flow.download import Saved
from pixazo_cli.flow.events import FlowEvents
from pixazo_cli.flow.generate import Outcome, SaveOptions, generate, resume
from pixazo_cli.models.request import (
    ApiRequest,
    build_request,
    override,
    parse_params,
    recorded_request,
)
from pixazo_cli.models.table import (
    FLAGS,
    GATEWAY_HEADERS,
    KEY_HEADER,
    MODELS,
    Model,
    dig,
    queued_model,
)
from pixazo_cli.ui.output import Ui, dry_run_report, dry_run_text


def run_model(model: Model, prompt: str, options: dict[str, Any], globals_: GlobalOptions) -> int:
    with _session(globals_, options) as session:
        values = dict(session.settings.model_defaults.get(model.name, {}))
        values.update(_given_flags(options))
        request = build_request(model, prompt, values, _params(options),
                                stream=bool(options.get("stream")))
        if (options.get("count") or 1) > 1:
            return _run_variations(session, request, options)
        _run_request(session, request, options)
    return 0


def _run_variations(session: Session, request: ApiRequest, options: dict[str, Any]) -> int:
    from pixazo_cli.commands.variations import run_variations, variation_requests

    if options.get("no_wait"):
        raise UsageError("-n/--count waits for every variation; it cannot be used with "
                         "--no-wait.", hint="Drop --no-wait, or send one request at a time.")
    requests = variation_requests(request, options["count"])
    if options.get("dry_run"):
        for each in requests:
            _print_dry_run(session, each, options["json_out"])
        return 0
    return run_variations(session, requests, _save_options(session, options),
                          options["json_out"], _preview(session, options))


def run_replay(path: Path, options: dict[str, Any], globals_: GlobalOptions) -> None:
    """Send the request recorded in an image (or the history) again, flags given on top."""
    if not path.is_file() and str(path).isdigit():
        from pixazo_cli.commands.history import replay_request

        recorded = replay_request(str(path))
    else:
        recorded = _recorded_request(path)
    with _session(globals_, options) as session:
        request = override(recorded, _given_flags(options), _params(options))
        _run_request(session, request, options)


def run_status(request_id: str | None, wait: bool, options: dict[str, Any],
               globals_: GlobalOptions) -> None:
    """Without an id: the most recent queued job in the history."""
    from pixazo_cli.commands.history import find_row, last_row, open_for_reading

    json_out = options["json_out"]
    with _session(globals_, options) as session:
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
            _collect(session, model, request_id, row, options)
            return
        reply = session.gateway().status(request_id).data
        if json_out:
            session.ui.result_json(reply)
            return
        session.ui.result_line(str(reply.get("status")))
        urls = dig(reply, model.urls_at)
        for url in urls if isinstance(urls, list) else []:
            session.ui.result_line(str(url))
        if reply.get("error"):
            session.ui.say(f"error: {reply['error']}")


def run_fetch(ident: str | None, options: dict[str, Any], globals_: GlobalOptions) -> None:
    """Download a past generation's images again, without paying: its recorded URLs, or for a
    queued job the status endpoint."""
    from pixazo_cli.commands.history import collectable, find_row, last_row, open_for_reading

    with _session(globals_, options) as session:
        history = open_for_reading(session)
        row = last_row(history, False) if ident is None else find_row(history, ident)
        collectable(row)
        _collect(session, MODELS.get(row.model) or queued_model(), row.request_id or "", row,
                 options)


def _collect(session: Session, model: Model, request_id: str, row: Any,
             options: dict[str, Any]) -> None:
    """Collect a generation sent earlier. From the history it keeps its prompt and body (file
    names, embedded record) and its row is completed; a file already saved is found, not
    copied."""
    from pixazo_cli.commands.history import outcome_from_row

    json_out = options["json_out"]
    known = None
    if row is not None:
        recorder = session.recorder()
        recorder.follow(row)
        session.events.add(recorder)
        known = outcome_from_row(row)
    _print_paths(session, json_out)
    save = replace(_save_options(session, options), reuse=True)
    outcome = resume(session, model, request_id, save, known)
    _finish(session, outcome, json_out)


def run_inspect(path: Path, json_out: bool) -> None:
    from pixazo_cli.record import parameters_text, read

    if not path.is_file():
        raise UsageError(f"No such file: {path}.")
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


def _run_request(session: Session, request: ApiRequest, options: dict[str, Any]) -> None:
    json_out = options["json_out"]
    if options.get("dry_run"):
        _print_dry_run(session, request, json_out)
        return
    if options.get("no_wait") and session.uses_sandbox:
        raise UsageError("--no-wait cannot be resumed with --sandbox: the sandbox stops with "
                         "this command, and its jobs with it.",
                         hint="Run `pixazo sandbox serve` and point --base-url at it.")
    _print_paths(session, json_out)
    session.events.add(session.recorder())
    if _preview(session, options):
        from pixazo_cli.ui.preview import PreviewEvents

        session.events.add(PreviewEvents())
    outcome = generate(session, request, _save_options(session, options),
                       wait=not options.get("no_wait"))
    _finish(session, outcome, json_out)
    if options.get("open_images") and outcome.files:
        from pixazo_cli.ui.viewer import open_images

        if not open_images([saved.path for saved in outcome.files]):
            session.ui.say("No desktop to open the images on; they are saved.")


def _preview(session: Session, options: dict[str, Any]) -> bool:
    return bool(options.get("preview") or session.settings.preview) and not session.ui.quiet


def _recorded_request(path: Path) -> ApiRequest:
    from pixazo_cli.record import read

    record = read(path) if path.is_file() else None
    model = MODELS.get(str((record or {}).get("model")))
    if record is None or model is None or not isinstance(record.get("body"), dict):
        raise UsageError(f"{path} carries no replayable generation record.",
                         hint="`pixazo inspect FILE` shows what it carries.")
    endpoint = record.get("endpoint")
    if endpoint not in (model.path, model.stream_path):
        raise UsageError(f"The record's endpoint {endpoint!r} is not one of {model.name}'s.")
    return recorded_request(model, endpoint, record["body"])


def _session(globals_: GlobalOptions, options: dict[str, Any]) -> Session:
    return Session(globals_, json_mode=options.get("json_out", False),
                   out_dir=options.get("out_dir"), timeout=options.get("timeout"))


def _given_flags(options: dict[str, Any]) -> dict[str, Any]:
    return {flag: value for flag, value in options.items()
            if flag in FLAGS and value is not None}


def _params(options: dict[str, Any]) -> dict[str, Any]:
    return parse_params(options.get("param") or [])


def _read_source(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(f"Cannot read the batch file {source}: {reason}.") from None


def _print_dry_run(session: Session, request: ApiRequest, json_out: bool) -> None:
    headers = {**GATEWAY_HEADERS, KEY_HEADER: "****", **request.headers}
    report = dry_run_report("POST", session.base_url() + request.path, headers,
                            request.body)
    if json_out:
        session.ui.result_json(report)
    else:
        session.ui.result_line(dry_run_text(report))
    session.ui.say("Dry run: nothing was sent.")


def _save_options(session: Session, options: dict[str, Any]) -> SaveOptions:
    return SaveOptions(session.settings.output_dir,
                       options.get("name") or session.settings.name_template,
                       options.get("overwrite", False), options.get("sidecar", False))


class _PathPrinter(FlowEvents):
    """Each saved path on stdout as soon as it lands, so a partial failure keeps the rest."""

    def __init__(self, ui: Ui) -> None:
        self.ui = ui

    def saved(self, outcome: Outcome, saved: Saved) -> None:
        self.ui.result_line(str(saved.path))


def _print_paths(session: Session, json_out: bool) -> None:
    if not json_out:
        session.events.add(_PathPrinter(session.ui))


def _finish(session: Session, outcome: Outcome, json_out: bool) -> None:
    if json_out:
        session.ui.result_json(outcome_json(outcome))
    elif outcome.status == "QUEUED" and outcome.request_id:
        session.ui.result_line(outcome.request_id)
        session.ui.say(f"Queued. Fetch it later with: pixazo status {outcome.request_id} --wait")


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    data: dict[str, Any] = {"model": outcome.model, "status": outcome.status}
    if outcome.request_id:
        data["request_id"] = outcome.request_id
    if outcome.request is not None:
        data["endpoint"] = outcome.request.path
        data["body"] = outcome.request.body
        if outcome.request.headers:
            data["headers"] = outcome.request.headers
    data["files"] = [{"path": str(f.path), "url": f.url, "bytes": f.bytes, "sha256": f.sha256}
                     for f in outcome.files]
    return data
