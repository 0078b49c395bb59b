"""`history` and `fetch`: the generations remembered in the local history, and their images
downloaded again without paying."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from pixazo_cli.cli.options import (
    BaseUrl,
    Json,
    Name,
    OutDir,
    Overwrite,
    Quiet,
    Sandbox,
    Sidecar,
    Timeout,
    Verbose,
    completer,
    global_options,
)
from pixazo_cli.errors import UsageError
from pixazo_cli.models.table import MODELS

When = Annotated[str | None, typer.Option(
    metavar="WHEN", help="A date (2026-11-23), a date and time (2026-11-23T14:00) or an age "
    "(7d, 12h, 30m).")]


def history(
    limit: Annotated[int, typer.Option("-n", "--limit", min=1, metavar="N",
                                       help="Show the N latest.")] = 20,
    model: Annotated[str | None, typer.Option(
        "--model", "-m", help="Only this model's.", autocompletion=completer(tuple(MODELS)))]
    = None,
    since: When = None,
    before: When = None,
    search: Annotated[str | None, typer.Option(
        "--search", metavar="TEXT", help="Only prompts with these words.")] = None,
    failed: Annotated[bool, typer.Option("--failed", help="Only failed generations.")] = False,
    pending: Annotated[bool, typer.Option(
        "--pending", help="Only queued jobs never collected and requests sent without a "
        "reply.")] = False,
    cost: Annotated[bool, typer.Option(
        "--cost", help="Images and spend by model and by day (unknown where no price is "
        "published).")] = False,
    clear: Annotated[bool, typer.Option(
        "--clear", help="Delete the rows (all, or those --before WHEN); image files stay.")]
    = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Clear without asking.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
) -> None:
    from pixazo_cli.commands.history import HistoryOptions, run_history
    from pixazo_cli.history.queries import Filter, parse_when

    if model is not None and model not in MODELS:
        raise UsageError(f"No model {model!r}.", hint=f"Models: {', '.join(MODELS)}.")
    since_utc = parse_when(since, "--since") if since else None
    before_utc = parse_when(before, "--before") if before else None
    if clear:
        _clear(before_utc, yes)
        return
    query = Filter(limit, model, since_utc, before_utc, search, failed, pending)
    run_history(HistoryOptions(query, json_out, cost), _say)


def _clear(before: str | None, yes: bool) -> None:
    from pixazo_cli.commands.history import count_rows, run_clear

    if not yes and sys.stdin.isatty():
        rows = count_rows(before)
        what = "older than --before" if before else "all"
        if not typer.confirm(f"Delete {rows} history row(s) ({what})? Image files stay.",
                             err=True):
            raise typer.Exit(1)
    _say(f"Deleted {run_clear(before)} history row(s); the image files stay.")


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


def fetch(
    ctx: typer.Context,
    ident: Annotated[str | None, typer.Argument(
        metavar="ID", help="A history id (`pixazo history`) or a request id.",
        show_default=False)] = None,
    last: Annotated[bool, typer.Option("--last", help="The most recent generation.")] = False,
    out_dir: OutDir = None,
    name: Name = None,
    overwrite: Overwrite = False,
    sidecar: Sidecar = False,
    json_out: Json = False,
    timeout: Timeout = None,
    sandbox: Sandbox = False,
    base_url: BaseUrl = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    from pixazo_cli.commands.run import run_fetch

    if (ident is None) == (not last):
        raise UsageError("Give an ID or --last (not both).",
                         hint="`pixazo history` lists the ids.")
    options = global_options(ctx, sandbox, base_url, verbose, quiet)
    run_fetch(ident, dict(out_dir=out_dir, name=name, overwrite=overwrite, sidecar=sidecar,
                          json_out=json_out, timeout=timeout), options)


def register(app: typer.Typer) -> None:
    app.command("history", help="List past generations: when, model, prompt, files, status; "
                "search, spend, clear.")(history)
    app.command(help="Download a past generation's images again, without paying.")(fetch)
