"""`pixazo models [MODEL]`: what each model takes, read from the model table."""

from typing import Annotated

import typer

from pixazo_cli.cli.history_commands import NoPager
from pixazo_cli.cli.options import Json, completer
from pixazo_cli.models.table import MODELS


def models(
    name: Annotated[str | None, typer.Argument(
        metavar="[MODEL]", help="Show this model in detail (its field names, endpoints, example).",
        autocompletion=completer(tuple(MODELS)), show_default=False)] = None,
    json_out: Json = False,
    no_pager: NoPager = False,
) -> None:
    from pixazo_cli.commands.models import run_models

    run_models(name, json_out, pager=not no_pager)


def register(app: typer.Typer) -> None:
    app.command("models", short_help="List the models and the flags each takes.",
                help="List the models: endpoint, queued or not, price where stated, and the "
                "flags each takes with their ranges and defaults.")(models)
