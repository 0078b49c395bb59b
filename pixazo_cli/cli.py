"""CLI wiring: the root command, one subcommand per model (built from the model table),
`status` and `sandbox`. Commands stay thin: parse, call, print. (`auth` and `config` are wired in
cli_settings.py.)"""

from __future__ import annotations

import inspect
import math
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from . import __version__
from .body import cli_name, models_taking
from .cli_settings import auth_app, config_app
from .errors import EXIT_CODES, PixazoError, UsageError, report
from .models import FLAGS, MODELS, Field, Model
from .session import GlobalOptions

EXIT_CODE_HELP = "\b\nExit codes:\n" + "\n".join(
    f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES.items())


class PixazoGroup(TyperGroup):
    """Turns every typed error into its message and exit code, in one place."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PixazoError as error:
            ctx.exit(report(error, sys.stderr))
        except KeyboardInterrupt:
            sys.stderr.write("Interrupted.\n")
            ctx.exit(130)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise
        except Exception as error:
            if os.environ.get("PIXAZO_DEBUG"):
                raise
            ctx.exit(report(PixazoError(
                f"unexpected error: {type(error).__name__}: {error}",
                hint="This is a bug in pixazo; PIXAZO_DEBUG=1 shows the traceback to report."),
                sys.stderr))


class ModelCommand(TyperCommand):
    """A model's subcommand: a vocabulary flag this model does not take gets a helpful refusal."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as exc:  # NoSuchOption carries the option's name
            name = getattr(exc, "option_name", "").lstrip("-").replace("-", "_")
            if name in FLAGS:
                others = ", ".join(models_taking(name))
                raise UsageError(f"{ctx.info_name} does not take {cli_name(name)}.",
                                 hint=f"{cli_name(name)} is for: {others}.") from None
            raise


app = typer.Typer(
    cls=PixazoGroup,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Make images with the Pixazo gateway's models, from a terminal, a script or CI.",
    epilog=EXIT_CODE_HELP,
)

Sandbox = Annotated[bool, typer.Option("--sandbox", help="Use the offline sandbox: no key, "
                                       "placeholder images, nothing charged.")]
BaseUrl = Annotated[str | None, typer.Option("--base-url", metavar="URL",
                                                help="Gateway base URL (env PIXAZO_BASE_URL).")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log each HTTP exchange to stderr.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of paths.")]
def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter("must be a finite number of seconds")
    return value


Timeout = Annotated[float | None, typer.Option(
    "--timeout", min=0.001, metavar="SECONDS", callback=_finite,
    help="Bound the whole command (default: config timeout, else 600).")]
OutDir = Annotated[Path | None, typer.Option(
    "--out-dir", "-o", metavar="DIR", help="Save images here.",
    show_default="config output_dir, else the current folder", file_okay=False)]
Name = Annotated[str | None, typer.Option(
    "--name", metavar="TEMPLATE", help="File name template; placeholders: {model} {index} {seed} "
    "{request_id} {date} {time} {slug} {ext}.")]
Overwrite = Annotated[bool, typer.Option("--overwrite", help="Replace existing files.")]
Sidecar = Annotated[bool, typer.Option(
    "--sidecar", help="Also write each image's generation record to a .json file beside it.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pixazo {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    sandbox: Sandbox = False,
    base_url: BaseUrl = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    ctx.obj = GlobalOptions(sandbox, base_url, verbose, quiet)


def global_options(ctx: typer.Context, sandbox: bool, base_url: str | None, verbose: bool,
                   quiet: bool) -> GlobalOptions:
    root_options = ctx.find_root().obj or GlobalOptions()
    options = root_options.merged(GlobalOptions(sandbox, base_url, verbose, quiet))
    if options.verbose and options.quiet:
        raise UsageError("--verbose and --quiet contradict each other; pick one.")
    return options


def read_prompt(prompt: str) -> str:
    if prompt != "-":
        return prompt
    if sys.stdin.isatty():
        raise UsageError("PROMPT is `-` but nothing is piped in.",
                         hint='Pipe the prompt: echo "a cat" | pixazo sdxl -')
    return sys.stdin.read().rstrip("\r\n")


def _completer(choices: tuple[str, ...]) -> Any:
    def complete() -> list[str]:
        return list(choices)
    return complete


def _field_option(model: Model, spec: Field) -> inspect.Parameter:
    flag = FLAGS[spec.flag]
    where = f"sent as {spec.name}"
    if spec.choices:
        where += f"; one of {', '.join(spec.choices)}"
    if spec.low is not None:
        where += f"; {spec.low:g} to {spec.high:g}" if spec.high is not None else \
            f"; at least {spec.low:g}"
    if spec.default is not None:
        where += f"; default {spec.default}"
    names = [f"{cli_name(spec.flag)}/{flag.off_switch}"] if flag.off_switch else \
        [cli_name(spec.flag)]
    option = typer.Option(*names, help=f"{flag.help} [{where}]", metavar=flag.metavar or None,
                          show_default=False,
                          autocompletion=_completer(spec.choices) if spec.choices else None)
    return inspect.Parameter(spec.flag, inspect.Parameter.KEYWORD_ONLY, default=None,
                             annotation=Annotated[spec.kind | None, option])


def _common_parameters(stream: bool, queued: bool) -> list[inspect.Parameter]:
    kw = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("param", kw, default=None, annotation=Annotated[list[str] | None,
                          typer.Option("--param", metavar="KEY=VALUE", help="Set any body field "
                                       "verbatim (JSON value, else text). Repeatable.")]),
        inspect.Parameter("out_dir", kw, default=None, annotation=OutDir),
        inspect.Parameter("name", kw, default=None, annotation=Name),
        inspect.Parameter("overwrite", kw, default=False, annotation=Overwrite),
        inspect.Parameter("json_out", kw, default=False, annotation=Json),
        inspect.Parameter("timeout", kw, default=None, annotation=Timeout),
        inspect.Parameter("dry_run", kw, default=False, annotation=Annotated[bool, typer.Option(
            "--dry-run", help="Print the request (key masked) and a curl command; send "
            "nothing.")]),
        inspect.Parameter("open_images", kw, default=False, annotation=Annotated[
            bool, typer.Option("--open", help="Open the saved images in the desktop's viewer.")]),
        inspect.Parameter("sidecar", kw, default=False, annotation=Sidecar),
    ]
    if stream:
        params.append(inspect.Parameter("stream", kw, default=False, annotation=Annotated[
            bool, typer.Option("--stream", help="Use the model's Stream endpoint.")]))
    if queued:
        params.append(inspect.Parameter("no_wait", kw, default=False, annotation=Annotated[
            bool, typer.Option("--no-wait", help="Print the request id and exit; fetch it "
                               "later with `pixazo status ID --wait`.")]))
    for name, annotation in (("sandbox", Sandbox), ("base_url", BaseUrl),
                             ("verbose", Verbose), ("quiet", Quiet)):
        params.append(inspect.Parameter(name, kw, default=None if name == "base_url" else False,
                                        annotation=annotation))
    return params


def _model_command(model: Model) -> Any:
    def command(ctx: typer.Context, prompt: str, **options: Any) -> None:
        from .commands import run_model

        run_model(model, read_prompt(prompt), options, global_options(
            ctx, options.pop("sandbox"), options.pop("base_url"), options.pop("verbose"),
            options.pop("quiet")))

    prompt = inspect.Parameter("prompt", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                               annotation=Annotated[str, typer.Argument(
                                   metavar="PROMPT", help="The prompt; `-` reads it from stdin.",
                                   show_default=False)])
    ctx = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                            annotation=typer.Context)
    fields = [_field_option(model, spec) for spec in model.fields]
    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [ctx, prompt, *fields, *_common_parameters(bool(model.stream_path), model.queued)])
    command.__name__ = model.name
    return command


for _model in MODELS.values():
    app.command(_model.name, cls=ModelCommand, help=f"{_model.title}.",
                epilog=f"\b\nExample:\n  {_model.example}")(_model_command(_model))


@app.command(help="Show a queued job, or wait for it and save its images (--wait).")
def status(
    ctx: typer.Context,
    request_id: Annotated[str, typer.Argument(
        metavar="REQUEST_ID", help="The request id a queued command printed (--no-wait).")],
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the job and save its images.")]
    = False,
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
    from .commands import run_status

    options = global_options(ctx, sandbox, base_url, verbose, quiet)
    run_status(request_id, wait, dict(out_dir=out_dir, name=name, overwrite=overwrite,
                                      sidecar=sidecar, json_out=json_out, timeout=timeout),
               options)


@app.command(help="Run many generations from a file: in parallel, resumable, shardable.")
def batch(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(metavar="FILE", help="JSON Lines (one object a "
                                          "line), or one prompt a line with --model; - = stdin.")],
    model: Annotated[str | None, typer.Option(
        "--model", "-m", help="Model for plain-text lines and lines without one.",
        autocompletion=_completer(tuple(MODELS)))] = None,
    out_dir: OutDir = None,
    concurrency: Annotated[int, typer.Option("--concurrency", "-j", min=1, max=64, metavar="N",
                                             help="Jobs at once.")] = 4,
    rate_limit: Annotated[int, typer.Option("--rate-limit", min=1, metavar="N",
                                            help="Paid requests a minute, at most.")] = 60,
    shard: Annotated[str | None, typer.Option(
        "--shard", metavar="I/N", help="Run only the I-th of N equal slices of the lines.")]
    = None,
    skip_invalid: Annotated[bool, typer.Option(
        "--skip-invalid", help="Run the valid lines even when some are invalid.")] = False,
    resend_maybe_charged: Annotated[bool, typer.Option(
        "--resend-maybe-charged", help="Send again the jobs whose last request may have been "
        "charged (a 500, a timeout or a dropped connection) instead of reporting them.")]
    = False,
    overwrite: Overwrite = False,
    sidecar: Sidecar = False,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON line per job on stdout.")]
    = False,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", min=0.001, metavar="SECONDS", callback=_finite,
        help="Bound each job (default: config timeout, else 600).")]
    = None,
    sandbox: Sandbox = False,
    base_url: BaseUrl = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    from .commands import run_batch

    if model is not None and model not in MODELS:
        raise UsageError(f"No model {model!r}.", hint=f"Models: {', '.join(MODELS)}.")
    options = global_options(ctx, sandbox, base_url, verbose, quiet)
    code = run_batch(source, dict(model=model, out_dir=out_dir, concurrency=concurrency,
                                  rate_limit=rate_limit, shard=shard, skip_invalid=skip_invalid,
                                  resend_maybe_charged=resend_maybe_charged,
                                  overwrite=overwrite, sidecar=sidecar, json_out=json_out,
                                  timeout=timeout), options)
    raise typer.Exit(code)


def inspect_(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="An image pixazo saved.")],
    json_out: Annotated[bool, typer.Option("--json", help="One line of JSON.")] = False,
) -> None:
    from .commands import run_inspect

    run_inspect(path, json_out)


def _replay_command() -> Any:
    def command(ctx: typer.Context, path: Path, **options: Any) -> None:
        from .commands import run_replay

        run_replay(path, options, global_options(
            ctx, options.pop("sandbox"), options.pop("base_url"), options.pop("verbose"),
            options.pop("quiet")))

    kw = inspect.Parameter.KEYWORD_ONLY
    # The model is known only once the file is read, so every flag is taken as text here and
    # checked against the recorded model's own rules.
    flags = [inspect.Parameter(flag, kw, default=None, annotation=Annotated[
        bool | None if info.off_switch else str | None, typer.Option(
            f"{cli_name(flag)}/{info.off_switch}" if info.off_switch else cli_name(flag),
            help=info.help, metavar=info.metavar or None, show_default=False)])
        for flag, info in FLAGS.items()]
    command.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          annotation=typer.Context),
        inspect.Parameter("path", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          annotation=Annotated[Path, typer.Argument(
                              metavar="FILE", help="An image pixazo saved.")]),
        *flags, *_common_parameters(stream=False, queued=True)])
    return command


app.command("replay", help="Send an image's recorded request again (flags override it).")(
    _replay_command())
app.command("inspect", help="Print the generation record embedded in an image.")(
    inspect_)


sandbox_app = typer.Typer(help="The offline stand-in for the gateway.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")


@sandbox_app.command(help="Serve the sandbox gateway on loopback until Ctrl-C.")
def serve(
    host: Annotated[str, typer.Option(metavar="HOST", help="Address to listen on.")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="Port; 0 picks a free one.")] = 8787,
    key: Annotated[str | None, typer.Option(metavar="KEY", help="Accept only this API key.")]
    = None,
    latency: Annotated[float, typer.Option(min=0, metavar="SECONDS",
                                           help="Seconds each job takes.")] = 2.0,
    balance: Annotated[int | None, typer.Option(min=0, metavar="N", help="Images it will make "
                                                "before answering 402.")] = None,
    rate_limit: Annotated[int, typer.Option(min=0, metavar="N", help="Model POSTs a minute "
                                            "before 429; 0: no limit.")] = 60,
    fault: Annotated[list[str] | None, typer.Option(
        metavar="WHERE:WHAT[*N]", help="Inject a fault, e.g. submit:503*2 (see README).")] = None,
    quiet: Quiet = False,
) -> None:
    from .sandbox import SandboxOptions, serve_forever

    options = SandboxOptions(host=host, port=port, key=key, latency=latency, balance=balance,
                             rate_limit=rate_limit, faults=fault or [], quiet=quiet)
    try:
        serve_forever(options)
    except ValueError as exc:
        raise UsageError(f"{exc}", hint="Faults look like submit:503*2; see the README.") from None
    except OSError as exc:
        raise UsageError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.",
                         hint="Pick another --port, or --port 0 for any free one.") from None


app.add_typer(auth_app, name="auth")
app.add_typer(config_app, name="config")
