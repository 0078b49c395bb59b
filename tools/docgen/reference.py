"""docs/reference.md: every command and flag, rendered in Markdown from the app's own command
tree (as the man page is) and the built-in models' flag table, so it cannot drift from the code:
`python scripts/gen_docs.py` writes it and a test compares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tools.docgen.command_tree import (
    arguments,
    by_dashes,
    metavar,
    option_help,
    options,
    walk,
)
from tools.docgen.flagtable import flag_table_markdown

if TYPE_CHECKING:
    from tools.docgen.typer_private import click

REFERENCE = "docs/reference.md"

HEAD = """# Reference: every command and flag

Generated from the tool itself by `python scripts/gen_docs.py` (a test fails while it is stale):
what `--help` says, every command on one page. How the flags are used: [usage.md](usage.md).

## Flags across the built-in models

Each model receives the shared flags under its own field name; the table shows the field, the
range checked before sending, and the value sent when you give none. A dash: the model has no
such field, and the flag is refused (exit 2), never silently dropped.

"""


def render_reference(root: click.Command, root_ctx: click.Context) -> str:
    parts = [HEAD, flag_table_markdown(), "\n## Commands\n"]
    parts += [f"- [`{ctx.command_path}`](#{_anchor(ctx.command_path)})\n"
              for ctx, _ in walk(root, root_ctx)]
    parts.append("\n" + _command(root, root_ctx))
    parts += [_command(command, ctx) for ctx, command in walk(root, root_ctx)]
    return "".join(parts).rstrip() + "\n"


def _anchor(path: str) -> str:
    return path.replace(" ", "-")


def _command(command: click.Command, ctx: click.Context) -> str:
    usage = " ".join([ctx.command_path, "[OPTIONS]",
                      *(_argument(arg) for arg in arguments(command, ctx))])
    lines = [f"### {ctx.command_path}", "", (command.help or "").split("\b")[0].strip(), "",
             "```", usage, "```", ""]
    rows = [(_names(param), _cell(option_help(param, ctx))) for param in options(command, ctx)]
    if rows:
        lines += ["| option | what it does |", "|---|---|"]
        lines += [f"| {names} | {help_text} |" for names, help_text in rows]
        lines.append("")
    return "\n".join(lines) + "\n"


def _argument(arg: click.Parameter) -> str:
    name = metavar(arg).strip("[]")
    return name if arg.required else f"[{name}]"


def _names(param: click.Parameter) -> str:
    names = by_dashes(param.opts) + list(param.secondary_opts)
    shown = ", ".join(f"`{name}`" for name in names)
    is_flag = getattr(param, "is_flag", False)
    return shown if is_flag or param.metavar is None and param.type.name == "boolean" else \
        f"{shown} `{metavar(param)}`"


def _cell(text: str) -> str:
    """One table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")
