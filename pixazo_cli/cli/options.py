"""Options several commands share, declared once: the global ones (--sandbox, --base-url,
--verbose, --quiet) that also work after a command's name, and the saving ones."""

import math
from pathlib import Path
from typing import Annotated, Any

import typer

from pixazo_cli.commands.options import SANDBOX_LATENCY, SANDBOX_LATENCY_ENV, GlobalOptions
from pixazo_cli.errors import UsageError
from pixazo_cli.http.clock import MAX_SECONDS
from pixazo_cli.models.table import Model


def completer(choices: tuple[str, ...]) -> Any:
    def complete() -> list[str]:
        return list(choices)
    return complete


def model_names() -> list[str]:
    """Completing a model's name: from the model files' names, none of them read."""
    from pixazo_cli.models.table import MODELS

    return MODELS.names()


Sandbox = Annotated[bool, typer.Option("--sandbox", help="Use the offline sandbox: no key, "
                                       "placeholder images, nothing charged; each job takes "
                                       f"{SANDBOX_LATENCY:g} s ({SANDBOX_LATENCY_ENV}=0: none).")]
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


def finite(param: typer.CallbackParam, value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise UsageError(f"{param.opts[0]} must be a finite number, not {value:g}.")
    return value


def seconds(param: typer.CallbackParam, value: float | None) -> float | None:
    """A time limit above zero that the clocks and sockets underneath can hold (1e10 s
    overflows them)."""
    if value is not None and not 0 < value <= MAX_SECONDS:
        raise UsageError(f"{param.opts[0]} must be a number of seconds above 0, not {value:g}.",
                         hint=f"At most {MAX_SECONDS:.0f} (30 days)." if value > 0 else None)
    return value


Timeout = Annotated[float | None, typer.Option(
    "--timeout", metavar="SECONDS", callback=seconds,
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
def count_option(model: Model) -> Any:
    """-n/--count, its help fitted to what the model varies (commands/variations.py): the seed
    where it takes one, else the images a request asks for, else nothing."""
    if model.seed_field:
        what = ("N variations: N requests (seeds S … S+N-1 from --seed S, else from one random "
                "S), run in parallel under the batch limiter, named in seed order.")
    elif "num_images" in model.by_flag:
        what = (f"N images, at most 4 a request ({model.name} takes no seed), or N requests "
                "when --num-images is given too.")
    else:
        what = (f"N images: N requests with the same settings ({model.name} takes no seed), "
                "run in parallel under the batch limiter.")
    return Annotated[int, typer.Option("--count", "-n", min=1, max=100, metavar="N",
                                       help=f"Make {what}")]


JSON_META = "pixazo.json"  # ctx.meta key: --json was given, so errors are JSON on stdout too
ARGS_META = "pixazo.args"  # ctx.meta key: the words typed, as the parser's errors quote them


def global_options(ctx: typer.Context, sandbox: bool, base_url: str | None, verbose: bool,
                   quiet: bool) -> GlobalOptions:
    root_options = ctx.find_root().obj or GlobalOptions()
    options = root_options.merged(GlobalOptions(sandbox, base_url, verbose, quiet))
    if options.verbose and options.quiet:
        raise UsageError("--verbose and --quiet contradict each other; pick one.")
    return options




# --show-completion and --install-completion take the shell as the word after them, when one
# is named: typer 0.28 has no option with an optional value, so they are flags that read the
# root's arguments (ARGS_META, kept by PixazoGroup.parse_args) and replace typer's own pair.


def _show_completion(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from pixazo_cli.cli.completion_scripts import script, shell_for

        typer.echo(script(shell_for(ctx.meta[ARGS_META], "--show-completion")), nl=False)
        raise typer.Exit()


def _install_completion(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from pixazo_cli.cli.completion_scripts import install, shell_for

        shell = shell_for(ctx.meta[ARGS_META], "--install-completion")
        path = install(shell, Path.home())
        typer.echo(f"Installed {shell} completion in {path}; new {shell} sessions use it.",
                   err=True)
        raise typer.Exit()


InstallCompletion = Annotated[bool, typer.Option(
    "--install-completion", is_eager=True, expose_value=False, callback=_install_completion,
    help="Install completion for the current shell, or for the one named after it: bash, zsh "
    "or fish.")]
ShowCompletion = Annotated[bool, typer.Option(
    "--show-completion", is_eager=True, expose_value=False, callback=_show_completion,
    help="Print the completion script for the current shell, or for the one named after it "
    "(bash, zsh, fish), to install it by hand.")]
