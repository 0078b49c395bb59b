"""What a model file may not name is kept in step with the app: every command's name is
reserved from models, and every option a model command has is reserved from its own flags."""

from __future__ import annotations

import typer

from pixazo_cli.cli.app import app
from pixazo_cli.cli.model_commands import model_command
from pixazo_cli.models.spec import COMMAND_NAMES, COMMON_NAMES
from pixazo_cli.models.table import MODELS


def test_every_command_name_is_reserved_from_models() -> None:
    group = typer.main.get_command(app)
    registered = set(group.commands.registered)  # type: ignore[attr-defined]
    assert registered and registered <= COMMAND_NAMES


def test_every_option_of_a_model_command_is_reserved_from_a_models_own_flags() -> None:
    for name in ("nucleus", "lightning"):  # queued (--no-wait), and with --stream
        command = model_command(MODELS[name])
        own = {spec.flag for spec in MODELS[name].fields}
        shared = {param.name for param in command.params} - own - {"prompt"}
        assert shared <= COMMON_NAMES, shared - COMMON_NAMES
