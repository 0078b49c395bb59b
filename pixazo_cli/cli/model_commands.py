"""The generation commands: one per model, built from its model file, and `replay`.

Typer reads a command's options from its function signature, so each model's signature is
built from its fields: a model's --help lists only the flags it takes. A model's command is
built when it is used (cli/model_group.py), so a start-up reads no model file it need not."""

import inspect
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from pixazo_cli.cli.asset_options import asset_parameters, take_asset_values
from pixazo_cli.cli.options import (
    BaseUrl,
    Json,
    Name,
    OutDir,
    Output,
    Overwrite,
    Preview,
    Quiet,
    Sandbox,
    Sidecar,
    Timeout,
    Verbose,
    completer,
    count_option,
    global_options,
)
from pixazo_cli.commands.options import GlobalOptions, OutputOptions, RequestOptions, RunOptions
from pixazo_cli.commands.stdin import MAX_PROMPT_BYTES, read_stdin_text
from pixazo_cli.errors import UsageError
from pixazo_cli.models.request import cli_name, field_for
from pixazo_cli.models.spec import COMMON_NAMES
from pixazo_cli.models.table import FLAGS, Field, Model


class ModelCommand(TyperCommand):
    """A model's subcommand: a vocabulary flag this model does not take (or one close to what
    was typed) gets the refusal that names the models taking it; every other refusal is said
    in the tool's words by the app group (cli/failures.py)."""

    model: Model  # set by model_command

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        words = list(args)  # the parser consumes `args`
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as exc:
            if hasattr(exc, "possibilities"):  # an unknown option (NoSuchOption)
                _refuse_vocabulary(ctx, self.model, getattr(exc, "option_name", ""), words)
            raise


def _refuse_vocabulary(ctx: typer.Context, model: Model, option: str, words: list[str]) -> None:
    from pixazo_cli.cli.failures import option_names
    from pixazo_cli.errors import close_matches

    name = option.lstrip("-").replace("-", "_")
    if name in FLAGS:
        field_for(model, name)  # raises the one refusal message
    if close_matches(option, option_names(ctx)):
        return  # a near miss of its own options: the generic "did you mean"
    meant = close_matches(option, [cli_name(flag) for flag in FLAGS])
    if not meant:
        return
    typed = next((word for word in words if word.startswith(option)), option)
    try:
        field_for(model, meant[0].lstrip("-").replace("-", "_"))
    except UsageError as refusal:
        raise UsageError(f"{model.name} has no option {typed}.",
                         hint=f"Did you mean {meant[0]}? {refusal.message} {refusal.hint}") \
            from None


def read_prompt(words: list[str]) -> str:
    """The prompt needs no quotes: its words are joined; `-` alone reads it from stdin."""
    if words != ["-"]:
        return " ".join(words)
    if sys.stdin.isatty():
        raise UsageError("PROMPT is `-` but nothing is piped in.",
                         hint='Pipe the prompt: echo "a cat" | pixazo sdxl -')
    return read_stdin_text("the prompt", MAX_PROMPT_BYTES).rstrip("\r\n")


def _field_option(model: Model, spec: Field) -> inspect.Parameter:
    flag = model.flag_info(spec.flag)
    where = f"sent as {spec.name}"
    if spec.choices:
        where += f"; one of {', '.join(spec.choices)}"
    if spec.range_words:
        where += f"; {spec.range_words}"
    if spec.default is not None:
        where += f"; default {spec.default}"
    names = [f"{cli_name(spec.flag)}/{flag.off_switch}"] if flag.off_switch else \
        [cli_name(spec.flag)]
    option = typer.Option(*names, help=f"{flag.help} [{where}]", metavar=flag.metavar or None,
                          show_default=False,
                          autocompletion=completer(spec.choices) if spec.choices else None)
    # Values are taken as text and checked by models/request.py, as a batch line's or a
    # config file's are: one check, one message saying what the field takes.
    kind = bool if spec.kind is bool else str
    return inspect.Parameter(spec.flag, inspect.Parameter.KEYWORD_ONLY, default=None,
                             annotation=Annotated[kind | None, option])


def _common_parameters(stream: bool, queued: bool) -> list[inspect.Parameter]:
    kw = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("param", kw, default=None, annotation=Annotated[list[str] | None,
                          typer.Option("--param", metavar="KEY=VALUE", help="Set any body field "
                                       "verbatim (JSON value, else text). Repeatable.")]),
        inspect.Parameter("output", kw, default=None, annotation=Output),
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
    params += asset_parameters()
    for name, annotation in (("sandbox", Sandbox), ("base_url", BaseUrl),
                             ("verbose", Verbose), ("quiet", Quiet)):
        params.append(inspect.Parameter(name, kw, default=None if name == "base_url" else False,
                                        annotation=annotation))
    return params


def run_options(parsed: dict[str, Any]) -> RunOptions:
    """The one place a command's parsed parameters become the typed options commands/ reads."""
    parsed = dict(parsed)
    assets = take_asset_values(parsed)
    output = OutputOptions(out_dir=parsed["out_dir"], name=parsed["name"], output=parsed["output"],
                           overwrite=parsed["overwrite"], sidecar=parsed["sidecar"],
                           json_out=parsed["json_out"], timeout=parsed["timeout"])
    # Every parameter that is not an option all commands share is a flag of the model's.
    request = RequestOptions(flags={flag: value for flag, value in parsed.items()
                                    if flag not in COMMON_NAMES},
                             params=tuple(parsed["param"] or ()),
                             stream=parsed.get("stream", False))
    return RunOptions(request, output, dry_run=parsed["dry_run"],
                      no_wait=parsed.get("no_wait", False), open_images=parsed["open_images"],
                      count=parsed.get("count", 1), preview=parsed["preview"], assets=assets)


def _globals(ctx: typer.Context, parsed: dict[str, Any]) -> GlobalOptions:
    return global_options(ctx, parsed["sandbox"], parsed["base_url"], parsed["verbose"],
                          parsed["quiet"])


def _model_command(model: Model) -> Any:
    def command(ctx: typer.Context, prompt: list[str], **parsed: Any) -> None:
        from pixazo_cli.commands.generate import run_model

        code = run_model(model, read_prompt(prompt), run_options(parsed), _globals(ctx, parsed))
        if code:
            raise typer.Exit(code)

    prompt = inspect.Parameter("prompt", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                               annotation=Annotated[list[str], typer.Argument(
                                   metavar="PROMPT...", help="The prompt, quoted or not; `-` "
                                   "reads it from stdin; one starting with - goes after --.",
                                   show_default=False)])
    ctx = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                            annotation=typer.Context)
    fields = [_field_option(model, spec) for spec in model.fields]
    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [ctx, prompt, *fields, *_common_parameters(bool(model.stream_path), model.queued),
         inspect.Parameter("count", inspect.Parameter.KEYWORD_ONLY, default=1,
                           annotation=count_option(model))])
    command.__name__ = model.name
    return command


def _replay_command() -> Any:
    def command(ctx: typer.Context, path: Path, **parsed: Any) -> None:
        from pixazo_cli.commands.generate import run_replay

        code = run_replay(path, run_options(parsed), _globals(ctx, parsed))
        if code:
            raise typer.Exit(code)

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


ASSETS_EPILOG = ("The asset flags (--size, --to, --widths, --placeholder…) derive finished "
                 "files beside each image, locally; to change them later, for free: pixazo "
                 "assets derive FILE.")


def model_command(model: Model) -> Any:
    """The click command of one model, as typer builds it from the model's signature."""
    single = typer.Typer(rich_markup_mode=None, add_completion=False)
    epilog = ASSETS_EPILOG + (f"\n\n\b\nExample:\n  {model.example}" if model.example else "")
    single.command(model.name, cls=ModelCommand, help=f"{model.title}.", epilog=epilog)(
        _model_command(model))
    command = typer.main.get_command(single)
    command.model = model  # type: ignore[attr-defined]
    return command


def parse_example(model: Model) -> tuple[str, RunOptions]:
    """A model file's example command line, parsed as the model's command parses it (without
    one: a plain prompt), so `pixazo models check` shows the request it makes."""
    import shlex

    try:
        words = shlex.split(model.example)[2:] if model.example else ["a lighthouse at dusk"]
    except ValueError as exc:
        raise _bad_example(model, str(exc)) from None
    try:
        ctx = model_command(model).make_context(model.name, words)
    except UsageError as error:
        raise _bad_example(model, error.message) from None
    except (typer.TyperException, typer.Exit) as exc:
        message = exc.format_message() if isinstance(exc, typer.TyperException) else "--help"
        raise _bad_example(model, message) from None
    parsed = dict(ctx.params)
    if parsed["prompt"] == ["-"]:
        raise _bad_example(model, "its prompt is `-` (stdin); give the words")
    return " ".join(parsed.pop("prompt")), run_options(parsed)


def _bad_example(model: Model, problem: str) -> UsageError:
    from pixazo_cli.models.source import file_error

    return file_error(model.source, ("example",), f"does not parse: {problem.rstrip('.')}")


def register_replay(app: typer.Typer) -> None:
    app.command("replay", help="Send again what an image or a history id records.")(
        _replay_command())
