"""The typer app: its root options, the one place errors become messages and exit codes, and
the registration of every command in the order --help lists them. Commands stay thin: parse,
call, print."""

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from typing import Annotated, Any

import typer

from pixazo_cli import __version__
from pixazo_cli.cli import (
    assets_commands,
    fetch_command,
    history_commands,
    job_commands,
    look_commands,
    model_commands,
    models_commands,
)
from pixazo_cli.cli.model_group import ModelGroup
from pixazo_cli.cli.options import (
    ARGS_META,
    JSON_META,
    BaseUrl,
    InstallCompletion,
    ModelsDir,
    Quiet,
    Sandbox,
    ShowCompletion,
    Verbose,
)
from pixazo_cli.cli.settings_commands import auth_app, config_app
from pixazo_cli.commands.options import GlobalOptions
from pixazo_cli.errors import EXIT_CODES, Interrupted, PixazoError, Terminated, UsageError

EXIT_CODE_HELP = "\b\nExit codes:\n" + "\n".join(
    f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES.items())
EXAMPLES_HELP = """\b
Examples:
  pixazo --sandbox sdxl "a lighthouse at dusk"   try it: no key, nothing charged
  pixazo sdxl a red fox --seed 7 -d out          one image in out/; its path on stdout
  pixazo sdxl --help                             the flags one model takes
  pixazo models                                  every model, its flags and ranges"""


TYPER_COMPLETION = ("install_completion", "show_completion")  # typer's names for its pair


class PixazoGroup(ModelGroup):
    """Turns every error into its message and exit code, in one place: typed errors, the
    parser's refusals (in the tool's words), Ctrl-C and bugs. With --json, each is also one
    JSON object on stdout; the parser fails before any command runs, so whether --json was
    asked for is read from the raw arguments here."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:  # `pixazo` alone: help, and success
            typer.echo(ctx.get_help())
            ctx.exit(0)
        ctx.meta[ARGS_META] = tuple(args)  # the parser's errors and --show-completion read it
        ctx.meta[JSON_META] = self._asks_for_json(ctx, args)
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as error:
            ctx.exit(self._report(ctx, error))

    def _asks_for_json(self, ctx: typer.Context, args: list[str]) -> bool:
        """--json before any `--`, for a command that takes it (or a command mistyped), a
        group's subcommand (`assets derive`) included."""
        words = args[:args.index("--")] if "--" in args else args
        if "--json" not in words:
            return False
        command: Any = next((self.get_command(ctx, word) for word in words
                             if word in self.commands), None)
        for word in words:  # down into groups: the subcommand's own params decide
            command = getattr(command, "commands", {}).get(word, command)
        if command is None or getattr(command, "commands", None):  # none, or a group's typo
            return True
        return any("--json" in getattr(param, "opts", ()) for param in command.params)

    def get_params(self, ctx: typer.Context) -> list[Any]:
        """Without typer's --install-completion and --show-completion, which ours replace.
        (add_completion stays on: it is what makes typer answer a Tab press.)"""
        return [p for p in super().get_params(ctx) if p.name not in TYPER_COMPLETION]

    def invoke(self, ctx: typer.Context) -> Any:
        terminated = threading.Event()
        with _sigterm_as_interrupt(terminated):
            return self._invoke_reporting(ctx, terminated)

    def _invoke_reporting(self, ctx: typer.Context, terminated: threading.Event) -> Any:
        try:
            return super().invoke(ctx)
        except typer.Exit:
            raise
        except (KeyboardInterrupt, typer.Abort):  # Abort: Ctrl-C (or Ctrl-D) at a prompt
            error: BaseException = Interrupted("Interrupted.")
        except Exception as exc:  # typed errors, the parser's, and bugs
            if os.environ.get("PIXAZO_DEBUG") and not isinstance(
                    exc, PixazoError | typer.TyperException):
                raise
            error = exc
        if isinstance(error, Interrupted) and terminated.is_set():
            error.exit_code = Terminated.exit_code  # SIGTERM: the same stop, its own code
            error.message = "Terminated." if error.message == "Interrupted." else error.message
        ctx.exit(self._report(ctx, error))

    def _report(self, ctx: typer.Context, error: BaseException) -> int:
        from pixazo_cli.cli.failures import report_failure

        return report_failure(error, ctx.meta.get(ARGS_META, []), bool(ctx.meta.get(JSON_META)))


@contextlib.contextmanager
def _sigterm_as_interrupt(terminated: threading.Event) -> Iterator[None]:
    """SIGTERM (a CI cancel, `kill`) stops like Ctrl-C: request id and resume command printed,
    part files removed; only the exit code (143) differs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(*_: object) -> None:
        terminated.set()
        raise Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


app = typer.Typer(
    cls=PixazoGroup,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Make images with the Pixazo gateway's models, from a terminal, a script or CI.",
    epilog=f"{EXAMPLES_HELP}\n\n{EXIT_CODE_HELP}",
)

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
    models_dir: ModelsDir = None,
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    completion_install: InstallCompletion = False,
    completion_script: ShowCompletion = False,
) -> None:
    from pixazo_cli.settings.config import mask_known_keys

    mask_known_keys()
    ctx.obj = GlobalOptions(sandbox, base_url, verbose, quiet)


# Registered in this order, which is the order --help and the man page list them in (the
# model commands come first: cli/model_group.py).
models_commands.register(app)
job_commands.register(app)
model_commands.register_replay(app)
job_commands.register_inspect(app)
look_commands.register(app)
assets_commands.register(app)
history_commands.register(app)
fetch_command.register(app)


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
    from pixazo_cli.sandbox import SandboxOptions, serve_forever

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
