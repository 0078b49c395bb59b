"""`fetch`: a past generation's images downloaded again from the history, without paying."""

from typing import Annotated

import typer

from pixazo_cli.cli.options import (
    BaseUrl,
    Json,
    Name,
    OutDir,
    Output,
    Overwrite,
    Quiet,
    Sandbox,
    Sidecar,
    Timeout,
    Verbose,
    global_options,
)
from pixazo_cli.commands.options import OutputOptions
from pixazo_cli.errors import UsageError


def fetch(
    ctx: typer.Context,
    ident: Annotated[str | None, typer.Argument(
        metavar="ID", help="A history id (`pixazo history`) or a request id.",
        show_default=False)] = None,
    last: Annotated[bool, typer.Option("--last", help="The most recent generation.")] = False,
    output: Output = None,
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
    from pixazo_cli.commands.jobs import run_fetch

    if (ident is None) == (not last):
        raise UsageError("Give an ID or --last (not both).",
                         hint="`pixazo history` lists the ids.")
    options = global_options(ctx, sandbox, base_url, verbose, quiet)
    run_fetch(ident, OutputOptions(out_dir, name, output, overwrite, sidecar, json_out, timeout),
              options)


def register(app: typer.Typer) -> None:
    app.command(help="Download a past generation's images again, without paying.")(fetch)
