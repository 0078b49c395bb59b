"""`history`: the generations remembered in the local history. Kept apart from the other
commands' shared options, so `pixazo history` can run as an app of its own and start fast."""

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from pixazo_cli.errors import UsageError
from pixazo_cli.models.table import MODELS, model_named

# Declared here, not in cli/options.py, so `pixazo history` alone need not load the others.
NoPager = Annotated[bool, typer.Option(
    "--no-pager", help="Print straight out, without a pager on a terminal (also: "
    "PIXAZO_PAGER=cat; default pager: PAGER, else less -FRX).")]

if TYPE_CHECKING:
    from pixazo_cli.history.queries import Filter

When = Annotated[str | None, typer.Option(
    metavar="WHEN", help="A date (2026-11-23), a date and time (2026-11-23T14:00) or an age "
    "(7d, 12h, 30m).")]


def history(
    limit: Annotated[int | None, typer.Option(
        "-n", "--limit", min=1, metavar="N", help="Show (or with --clear, delete) the N latest.",
        show_default="20; with --clear, every row the filters match")] = None,
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
        "--clear", help="Delete the rows the other options select (all of them when none is "
        "given), after listing them; image files stay.")] = False,
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Clear without asking (needed where there is no terminal to ask "
        "on).")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
    no_pager: NoPager = False,
) -> None:
    from pixazo_cli.commands.history import HistoryOptions, run_history
    from pixazo_cli.history.queries import Filter, parse_when

    if model is not None:
        model_named(model)
    since_utc = parse_when(since, "--since") if since else None
    before_utc = parse_when(before, "--before") if before else None
    if clear:
        if cost:
            raise UsageError("--clear deletes rows; --cost sums them. Give one of them.")
        _clear(Filter(limit, model, since_utc, before_utc, search, failed, pending), yes,
               json_out)
        return
    query = Filter(limit or 20, model, since_utc, before_utc, search, failed, pending)
    run_history(HistoryOptions(query, json_out, cost, pager=not no_pager), _say)


def _clear(query: "Filter", yes: bool, json_out: bool) -> None:
    """Delete what the filters select, every one of them obeyed; the rows are listed first.
    Answering no deletes nothing and is exit 0: the command did what it was told."""
    from pixazo_cli.commands.history import run_clear
    from pixazo_cli.sinks import stdio

    if not yes and not _on_terminal():
        raise UsageError("--clear deletes history rows; with no terminal to ask on, it needs "
                         "--yes.", hint="List them first: the same command without --clear.")

    def confirm(count: int) -> bool:
        return yes or typer.confirm(f"Delete {count} history row(s), listed above? Image files "
                                    "stay.", err=True)

    deleted = run_clear(query, confirm, _say) or 0
    if json_out:
        stdio.emit(sys.stdout, stdio.json_line({"deleted": deleted}))


def _on_terminal() -> bool:
    return sys.stdin.isatty()


def _say(message: str) -> None:
    from pixazo_cli.sinks import stdio

    stdio.emit(sys.stderr, stdio.text(message))


HISTORY_HELP = "List past generations; search them, sum their cost, clear them."


def register(app: typer.Typer) -> None:
    app.command("history", help=HISTORY_HELP)(history)


def run_alone(args: list[str]) -> None:
    """`pixazo history …` as an app of its own, so listing does not wait for every other
    command to be built (the start-up a shell prompt or a script loop would feel). Its errors
    are said as the app group's are (cli/failures.py), --json included."""
    alone = typer.Typer(add_completion=False, rich_markup_mode=None,
                        pretty_exceptions_enable=False,
                        context_settings={"help_option_names": ["-h", "--help"]})
    alone.command(help=HISTORY_HELP)(history)
    try:
        code = alone(args=args, prog_name="pixazo history", standalone_mode=False)
    except (Exception, typer.Abort) as error:
        sys.exit(_report(error, args))
    if code == 130:  # typer turns a Ctrl-C into this code, silently
        code = _report(KeyboardInterrupt(), args)
    sys.exit(code if isinstance(code, int) else 0)


def _report(error: BaseException, args: list[str]) -> int:
    from pixazo_cli.cli.failures import report_failure

    words = args[:args.index("--")] if "--" in args else args
    return report_failure(error, args, json_out="--json" in words)
