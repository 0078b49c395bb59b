"""The app's click command tree as the man page sees it: the visible commands in the app's order,
their contexts, options and arguments, and each option's help as --help shows it. Click comes
from typer (through typer_private), imported only when a tree is walked."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.docgen.typer_private import click


def subcommands(command: click.Command, ctx: click.Context) -> list[tuple[str, click.Command]]:
    """The visible commands of a group, as (name, command); none for a plain command."""
    from typer.core import TyperGroup

    if not isinstance(command, TyperGroup):
        return []
    found = [(name, command.get_command(ctx, name)) for name in command.list_commands(ctx)]
    return [(name, sub) for name, sub in found if sub is not None and not sub.hidden]


def context(command: click.Command, name: str,
            parent: click.Context | None = None) -> click.Context:
    from tools.docgen.typer_private import new_context

    settings = dict(command.context_settings) if parent is None else {}
    return new_context(command, name, parent, **settings)


def walk(command: click.Command, ctx: click.Context) -> Iterator[tuple[click.Context,
                                                                         click.Command]]:
    """Every visible command below `command`, depth first, in the app's order."""
    for name, sub in subcommands(command, ctx):
        sub_ctx = context(sub, name, ctx)
        yield sub_ctx, sub
        yield from walk(sub, sub_ctx)


def _is_help(param: click.Parameter, ctx: click.Context) -> bool:
    return set(param.opts) <= set(ctx.help_option_names) and bool(param.opts)


def options(command: click.Command, ctx: click.Context,
            with_help: bool = False) -> list[click.Parameter]:
    return [p for p in command.get_params(ctx)
            if p.param_type_name == "option" and not getattr(p, "hidden", False)
            and (with_help or not _is_help(p, ctx))]


def arguments(command: click.Command, ctx: click.Context) -> list[click.Parameter]:
    return [p for p in command.get_params(ctx) if p.param_type_name == "argument"]


def metavar(param: click.Parameter) -> str:
    return param.metavar or param.name.upper()


def by_dashes(names: Iterable[str]) -> list[str]:
    """Short spellings first, as --help shows them; stable and independent of set order."""
    return sorted(names, key=lambda n: (len(n) - len(n.lstrip("-")), n))


def option_help(param: click.Parameter, ctx: click.Context) -> str:
    """The help --help shows, defaults and ranges included."""
    record = param.get_help_record(ctx)
    text = record[1] if record else (getattr(param, "help", None) or "")
    if param.multiple and "repeat" not in text.lower():
        text += " Repeatable."
    return text


def option_key(param: click.Parameter, ctx: click.Context) -> tuple[object, ...]:
    """What makes two commands' options the same option: spellings and help."""
    return (tuple(param.opts), tuple(param.secondary_opts), option_help(param, ctx))
