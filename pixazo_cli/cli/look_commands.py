"""`show`, `grid` and `sheet`: see images in the terminal, compare settings side by side, and
gather a folder of results on one page."""

from pathlib import Path
from typing import Annotated, Any

import typer

from pixazo_cli.cli.asset_options import with_asset_flags
from pixazo_cli.cli.model_commands import read_prompt
from pixazo_cli.cli.options import (
    BaseUrl,
    Json,
    OutDir,
    Overwrite,
    Preview,
    Quiet,
    Sandbox,
    Timeout,
    Verbose,
    global_options,
    model_names,
)
from pixazo_cli.commands.options import GridOptions, OutputOptions
from pixazo_cli.models.table import model_named


def show(
    paths: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Images to show.")],
) -> None:
    from pixazo_cli.commands.look import run_show

    run_show(paths)


@with_asset_flags(before="sandbox")
def grid(
    ctx: typer.Context,
    model: Annotated[str, typer.Argument(metavar="MODEL", help="The model to run.",
                                         autocompletion=model_names)],
    prompt: Annotated[str, typer.Argument(metavar="PROMPT", help="The prompt; `-` reads stdin.")],
    x: Annotated[str, typer.Option("--x", metavar="FLAG=V1,V2,...", help="The columns: a flag "
                                   "and its values, a range FLAG=A..B:STEP, or "
                                   "prompt=P1|P2 for whole prompts.")],
    y: Annotated[str | None, typer.Option("--y", metavar="FLAG=V1,V2,...",
                                          help="The rows, written like --x.")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", metavar="FLAG=VALUE", help="A flag for every cell, e.g. --set seed=7. "
        "Repeatable.")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", metavar="KEY=VALUE", help="Set any body field verbatim. Repeatable.")] = None,
    out_dir: OutDir = None,
    concurrency: Annotated[int, typer.Option("--concurrency", "-j", min=1, max=64, metavar="N",
                                             help="Cells at once.")] = 4,
    rate_limit: Annotated[int, typer.Option("--rate-limit", min=1, metavar="N",
                                            help="Paid requests a minute, at most.")] = 60,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the cells, their count and "
                                          "cost where known; send nothing.")] = False,
    overwrite: Overwrite = False,
    preview: Preview = False,
    json_out: Json = False,
    timeout: Timeout = None,
    sandbox: Sandbox = False,
    base_url: BaseUrl = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
    assets: dict[str, Any] | None = None,
) -> None:
    from pixazo_cli.commands.look import run_grid

    chosen = model_named(model)
    options = global_options(ctx, sandbox, base_url, verbose, quiet)
    output = OutputOptions(out_dir, None, None, overwrite, False, json_out, timeout)
    code = run_grid(chosen, read_prompt([prompt]), GridOptions(
        x, y, tuple(set_ or ()), tuple(param or ()), output, concurrency=concurrency,
        rate_limit=rate_limit, dry_run=dry_run, preview=preview, assets=assets or {}),
        options)
    raise typer.Exit(code)


def sheet(
    paths: Annotated[list[Path], typer.Argument(
        metavar="PATH...", help="Images, folders of them, or a batch or grid output folder.")],
    out_dir: Annotated[Path | None, typer.Option(
        "--output-dir", "-d", metavar="DIR", file_okay=False,
        help="Where index.html, thumbs/ and the contact-sheet PNG pages go (default: the one "
        "folder given, else ./sheet).")] = None,
    overwrite: Overwrite = False,
) -> None:
    from pixazo_cli.commands.look import run_sheet

    run_sheet(paths, out_dir, overwrite)


def register(app: typer.Typer) -> None:
    app.command(help="Show images in this terminal.", epilog="Drawn with the Kitty graphics "
                "protocol, Sixel, or Unicode half-blocks, whichever the terminal takes.")(show)
    app.command(help="One prompt over an X/Y grid of settings, as one labelled image.")(grid)
    app.command(help="Write a contact sheet: index.html with thumbnails, and PNG pages.")(sheet)
