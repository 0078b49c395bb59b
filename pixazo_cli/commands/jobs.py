"""What `status`, `batch` and `inspect` do once parsed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pixazo_cli.commands.generate import finish, open_session, path_printer
from pixazo_cli.commands.options import BatchCommandOptions, OutputOptions
from pixazo_cli.commands.saving import destination, emit, save_options
from pixazo_cli.errors import UsageError
from pixazo_cli.flow.download import check_folder
from pixazo_cli.flow.generate import resume
from pixazo_cli.flow.session import GlobalOptions
from pixazo_cli.models.request import ApiRequest, recorded_request
from pixazo_cli.models.table import MODELS


def run_status(request_id: str, wait: bool, output: OutputOptions,
               globals_: GlobalOptions) -> None:
    with open_session(globals_, output) as session:
        if wait:
            with destination(session, output, None) as save:
                outcome = resume(session, request_id, save,
                                 on_saved=path_printer(session, output))
                emit(session, output, outcome)
            finish(session, outcome, output.json_out)
            return
        reply = session.gateway().status(request_id).data
        if output.json_out:
            session.ui.result_json(reply)
            return
        session.ui.result_line(str(reply.get("status")))
        found = reply.get("output")
        for url in (found.get("media_url") or []) if isinstance(found, dict) else []:
            session.ui.result_line(str(url))
        if reply.get("error"):
            session.ui.say(f"error: {reply['error']}")


def run_batch(source: str, options: BatchCommandOptions, globals_: GlobalOptions) -> int:
    from pixazo_cli.batch.jobfile import parse_shard, read_jobs, shard
    from pixazo_cli.batch.run import BatchOptions, BatchRun
    from pixazo_cli.ui.batchview import BatchView

    which = parse_shard(options.shard)
    text = _read_source(source)
    with open_session(globals_, options.output) as session:
        jobs, invalid = read_jobs(text, options.model, session.settings.model_defaults,
                                  options.skip_invalid)
        for message in invalid:
            session.ui.say(f"skipped {message}")
        jobs = shard(jobs, which)
        save = save_options(session, options.output)
        check_folder(save.out_dir)
        view = BatchView(session.ui, len(jobs), options.output.json_out, save.out_dir,
                         invalid=len(invalid))
        batch = BatchOptions(save, options.concurrency, options.rate_limit,
                             options.resend_maybe_charged)
        return BatchRun(session, jobs, batch, view).run()


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


def _read_source(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(f"Cannot read the batch file {source}: {reason}.") from None
