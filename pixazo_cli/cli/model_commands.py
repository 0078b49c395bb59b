"""The generation commands: one per model, built from the model table, and `replay`.

Typer reads a command's options from its function signature, so each model's signature is
built from its fields: a model's --help lists only the flags it takes."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from pixazo_cli.cli.options import (
    BaseUrl,
    Count,
    Json,
    Name,
    OutDir,
    Overwrite,
    Preview,
    Quiet,
    Sandbox,
    Sidecar,
    Timeout,
    Verbose,
    completer,
    global_options,
)
from pixazo_cli.errors import UsageError
from pixazo_cli.models.request import cli_name, field_for
from pixazo_cli.models.table import FLAGS, MODELS, Field, Model


class ModelCommand(TyperCommand):
    """A model's subcommand: a vocabulary flag this model does not take gets a helpful refusal."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as exc:  # NoSuchOption carries the option's name
            name = getattr(exc, "option_name", "").lstrip("-").replace("-", "_")
            if name in FLAGS:
                field_for(MODELS[str(ctx.info_name)], name)  # raises the one refusal message
            raise


def read_prompt(prompt: str) -> str:
    if prompt != "-":
        return prompt
    if sys.stdin.isatty():
        raise UsageError("PROMPT is `-` but nothing is piped in.",
                         hint='Pipe the prompt: echo "a cat" | pixazo sdxl -')
    return sys.stdin.read().rstrip("\r\n")


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
                          autocompletion=completer(spec.choices) if spec.choices else None)
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
        inspect.Parameter("preview", kw, default=False, annotation=Preview),
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
        from pixazo_cli.commands.run import run_model

        code = run_model(model, read_prompt(prompt), options, global_options(
            ctx, options.pop("sandbox"), options.pop("base_url"), options.pop("verbose"),
            options.pop("quiet")))
        if code:
            raise typer.Exit(code)

    prompt = inspect.Parameter("prompt", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                               annotation=Annotated[str, typer.Argument(
                                   metavar="PROMPT", help="The prompt; `-` reads it from stdin.",
                                   show_default=False)])
    ctx = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                            annotation=typer.Context)
    fields = [_field_option(model, spec) for spec in model.fields]
    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [ctx, prompt, *fields, *_common_parameters(bool(model.stream_path), model.queued),
         inspect.Parameter("count", inspect.Parameter.KEYWORD_ONLY, default=1,
                           annotation=Count)])
    command.__name__ = model.name
    return command


def _replay_command() -> Any:
    def command(ctx: typer.Context, path: Path, **options: Any) -> None:
        from pixazo_cli.commands.run import run_replay

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
                              metavar="FILE_OR_ID", help="An image pixazo saved, or a "
                              "history id (`pixazo history`).")]),
        *flags, *_common_parameters(stream=False, queued=True)])
    return command


def register(app: typer.Typer) -> None:
    for model in MODELS.values():
        app.command(model.name, cls=ModelCommand, help=f"{model.title}.",
                    epilog=f"\b\nExample:\n  {model.example}")(_model_command(model))


def register_replay(app: typer.Typer) -> None:
    app.command("replay", help="Send the request recorded in an image or the history again "
                "(flags override it).")(_replay_command())
