"""The man page `pixazo.1`, rendered in roff from the app's own command tree (every command,
every option and its help) plus the model table, the settings and the exit codes, so it cannot
drift from the code: `python scripts/gen_docs.py` writes it and a test compares.

The output is deterministic (no date: only the package version), ASCII only (other characters
become roff escapes), and escaped for roff: backslashes, hyphens as `\\-`, quotes, and no text
line that starts with a control character.

This module assembles the page and its sections generated from the command tree (synopsis,
options, model commands, commands); `roff` has the escaping and formatting, `command_tree` the
walk of the click commands, and `manpage_prose` the hand-written sections."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pixazo_cli import __version__
from pixazo_cli.models.table import MODELS
from tools.docgen import roff
from tools.docgen.command_tree import (
    arguments,
    by_dashes,
    context,
    metavar,
    option_help,
    option_key,
    options,
    subcommands,
    walk,
)
from tools.docgen.manpage_prose import (
    ENVIRONMENT,
    EXTRA_EXAMPLES,
    PROG,
    completion_section,
    description_section,
    environment_section,
    examples,
    examples_section,
    exit_status_section,
    files_section,
    see_also_section,
)
from tools.docgen.roff import (
    EXAMPLE_WIDTH,
    bold,
    escape,
    italic,
    macro,
    prose,
    shell_lines,
    text_line,
)

if TYPE_CHECKING:
    from tools.docgen.typer_private import click

__all__ = [  # the page, and the names other code and the tests use from here
    "ENVIRONMENT", "EXAMPLE_WIDTH", "EXTRA_EXAMPLES", "PROG", "bold", "escape", "examples",
    "help_blocks", "italic", "macro", "prose", "render_manpage", "shell_lines", "text_line",
    "walk",
]


# The page's date (mandoc warns without one). Not today's: the page must render the same every
# time, for the freshness test. Move it with the version in pyproject.toml.
PAGE_DATE = "2026-12-06"


def help_blocks(text: str | None) -> list[str]:
    """Click help text to roff paragraphs; `pixazo` command lines in `\\b` blocks wrapped."""
    return roff.help_blocks(text, PROG)


# --- one command's usage, options and arguments --------------------------------------------

def _option_tag(param: click.Parameter) -> str:
    names = ", ".join(bold(n) for n in by_dashes(param.opts))
    if param.secondary_opts:
        names += ", " + ", ".join(bold(n) for n in by_dashes(param.secondary_opts))
    if not getattr(param, "is_flag", False) and not getattr(param, "count", False):
        names += " " + italic(metavar(param))
    return names


def _usage(command: click.Command, ctx: click.Context) -> str:
    """[OPTIONS] and the arguments, as roff; subcommands of groups are listed separately.
    A metavar may carry its own brackets and dots (`[MODEL]`, `PROMPT...`): they are taken
    off and put back once, from what the argument is. `[OPTIONS]` is there whenever --help
    shows it (--help itself is an option), so the synopsis reads as --help does."""
    parts = []
    if options(command, ctx, with_help=True):
        parts.append(f"[{italic('OPTIONS')}]")
    for arg in arguments(command, ctx):
        name = italic(metavar(arg).strip("[]{}").removesuffix("..."))
        if arg.nargs != 1 or arg.multiple:
            name += "\\&..."
        parts.append(name if arg.required else f"[{name}]")
    return " ".join(parts)


def _option_list(params: Iterable[click.Parameter], ctx: click.Context) -> list[str]:
    lines = []
    for param in params:
        lines += [".TP", text_line(_option_tag(param)), text_line(prose(option_help(param, ctx)))]
    return lines


def _argument_list(command: click.Command, ctx: click.Context) -> list[str]:
    lines = []
    for arg in arguments(command, ctx):
        if getattr(arg, "help", None):
            lines += [".TP", italic(metavar(arg)), text_line(prose(arg.help))]
    return lines


def _command_line(ctx: click.Context, command: click.Command) -> str:
    usage = _usage(command, ctx)
    return bold(ctx.command_path) + (" " + usage if usage else "")


# --- sections from the command tree --------------------------------------------------------

def _synopsis(root: click.Command, ctx: click.Context) -> list[str]:
    """One line per group of sibling commands that take the same arguments."""
    lines = []
    for group_ctx, group in [(ctx, root), *walk(root, ctx)]:
        rows: dict[str, list[str]] = {}
        for name, sub in subcommands(group, group_ctx):
            if subcommands(sub, context(sub, name, group_ctx)):
                continue  # a group: its own commands get their lines
            rows.setdefault(_usage(sub, context(sub, name, group_ctx)), []).append(name)
        for usage, names in rows.items():
            chosen = bold(names[0]) if len(names) == 1 else \
                "{" + "|".join(bold(n) for n in names) + "}"
            path = group_ctx.command_path.split()
            prefix = " ".join(bold(p) for p in path[1:])
            before = f"[{italic('OPTIONS')}]" if group is root and options(root, ctx) else ""
            words = " ".join(w for w in (before, prefix, chosen, usage) if w)
            lines += [macro("SY", path[0]), text_line(words), ".YS"]
    return lines


def _model_section(root: click.Command, ctx: click.Context) -> list[str]:
    models = [(c, cmd) for c, cmd in walk(root, ctx)
              if c.parent is ctx and c.info_name in MODELS]
    if not models:
        return []
    keyed = [{option_key(p, c): p for p in options(cmd, c)} for c, cmd in models]
    shared = [key for key in keyed[0] if all(key in k for k in keyed[1:])]
    first_ctx = models[0][0]
    lines = [
        ".SH MODEL COMMANDS",
        ".PP",
        f"Every model command takes {italic('PROMPT')} (or {bold('-')} to read it from standard "
        "input), its own flags below, and these options:",
        *_option_list((keyed[0][key] for key in shared), first_ctx),
    ]
    for (sub_ctx, cmd), theirs in zip(models, keyed, strict=True):
        own = [param for key, param in theirs.items() if key not in shared]
        lines += [macro("SS", sub_ctx.command_path), ".PP", text_line(_command_line(sub_ctx, cmd))]
        lines += help_blocks(cmd.help)
        lines += _argument_list(cmd, sub_ctx) + _option_list(own, sub_ctx)
        lines += help_blocks(cmd.epilog)
    return lines


def _commands_section(root: click.Command, ctx: click.Context) -> list[str]:
    lines = [".SH COMMANDS"]
    for sub_ctx, cmd in walk(root, ctx):
        if sub_ctx.parent is ctx and sub_ctx.info_name in MODELS:
            continue
        subs = subcommands(cmd, sub_ctx)
        lines += [macro("SS", sub_ctx.command_path), ".PP"]
        if subs:
            names = ", ".join(bold(name) for name, _ in subs)
            lines += [text_line(f"{bold(sub_ctx.command_path)} {italic('COMMAND')}")]
            lines += help_blocks(cmd.help)
            lines += [".PP", f"Commands: {names}."]
            continue
        lines += [text_line(_command_line(sub_ctx, cmd))]
        lines += help_blocks(cmd.help)
        lines += _argument_list(cmd, sub_ctx) + _option_list(options(cmd, sub_ctx), sub_ctx)
        lines += help_blocks(cmd.epilog)
    return lines


def _listing(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _also_after(root: click.Command, ctx: click.Context) -> str:
    """Which commands take the global options after their name too, and which ones."""
    globals_ = [p for p in options(root, ctx) if not p.is_eager]
    takers: dict[tuple[str, ...], list[str]] = {}
    for name, sub in subcommands(root, ctx):
        theirs = {o for p in options(sub, context(sub, name, ctx)) for o in p.opts}
        taken = tuple(max(p.opts, key=len) for p in globals_ if set(p.opts) <= theirs)
        if taken:
            takers.setdefault(taken, []).append(name)
    if not takers:
        return ""
    taken, names = max(takers.items(), key=lambda item: len(item[1]))
    shown = [bold(n) for n in names if n not in MODELS or not set(MODELS) <= set(names)]
    if set(MODELS) <= set(names):
        shown.insert(0, "the model commands")
    who = _listing(shown)
    return f" {who[:1].upper()}{who[1:]} also take {_listing([bold(o) for o in taken])} " \
        "after their name."


def _global_options(root: click.Command, ctx: click.Context) -> list[str]:
    help_names = ", ".join(bold(n) for n in by_dashes(ctx.help_option_names))
    return [
        ".SH OPTIONS",
        ".PP",
        "These go before the command." + _also_after(root, ctx),
        *_option_list(options(root, ctx, with_help=True), ctx),
        ".PP",
        f"Every command takes {help_names}: the same options as this page, in the terminal.",
    ]


# --- the page --------------------------------------------------------------------------------

def render_manpage(root: click.Command | None = None) -> str:
    """The man page for `root` (default: the app's command), as roff text."""
    if root is None:
        import typer

        from pixazo_cli.cli.app import app

        root = typer.main.get_command(app)
    ctx = context(root, PROG)
    summary = (root.help or PROG).strip().splitlines()[0].rstrip(".")
    lines = [
        ".\\\" Generated by scripts/gen_docs.py from the pixazo command tree: do not edit.",
        f'.TH {PROG.upper()} 1 "{PAGE_DATE}" "{PROG} {escape(__version__)}" "User Commands"',
        ".nr HY 0",  # no hyphenation, even after .YS restores it
        ".nh",
        ".ad l",
        ".SH NAME",
        f"{PROG} \\- {escape(summary[:1].lower() + summary[1:])}",
        ".SH SYNOPSIS",
        *_synopsis(root, ctx),
        *description_section(root),
        *_global_options(root, ctx),
        *_model_section(root, ctx),
        *_commands_section(root, ctx),
        *completion_section(),
        *environment_section(),
        *files_section(),
        *exit_status_section(),
        *examples_section(),
        *see_also_section(),
    ]
    return "\n".join(roff.tidy(lines)) + "\n"
