"""`status`, `batch` and `inspect`: commands about jobs and the files they made."""

from pathlib import Path
from typing import Annotated, Any

import typer

from pixazo_cli.cli.asset_options import with_asset_flags
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
    finite,
    global_options,
    model_names,
    seconds,
)
from pixazo_cli.commands.options import BatchCommandOptions, OutputOptions
from pixazo_cli.models.table import model_named


def status(
    ctx: typer.Context,
    request_id: Annotated[str | None, typer.Argument(
        metavar="[REQUEST_ID]", help="The request id a queued command printed (--no-wait); "
        "default: the most recent queued job in the history.", show_default=False)] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the job and save its images.")]
    = False,
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
    from pixazo_cli.commands.jobs import run_status

    options = global_options(ctx, sandbox, base_url, verbose, quiet)
    run_status(request_id, wait, OutputOptions(out_dir, name, output, overwrite, sidecar,
                                               json_out, timeout), options)


@with_asset_flags(before="sandbox")
def batch(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(metavar="FILE", help="JSON Lines (one object a "
                                          "line), or one prompt a line with --model; - = stdin.")],
    model: Annotated[str | None, typer.Option(
        "--model", "-m", metavar="MODEL", help="Model for plain-text lines and lines without "
        "one.",
        autocompletion=model_names)] = None,
    out_dir: OutDir = None,
    concurrency: Annotated[int, typer.Option("--concurrency", "-j", min=1, max=64, metavar="N",
                                             help="Jobs at once.")] = 4,
    rate_limit: Annotated[int | None, typer.Option(
        "--rate-limit", min=1, metavar="N", help="Paid requests a minute, at most.",
        show_default="60, or 60/N with --shard I/N: the shards share one key")] = None,
    shard: Annotated[str | None, typer.Option(
        "--shard", metavar="I/N", help="Run only shard I of N; a job's shard follows its "
        "content, so other lines never move it.")]
    = None,
    skip_invalid: Annotated[bool, typer.Option(
        "--skip-invalid", help="Run the valid lines even when some are invalid (exit 2 at the "
        "end).")] = False,
    check: Annotated[bool, typer.Option(
        "--check", help="Check every line and say what a run would do and cost; send nothing, "
        "need no key.")] = False,
    max_requests: Annotated[int | None, typer.Option(
        "--max-requests", min=0, metavar="N",
        help="Stop before sending more than N paid requests (exit 4; a re-run continues).")]
    = None,
    max_cost: Annotated[float | None, typer.Option(
        "--max-cost", min=0, metavar="DOLLARS", callback=finite,
        help="Stop before spending more than this on models with a stated price (exit 4).")]
    = None,
    name: Name = None,
    resend_maybe_charged: Annotated[bool, typer.Option(
        "--resend-maybe-charged", help="Send again the jobs whose last request may have been "
        "charged (a 500, a timeout or a dropped connection) instead of reporting them.")]
    = False,
    overwrite: Overwrite = False,
    sidecar: Sidecar = False,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON line per job on stdout.")]
    = False,
    sheet: Annotated[bool, typer.Option("--sheet", help="Write a contact sheet (index.html, "
                                        "contact-sheet.png) in the output folder at the end.")]
    = False,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", metavar="SECONDS", callback=seconds,
        help="Bound each job (default: config timeout, else 600).")]
    = None,
    sandbox: Sandbox = False,
    base_url: BaseUrl = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
    assets: dict[str, Any] | None = None,
) -> None:
    from pixazo_cli.commands.batch import run_batch

    if model is not None:
        model_named(model)
    options = global_options(ctx, sandbox, base_url, verbose, quiet)
    output = OutputOptions(out_dir, name, None, overwrite, sidecar, json_out, timeout)
    code = run_batch(source, BatchCommandOptions(
        model, output, concurrency=concurrency, rate_limit=rate_limit, shard=shard,
        skip_invalid=skip_invalid, resend_maybe_charged=resend_maybe_charged, check=check,
        max_requests=max_requests, max_cost=max_cost, sheet=sheet, assets=assets or {}),
        options)
    raise typer.Exit(code)


def inspect_(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="An image pixazo saved.")],
    json_out: Annotated[bool, typer.Option("--json", help="One line of JSON.")] = False,
) -> None:
    from pixazo_cli.commands.jobs import run_inspect

    run_inspect(path, json_out)


BATCH_FILE_HELP = """The file is JSON Lines, one job a line: "model", "prompt", any flag by its \
long name (steps, seed, aspect-ratio, negative-prompt…), and optionally "name" (a file name \
template), "stream", "param" (raw body fields), and asset keys over the asset flags (size, \
fit, gravity, pad-color, to, widths, upscale, placeholder, strip). A line that is not JSON is \
a prompt for --model; blank lines and lines starting with # are skipped. A re-run with other \
asset flags derives again from the saved images and sends nothing.

\b
For example:
  {"model": "sdxl", "prompt": "a lighthouse at dusk", "width": 1344, "seed": 7}
  {"model": "nucleus", "prompt": "a fox in the snow", "aspect-ratio": "16:9"}
  a paper boat on a pond"""


def register(app: typer.Typer) -> None:
    app.command(help="Show a queued job, or wait for it and save its images (--wait).")(status)
    app.command(short_help="Run many generations from a file, in parallel.",
                help="Run many generations from a file: in parallel, resumable, shardable.",
                epilog=BATCH_FILE_HELP)(batch)


def register_inspect(app: typer.Typer) -> None:
    app.command("inspect", help="Print the generation record embedded in an image.")(inspect_)
