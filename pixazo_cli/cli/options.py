"""Options several commands share, declared once: the global ones (--sandbox, --base-url,
--verbose, --quiet) that also work after a command's name, and the saving ones."""

import math
from pathlib import Path
from typing import Annotated, Any

import typer

from pixazo_cli.commands.options import GlobalOptions
from pixazo_cli.errors import UsageError
from pixazo_cli.http.clock import MAX_SECONDS


def completer(choices: tuple[str, ...]) -> Any:
    def complete() -> list[str]:
        return list(choices)
    return complete


def model_names() -> list[str]:
    """Completing a model's name: from the model files' names, none of them read."""
    from pixazo_cli.models.table import MODELS

    return MODELS.names()


Sandbox = Annotated[bool, typer.Option("--sandbox", help="Use the offline sandbox: no key, "
                                       "placeholder images, nothing charged.")]
BaseUrl = Annotated[str | None, typer.Option("--base-url", metavar="URL",
                                                help="Gateway base URL (env PIXAZO_BASE_URL).")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log each HTTP exchange to stderr.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of paths.")]


def _models_dir(value: Path | None) -> Path | None:
    """--models-dir: read model files from this folder too (before the config folder's)."""
    from pixazo_cli.models.table import MODELS

    if value is not None:
        MODELS.models_dir = value
    return value


ModelsDir = Annotated[Path | None, typer.Option(
    "--models-dir", metavar="DIR", is_eager=True, callback=_models_dir, file_okay=False,
    help="Read model files from DIR too, before the config folder's models/ (env "
    "PIXAZO_MODELS_DIR). See `pixazo models`.")]


def finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter("must be a finite number of seconds")
    return value


def seconds(value: float | None) -> float | None:
    """A time limit the clocks and sockets underneath can hold (1e10 s overflows them)."""
    finite(value)
    if value is not None and value > MAX_SECONDS:
        raise typer.BadParameter(f"must be at most {MAX_SECONDS:.0f} seconds (30 days), "
                                 f"not {value:g}")
    return value


Timeout = Annotated[float | None, typer.Option(
    "--timeout", min=0.001, metavar="SECONDS", callback=seconds,
    help="Bound the whole command (default: config timeout, else 600).")]
OutDir = Annotated[Path | None, typer.Option(
    "--output-dir", "-d", metavar="DIR", help="Save images in this folder (created if need be).",
    show_default="config output_dir, else the current folder", file_okay=False)]
Output = Annotated[str | None, typer.Option(
    "--output", "-o", metavar="PATH", help="Save the image to this file ({placeholders} of "
    "--name allowed; several images: -N before the extension). `-` writes it to stdout.",
    show_default=False)]
Name = Annotated[str | None, typer.Option(
    "--name", metavar="TEMPLATE", help="File name template in the output folder; "
    "placeholders: {model} {index} {seed} {request_id} {date} {time} {slug} {ext}.")]
Overwrite = Annotated[bool, typer.Option("--overwrite", help="Replace existing files.")]
Sidecar = Annotated[bool, typer.Option(
    "--sidecar", help="Also write each image's generation record to a .json file beside it.")]

Preview = Annotated[bool, typer.Option(
    "--preview", help="Show each saved image in the terminal (stderr; nothing when it is not a "
    "terminal). Config: preview = true.")]
Count = Annotated[int, typer.Option(
    "--count", "-n", min=1, max=100, metavar="N", help="Make N variations: N requests (seeds S, "
    "S+1, … from --seed S, else random), run in parallel under the batch limiter.")]


JSON_META = "pixazo.json"  # ctx.meta key: --json was given, so errors are JSON on stdout too


def want_json_errors(ctx: typer.Context, json_out: bool) -> None:
    ctx.meta[JSON_META] = json_out


def global_options(ctx: typer.Context, sandbox: bool, base_url: str | None, verbose: bool,
                   quiet: bool) -> GlobalOptions:
    root_options = ctx.find_root().obj or GlobalOptions()
    options = root_options.merged(GlobalOptions(sandbox, base_url, verbose, quiet))
    if options.verbose and options.quiet:
        raise UsageError("--verbose and --quiet contradict each other; pick one.")
    return options


