"""A completion request for one command's arguments builds that command alone: after importing
typer, building all of pixazo's commands is most of what a Tab press costs. For a model's
command, only that model's file is read."""

import os

import typer

COMPLETE_VAR = "_PIXAZO_COMPLETE"  # typer's name for it: _{PROG}_COMPLETE


def completed_command() -> str | None:
    """The first word after `pixazo` when the cursor is past it (bash: COMP_WORDS and
    COMP_CWORD; zsh, fish: _TYPER_COMPLETE_ARGS, the line up to the cursor), else None."""
    if "COMP_WORDS" in os.environ:
        words = os.environ["COMP_WORDS"].split()
        cursor = os.environ.get("COMP_CWORD", "")
        done = cursor.isdigit() and int(cursor) >= 2
    else:
        line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
        words = line.split()
        done = len(words) > 2 or (len(words) == 2 and line.endswith(" "))
    return words[1] if done and len(words) > 1 else None


def sourced_script() -> str | None:
    """The script `_PIXAZO_COMPLETE=source_<shell> pixazo` asks for (typer's own request for
    one), or None for any other request."""
    instruction, _, shell = os.environ.get(COMPLETE_VAR, "").partition("_")
    if instruction != "source":
        return None
    from pixazo_cli.cli.completion_scripts import SCRIPTS

    return SCRIPTS.get(shell)


def keep_only(app: typer.Typer, name: str | None) -> None:
    """Register only the command (or group) called `name`, when there is one; for a model,
    only its file is read (cli/model_group.py builds model commands as they are used)."""
    from pixazo_cli.cli import model_group

    commands = [info for info in app.registered_commands if _name(info) == name]
    groups = [info for info in app.registered_groups if info.name == name]
    is_model = not (commands or groups) and name is not None and _is_model(name)
    if commands or groups or is_model:
        app.registered_commands = commands
        app.registered_groups = groups
        model_group.only_models = [name] if is_model and name else []


def _is_model(name: str) -> bool:
    from pixazo_cli.models.table import MODELS

    # From the names alone (the file is read once, when its command is built); a built-in's
    # name needs no look at the user's folders.
    return name in MODELS.builtin_names() or name in MODELS.names()


def _name(info: typer.models.CommandInfo) -> str:
    callback = info.callback
    return info.name or (callback.__name__ if callback else "").lower().replace("_", "-")
