"""`history`: the generations remembered in the local history. Kept apart from the other
commands' shared options, so `pixazo history` can run as an app of its own and start fast."""

import sys
from typing import Annotated

import typer

from pixazo_cli.models.table import MODELS, model_named

When = Annotated[str | None, typer.Option(
    metavar="WHEN", help="A date (2026-11-23), a date and time (2026-11-23T14:00) or an age "
    "(7d, 12h, 30m).")]


def history(
    limit: Annotated[int, typer.Option("-n", "--limit", min=1, metavar="N",
                                       help="Show the N latest.")] = 20,
    model: Annotated[str | None, typer.Option(
        "--model", "-m", help="Only this model's.", autocompletion=lambda: MODELS.names())]
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

    if model is not None:
        model_named(model)
    since_utc = parse_when(since, "--since") if since else None
    before_utc = parse_when(before, "--before") if before else None
    if clear:
        _clear(before_utc, yes)
        return
    query = Filter(limit, model, since_utc, before_utc, search, failed, pending)
    run_history(HistoryOptions(query, json_out, cost), _say)


def _clear(before: str | None, yes: bool) -> None:
    from pixazo_cli.commands.history import count_rows, run_clear

    if not yes and _on_terminal():
        rows = count_rows(before)
        what = "older than --before" if before else "all"
        if not typer.confirm(f"Delete {rows} history row(s) ({what})? Image files stay.",
                             err=True):
            raise typer.Exit(1)
    _say(f"Deleted {run_clear(before)} history row(s); the image files stay.")


def _on_terminal() -> bool:
    return sys.stdin.isatty()


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")


HISTORY_HELP = "List past generations; search them, sum their cost, clear them."


def register(app: typer.Typer) -> None:
    app.command("history", help=HISTORY_HELP)(history)


def run_alone(args: list[str]) -> None:
    """`pixazo history …` as an app of its own, so listing does not wait for every other
    command to be built (the start-up a shell prompt or a script loop would feel)."""
    from pixazo_cli.errors import PixazoError, report

    alone = typer.Typer(add_completion=False, rich_markup_mode=None,
                        pretty_exceptions_enable=False,
                        context_settings={"help_option_names": ["-h", "--help"]})
    alone.command(help=HISTORY_HELP)(history)
    try:
        alone(args=args, prog_name="pixazo history")
    except PixazoError as error:
        sys.exit(report(error, sys.stderr))
