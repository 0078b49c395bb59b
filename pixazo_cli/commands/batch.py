"""`pixazo batch`: read and check the file, take this shard's jobs, then either report what a
run would do (--check) or run them, shown on the terminal, in a CI log, or both."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from pixazo_cli.assets.options import AssetOptions, Layers
from pixazo_cli.batch.check import check_batch
from pixazo_cli.batch.events import BatchEvents, BatchFanout
from pixazo_cli.batch.guards import SpendingGuard, dollars_text, exact_dollars
from pixazo_cli.batch.intake import Intake, IntakeRules, take_in
from pixazo_cli.batch.jobfile import (
    BatchJob,
    InvalidLine,
    InvalidLines,
    file_lines,
    parse_shard,
    read_jobs,
    split_lines,
)
from pixazo_cli.batch.manifest import MANIFEST_NAME, Manifest
from pixazo_cli.batch.plan import NameClashes
from pixazo_cli.batch.run import BatchOptions, BatchRun
from pixazo_cli.batch.shards import GATEWAY_LIMIT, shard_rate_limit
from pixazo_cli.commands.assets import deriving_view
from pixazo_cli.commands.generate import open_session
from pixazo_cli.commands.options import BatchCommandOptions, GlobalOptions
from pixazo_cli.commands.saving import save_options
from pixazo_cli.commands.session import Session
from pixazo_cli.commands.stdin import MAX_BATCH_STDIN_BYTES, read_stdin_text
from pixazo_cli.errors import UsageError, most_severe
from pixazo_cli.flow.files import check_folder
from pixazo_cli.flow.naming import SaveOptions
from pixazo_cli.sinks.ci import github_actions
from pixazo_cli.ui.batchview import BatchView, check_text
from pixazo_cli.ui.ci import GithubReport
from pixazo_cli.ui.output import counted

T = TypeVar("T")


def run_batch(source: str, options: BatchCommandOptions, globals_: GlobalOptions) -> int:
    which = parse_shard(options.shard)
    lines = source_lines(source)
    with open_session(globals_, options.output) as session:
        save = save_options(session, options.output)
        github = GithubReport(lambda: session.ui.err, source, save.out_dir,
                              os.environ.get("GITHUB_STEP_SUMMARY")) if github_actions() else None
        if options.check:
            jobs, invalid = _read(lines, session, options, github)
            return _check(session, jobs, invalid, which, save, options)
        with Manifest(save.out_dir / MANIFEST_NAME) as manifest:
            return _run(session, source, lines, manifest, which, save, options, github)


def _run(session: Session, source: str, lines: Iterable[str], manifest: Manifest,
         which: tuple[int, int] | None, save: SaveOptions, options: BatchCommandOptions,
         github: GithubReport | None) -> int:
    rules = IntakeRules(options.model, session.settings.model_defaults, which,
                        save.out_dir, options.resend_maybe_charged, options.skip_invalid,
                        _layers(session, options))
    intake = _guard_invalid(github, lambda: take_in(lines, manifest, rules))
    _report_invalid(session, github, intake.invalid, check=False)
    check_folder(save.out_dir)
    batch = _batch_options(save, options, which, session.settings.timeout)
    batch = dataclasses.replace(batch, origin=session.origin(
        "stdin" if source == "-" else str(Path(source).absolute())))
    session.ui.say(_startup_line(intake.total, which, batch, options.rate_limit is None))
    shown = BatchView(session.ui, intake.total, options.output.json_out, save.out_dir,
                      invalid=len(intake.invalid), clock=session.clock)
    shown.show_paths = not options.assets.get("html")  # --html: the snippets alone
    view: BatchEvents = shown
    if github is not None:
        github.total = intake.total
        view = BatchFanout(view, github)
    if intake.derives:
        view = deriving_view(view, lambda line: _job_at(intake, line)[1],
                             lambda line: manifest.get(_job_at(intake, line)[0]), save.out_dir)
    code = _guard_invalid(github, BatchRun(session, intake.todo, batch, view,
                                           session.recorder(), manifest, intake.saved).run)
    code = most_severe([code, *getattr(view, "codes", [])])
    if options.sheet:
        from pixazo_cli.commands.look import write_batch_sheet

        write_batch_sheet(session, save.out_dir, options.output.overwrite)
    # Skipped lines are not success: 2 at the end, unless something failed harder.
    return most_severe([code, UsageError.exit_code]) if intake.invalid else code


def _layers(session: Session, options: BatchCommandOptions) -> Layers:
    """What each line derives: its own asset keys over the flags over the config's."""
    return Layers(session.settings.asset_defaults, options.assets)


def _job_at(intake: Intake, line: int) -> tuple[str | None, AssetOptions | None]:
    return intake.job_at(line) or (None, None)


def _read(lines: Iterable[str], session: Session, options: BatchCommandOptions,
          github: GithubReport | None) -> tuple[list[BatchJob], list[InvalidLine]]:
    """Every line, held (--check reports on the whole file)."""
    jobs, invalid = _guard_invalid(github, lambda: read_jobs(
        lines, options.model, session.settings.model_defaults, skip_invalid=True,
        assets=_layers(session, options)))
    _report_invalid(session, github, invalid, check=True)
    return jobs, invalid


def _guard_invalid(github: GithubReport | None, read: Callable[[], T]) -> T:
    """Lines that stop the batch before it sends anything (invalid, or their file names
    clash) are still annotated in a GitHub Actions log."""
    try:
        return read()
    except InvalidLines as error:
        if github is not None:
            github.invalid(error.lines)
            github.summary()
        raise
    except NameClashes as error:
        if github is not None:
            github.refused(list(error.clashes), "file names clash", "refused")
            github.summary()
        raise


def _report_invalid(session: Session, github: GithubReport | None,
                    invalid: list[InvalidLine], check: bool) -> None:
    """Each invalid line on stderr; a run with --json also gives each skipped one its JSON
    line, shaped like a failed job's, so a script reading stdout misses none."""
    if github is not None:
        github.invalid(invalid)
    for bad in invalid:
        session.ui.say(f"invalid {bad}" if check else f"skipped {bad}")
        if session.ui.json_mode and not check:
            session.ui.result_json({"line": bad.line, "status": "invalid", "error": {
                "exit_code": UsageError.exit_code, "message": bad.message}})


def _batch_options(save: SaveOptions, options: BatchCommandOptions,
                   which: tuple[int, int] | None, timeout: float) -> BatchOptions:
    rate = options.rate_limit
    if rate is None:  # N shards share one key: each takes 1/N of the gateway's limit
        rate = shard_rate_limit(which[1]) if which else GATEWAY_LIMIT
    return BatchOptions(save, options.concurrency, rate, options.resend_maybe_charged,
                        timeout, options.max_requests, options.max_cost)


def _startup_line(jobs: int, which: tuple[int, int] | None, batch: BatchOptions,
                  default_rate: bool) -> str:
    where = f" (shard {which[0]}/{which[1]})" if which else ""
    why = ""
    if which and default_rate:
        why = f": the gateway's {GATEWAY_LIMIT}/min shared by {which[1]} shards on one key"
    limits = "".join(f", {text}" for text in (
        f"at most {batch.max_requests} paid requests" if batch.max_requests is not None else "",
        f"at most {dollars_text(exact_dollars(batch.max_cost))}"
        if batch.max_cost is not None else "") if text)
    return (f"Batch: {counted(jobs, 'job')}{where}, {batch.concurrency} at once, "
            f"up to {batch.rate_limit} paid requests a minute{why}{limits}.")


def _check(session: Session, jobs: list[BatchJob], invalid: list[Any],
           which: tuple[int, int] | None, save: SaveOptions, options: BatchCommandOptions) -> int:
    def save_for(job: BatchJob) -> SaveOptions:
        return dataclasses.replace(save, template=job.name or save.template)

    if any(job.assets is not None for job in jobs):
        from pixazo_cli.assets.follow import check_folder as assets_folder

        assets_folder(save.out_dir)  # the run refuses an assets.json it did not write: so here
    report = check_batch(jobs, invalid, which, save.out_dir, save_for,
                         options.resend_maybe_charged,
                         SpendingGuard(options.max_requests, options.max_cost),
                         options.skip_invalid)
    if options.output.json_out:
        session.ui.result_json({**dataclasses.asdict(report), "exit_code": report.exit_code})
    else:
        session.ui.result_line(check_text(report))
    return report.exit_code


def source_lines(source: str) -> Iterable[str]:
    """A batch file's lines as they are read, or stdin's for `-`."""
    if source == "-":
        return split_lines(read_stdin_text("the batch file", MAX_BATCH_STDIN_BYTES))
    return file_lines(Path(source))
