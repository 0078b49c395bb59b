"""Everything generated for shells from the app itself, as {path in the repository: text}:
the man page and the completion scripts. `python scripts/gen_docs.py` writes these files and
a test checks that the committed ones are current."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.docgen.typer_private import click

PROG = "pixazo"
MAN_PAGE = "man/pixazo.1"
COMPLETIONS = {  # shell: file, named as each shell's completion folder expects
    "bash": "completions/pixazo.bash",
    "zsh": "completions/_pixazo",
    "fish": "completions/pixazo.fish",
}


def app_command() -> click.Command:
    import typer

    from pixazo_cli.cli.app import app

    return typer.main.get_command(app)


def completion_script(shell: str) -> str:
    """The script `pixazo --show-completion <shell>` prints and `--install-completion` writes."""
    from pixazo_cli.cli.completion_scripts import script

    return script(shell)


def render_all() -> dict[str, str]:
    """Every generated file: {path relative to the repository root: its text}. From the
    built-in models alone, whatever model files the person running it has."""
    from pixazo_cli.models.table import MODELS
    from tools.docgen.command_tree import context
    from tools.docgen.manpage import PROG, render_manpage
    from tools.docgen.reference import REFERENCE, render_reference

    with MODELS.builtin_only():
        command = app_command()
        files = {MAN_PAGE: render_manpage(command),
                 REFERENCE: render_reference(command, context(command, PROG))}
        for shell, path in COMPLETIONS.items():
            files[path] = completion_script(shell)
    return files
