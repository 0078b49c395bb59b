"""What each command does once its flags are parsed: call the shared flow, print the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .body import ApiRequest, build_request
from .download import Saved
from .generate import Outcome, SaveOptions, generate, resume
from .models import GATEWAY_HEADERS, KEY_HEADER, Model
from .output import dry_run_report, dry_run_text
from .session import GlobalOptions, Session


def run_model(model: Model, prompt: str, options: dict[str, Any], globals_: GlobalOptions) -> None:
    json_out = options.pop("json_out")
    with Session(globals_, json_mode=json_out, out_dir=options.pop("out_dir"),
                 timeout=options.pop("timeout")) as session:
        values = dict(session.settings.model_defaults.get(model.name, {}))
        values.update({flag: options[flag] for flag in model.by_flag if options.get(flag)
                       is not None})
        request = build_request(model, prompt, values, _params(options.get("param")),
                                stream=bool(options.get("stream")))
        if options.get("dry_run"):
            _print_dry_run(session, request, json_out)
            return
        save = _save_options(session, options.get("name"), options.get("overwrite", False))
        outcome = generate(session, request, save, wait=not options.get("no_wait"),
                           on_saved=None if json_out else _print_path(session))
        _finish(session, outcome, json_out)
        if options.get("open_images") and outcome.files:
            _open(session, [saved.path for saved in outcome.files])


def run_status(request_id: str, wait: bool, globals_: GlobalOptions, *, out_dir: Path | None,
               name: str | None, overwrite: bool, json_out: bool, timeout: float | None) -> None:
    with Session(globals_, json_mode=json_out, out_dir=out_dir, timeout=timeout) as session:
        if wait:
            save = _save_options(session, name, overwrite)
            outcome = resume(session, request_id, save,
                             on_saved=None if json_out else _print_path(session))
            _finish(session, outcome, json_out)
            return
        reply = session.gateway().status(request_id)
        if json_out:
            session.ui.result_json(reply)
            return
        session.ui.result_line(str(reply.get("status")))
        output = reply.get("output")
        for url in output.get("media_url") or [] if isinstance(output, dict) else []:
            session.ui.result_line(str(url))
        if reply.get("error"):
            session.ui.say(f"error: {reply['error']}")


def _print_dry_run(session: Session, request: ApiRequest, json_out: bool) -> None:
    headers = {**GATEWAY_HEADERS, KEY_HEADER: "****", **request.headers}
    report = dry_run_report("POST", session.settings.base_url + request.path, headers,
                            request.body)
    if json_out:
        session.ui.result_json(report)
    else:
        session.ui.result_line(dry_run_text(report))
    session.ui.say("Dry run: nothing was sent.")


def _open(session: Session, paths: list[Path]) -> None:
    from .viewer import open_images

    if not open_images(paths):
        session.ui.say("No desktop to open the images on; they are saved.")


def _params(pairs: list[str] | None) -> dict[str, Any]:
    from .body import parse_params

    return parse_params(pairs or [])


def _save_options(session: Session, name: str | None, overwrite: bool) -> SaveOptions:
    return SaveOptions(session.settings.output_dir, name or session.settings.name_template,
                       overwrite)


def _print_path(session: Session) -> Any:
    def printer(saved: Saved) -> None:
        session.ui.result_line(str(saved.path))
    return printer


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
