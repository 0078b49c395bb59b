"""What a model command and `replay` do once parsed: build the request, run the flow, print."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pixazo_cli.commands.assets import deriving, options_in_force
from pixazo_cli.commands.options import GlobalOptions, OutputOptions, RequestOptions, RunOptions
from pixazo_cli.commands.saving import destination, emit, save_options
from pixazo_cli.commands.session import Session
from pixazo_cli.errors import UsageError
from pixazo_cli.flow.download import Saved
from pixazo_cli.flow.events import FlowEvents
from pixazo_cli.flow.generate import generate
from pixazo_cli.flow.ledger import MAX_REPLAYED_IMAGES, Outcome
from pixazo_cli.models.request import (
    ApiRequest,
    build_request,
    override,
    parse_params,
    recorded_request,
    with_seed,
)
from pixazo_cli.models.table import GATEWAY_HEADERS, KEY_HEADER, MODELS, Model
from pixazo_cli.sinks.terminal import command_line
from pixazo_cli.ui.output import Ui, dry_run_report, dry_run_text, outcome_json


def run_model(model: Model, prompt: str, options: RunOptions, globals_: GlobalOptions) -> int:
    """Run one model command; returns its exit code (variations may partly fail)."""
    with open_session(globals_, options.output) as session:
        values = dict(session.settings.model_defaults.get(model.name, {}))
        values.update(options.request.given())
        request = build_request(model, prompt, values, _params(options.request),
                                stream=options.request.stream)
        if options.count > 1:
            return _run_variations(session, request, options)
        return _run_request(session, request, options)


def _run_variations(session: Session, request: ApiRequest, options: RunOptions) -> int:
    from pixazo_cli.commands.variations import run_variations, variation_requests

    if options.no_wait:
        raise UsageError("-n/--count waits for every variation; it cannot be used with "
                         "--no-wait.", hint="Drop --no-wait, or send one request at a time.")
    if options.output.to_stdout:
        raise UsageError("-o - writes exactly one image; -n/--count makes several.",
                         hint="Save them with -d DIR.")
    assets = options_in_force(session, options.assets)
    requests = variation_requests(request, options.count)
    if options.dry_run:
        for each in requests:
            _print_dry_run(session, each, options.output.json_out)
        return 0
    return run_variations(session, requests, save_options(session, options.output),
                          options.output.json_out, wants_preview(session, options.preview),
                          assets)


def wants_preview(session: Session, preview: bool) -> bool:
    return (preview or session.settings.preview) and not session.ui.quiet


def run_replay(path: Path, options: RunOptions, globals_: GlobalOptions) -> int:
    """Send the request recorded in an image (or the history) again, flags given on top."""
    if not path.is_file() and str(path).isdigit():
        from pixazo_cli.commands.history import replay_request

        recorded = replay_request(str(path))
    else:
        recorded = recorded_request_of(path)
    given = options.request.given()
    refuse_many_images(recorded, given)
    with open_session(globals_, options.output) as session:
        request = override(recorded, given, _params(options.request))
        return _run_request(session, request, options)


def refuse_many_images(recorded: ApiRequest, given: dict[str, Any]) -> None:
    """A record may come from anyone (a shared image): it never makes replay pay for more
    than a few images unless the user typed the count."""
    asked = recorded.expected_images
    if asked > MAX_REPLAYED_IMAGES and "num_images" not in given:
        raise UsageError(f"The record asks for {asked} images; replay sends at most "
                         f"{MAX_REPLAYED_IMAGES} unless you give the count; nothing was sent.",
                         hint=f"Say how many: --num-images {asked} (or fewer).")


def open_session(globals_: GlobalOptions, output: OutputOptions) -> Session:
    return Session(globals_, json_mode=output.json_out, out_dir=output.out_dir,
                   timeout=output.timeout)


def _params(request: RequestOptions) -> dict[str, Any]:
    return parse_params(list(request.params))


def _run_request(session: Session, request: ApiRequest, options: RunOptions) -> int:
    """One request; returns 0, or 8 when an image's assets could not be derived."""
    json_out = options.output.json_out
    assets = options_in_force(session, options.assets, options.output.to_stdout,
                              options.no_wait)
    request = with_seed(request)
    seed = request.seed
    if seed is not None and session.ui.verbose:
        session.ui.say(f"{request.model.name}: seed {seed}")
    if options.dry_run:
        _print_dry_run(session, request, json_out)
        return 0
    if options.no_wait and session.uses_sandbox:
        raise UsageError("--no-wait cannot be resumed with --sandbox: the sandbox stops with "
                         "this command, and its jobs with it.",
                         hint="Run `pixazo sandbox serve` and point --base-url at it.")
    if options.no_wait and options.output.to_stdout:
        raise UsageError("-o - needs the image now; --no-wait leaves it at the gateway.")
    print_paths(session, options.output, html=bool(assets and assets.html))
    session.events.add(session.recorder())
    if wants_preview(session, options.preview) and not options.output.to_stdout:
        from pixazo_cli.ui.preview import PreviewEvents

        session.events.add(PreviewEvents())
    outcome = Outcome.planned(request, session.origin())
    with destination(session, options.output, request.expected_images) as save, \
            deriving(session, assets, save.out_dir, outcome, json_out) as made:
        generate(session, outcome, save, wait=not options.no_wait)
        emit(session, options.output, outcome)
    finish(session, outcome, json_out, made.found)
    if options.open_images and outcome.files:
        from pixazo_cli.ui.viewer import open_images

        if not open_images([saved.path for saved in outcome.files]):
            session.ui.say("No desktop to open the images on; they are saved.")
    return made.code


def _print_dry_run(session: Session, request: ApiRequest, json_out: bool) -> None:
    headers = {**GATEWAY_HEADERS, KEY_HEADER: "****", **request.headers}
    # The gateway's URL even with --sandbox: a sandbox that stops with this command is no use
    # to a curl command run later, so it is not started at all.
    report = dry_run_report("POST", session.settings.base_url + request.path, headers,
                            request.body)
    if json_out:
        session.ui.result_json(report)
    else:
        session.ui.result_line(dry_run_text(report))
    session.ui.say("Dry run: nothing was sent." + (
        " With --sandbox the request would be answered locally by the offline sandbox."
        if session.uses_sandbox else ""))


class PathPrinter(FlowEvents):
    """Each saved path on stdout as soon as it lands, so a partial failure keeps the rest."""

    def __init__(self, ui: Ui) -> None:
        self.ui = ui

    def saved(self, outcome: Outcome, saved: Saved) -> None:
        self.ui.result_value(str(saved.path))


def print_paths(session: Session, output: OutputOptions, html: bool = False) -> None:
    """Each image's path on stdout; not with --json, -o -, or --html (its snippets instead)."""
    if not (output.json_out or output.to_stdout or html):
        session.events.add(PathPrinter(session.ui))


def finish(session: Session, outcome: Outcome, json_out: bool,
           assets: dict[str, Any] | None = None) -> None:
    if json_out:
        session.ui.result_json(outcome_json(outcome, assets))
    elif outcome.status == "QUEUED" and outcome.request_id:
        session.ui.result_value(outcome.request_id)
        wait = command_line("pixazo", "status", outcome.request_id, "--wait")
        session.ui.say(f"Queued. Fetch it later with: {wait}")


def recorded_request_of(path: Path) -> ApiRequest:
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
