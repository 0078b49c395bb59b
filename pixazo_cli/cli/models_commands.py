"""`pixazo models [MODEL]`: what each model takes, read from its model file; `pixazo models
check FILE` and `pixazo models add FILE`: a model file of one's own, checked, then installed."""

from pathlib import Path
from typing import Annotated

import typer

from pixazo_cli.cli.history_commands import NoPager
from pixazo_cli.cli.options import Json, model_names
from pixazo_cli.commands.options import GlobalOptions
from pixazo_cli.errors import UsageError

FILE_WORDS = ("check", "add")


def _complete_first() -> list[str]:
    return [*model_names(), *FILE_WORDS]


def models(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(
        metavar="[MODEL|check|add]", help="A model: show it in detail (its field "
        "names, endpoints, example). `check FILE`: check a model file and print the request it "
        "would make, sending nothing. `add FILE`: check it and copy it into the config "
        "folder's models/.", autocompletion=_complete_first, show_default=False)] = None,
    file: Annotated[Path | None, typer.Argument(
        metavar="[FILE]", help="The model file, after check or add.", show_default=False,
        dir_okay=False)] = None,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="With add: replace an installed model file of the same name.")]
    = False,
    json_out: Json = False,
    no_pager: NoPager = False,
) -> None:
    if name in FILE_WORDS:
        if file is None:
            raise UsageError(f"`pixazo models {name}` needs the model file.",
                             hint=f"pixazo models {name} my-model.toml")
        if overwrite and name == "check":
            raise UsageError("--overwrite goes with add: check writes nothing.")
        _model_file(ctx, name, file, overwrite, json_out)
        return
    if file is not None or overwrite:
        raise UsageError(f"`pixazo models {name or ''}` takes no file"
                         f"{'' if file is None else f' ({file})'} and no --overwrite.",
                         hint="A model file goes after check or add: pixazo models add FILE.")
    from pixazo_cli.commands.models import run_models

    run_models(name, json_out, pager=not no_pager)


def _model_file(ctx: typer.Context, word: str, file: Path, overwrite: bool,
                json_out: bool) -> None:
    from pixazo_cli.cli.model_commands import parse_example
    from pixazo_cli.commands.model_files import (
        example_request,
        read_candidate,
        run_add,
        run_check,
    )

    model, raw = read_candidate(file)
    request = example_request(model, *parse_example(model))
    globals_ = ctx.find_root().obj or GlobalOptions()
    if word == "check":
        run_check(model, request, globals_, json_out)
    else:
        run_add(model, raw, overwrite, globals_, json_out)


def register(app: typer.Typer) -> None:
    app.command("models", short_help="List the models and the flags each takes; add your own.",
                help="List the models: endpoint, queued or not, price where stated, and the "
                "flags each takes with their ranges and defaults. Models come from model "
                "files: the built-in ones, and your own in the config folder's models/ or "
                "--models-dir (docs/adding-a-model.md).")(models)
