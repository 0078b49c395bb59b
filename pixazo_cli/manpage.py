"""The man page `pixazo.1`, rendered in roff from the app's own command tree (every command,
every option and its help) plus the model table, the settings and the exit codes, so it cannot
drift from the code: `python scripts/gen_docs.py` writes it and a test compares.

The output is deterministic (no date: only the package version), ASCII only (other characters
become roff escapes), and escaped for roff: backslashes, hyphens as `\\-`, quotes, and no text
line that starts with a control character."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from . import __version__
from .config import DEFAULT_BASE_URL, ENV_BASE_URL, ENV_KEY, TOP_KEYS
from .errors import EXIT_CODES
from .models import MODELS
from .session import SANDBOX_ENV, SANDBOX_LATENCY_ENV

if TYPE_CHECKING:
    from typer import _click

PROG = "pixazo"
EXAMPLE_WIDTH = 66  # longer example commands are split over lines ending in `\`
_CODE_SPAN = re.compile(r"`([^`\n]+)`")

# Examples beyond each model's own (from the model table): (what it shows, the command).
EXTRA_EXAMPLES: tuple[tuple[str | None, str], ...] = (
    ("Try any model offline: no key, placeholder images, nothing charged:",
     'pixazo --sandbox sdxl "a lighthouse at dusk"'),
    ("Read the prompt from a pipe:", 'echo "a prompt from a file or a pipe" | pixazo sdxl -'),
    ("Store the key (read from stdin when piped), then check where it comes from:",
     'echo "$PIXAZO_KEY" | pixazo auth login'),
    (None, "pixazo auth status"),
    ("Queue a job without waiting; fetch it later by its request id:",
     'pixazo nucleus "a red fox" --no-wait'),
    (None, "pixazo status REQUEST_ID --wait"),
    ("Show the request and an equivalent curl command without sending anything:",
     'pixazo sd35 "a red fox" --dry-run'),
    ("Settings: a default folder, a per-model default, and the whole file:",
     "pixazo config set output_dir ~/images"),
    (None, "pixazo config set sdxl.steps 12"),
    (None, "pixazo config list"),
    ("Serve the sandbox gateway, and point the tool at it from another terminal:",
     "pixazo sandbox serve --port 8787 --latency 0.5"),
    (None, 'PIXAZO_BASE_URL=http://127.0.0.1:8787 pixazo sdxl "a test" --json'),
)


# --- roff escaping -------------------------------------------------------------------------

def escape(text: str) -> str:
    """Plain text to roff: every character prints as itself."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\e")
        elif ch == "-":
            out.append("\\-")
        elif ch == "'":
            out.append("\\(aq")
        elif ch == "`":
            out.append("\\(ga")
        elif ch == '"':
            out.append("\\(dq")
        elif ord(ch) > 126 or (ord(ch) < 32 and ch != "\t"):
            out.append(f"\\[u{ord(ch):04X}]" if ord(ch) > 126 else "")
        else:
            out.append(ch)
    return "".join(out)


def bold(text: str) -> str:
    return f"\\fB{escape(text)}\\fR"


def italic(text: str) -> str:
    return f"\\fI{escape(text)}\\fR"


def prose(text: str) -> str:
    """Help text to roff: whitespace runs collapsed, `code` spans in bold."""
    text = " ".join(text.split())
    parts = _CODE_SPAN.split(text)  # even indexes: prose; odd: code spans
    return "".join(bold(part) if i % 2 else escape(part) for i, part in enumerate(parts))


def text_line(line: str) -> str:
    """A line of already-escaped text, safe from being read as a request."""
    return "\\&" + line if line.startswith((".", "'")) else line


def macro(name: str, *args: str) -> str:
    return "." + " ".join([name, *(f'"{escape(a)}"' for a in args)])


# --- the click command tree ----------------------------------------------------------------

def _subcommands(command: _click.Command, ctx: _click.Context) -> list[tuple[str, _click.Command]]:
    from typer.core import TyperGroup

    if not isinstance(command, TyperGroup):
        return []
    found = [(name, command.get_command(ctx, name)) for name in command.list_commands(ctx)]
    return [(name, sub) for name, sub in found if sub is not None and not sub.hidden]


def _context(command: _click.Command, name: str,
             parent: _click.Context | None = None) -> _click.Context:
    from typer import _click

    settings = dict(command.context_settings) if parent is None else {}
    return _click.Context(command, info_name=name, parent=parent, **settings)


def walk(command: _click.Command, ctx: _click.Context) -> Iterator[tuple[_click.Context,
                                                                         _click.Command]]:
    """Every visible command below `command`, depth first, in the app's order."""
    for name, sub in _subcommands(command, ctx):
        sub_ctx = _context(sub, name, ctx)
        yield sub_ctx, sub
        yield from walk(sub, sub_ctx)


def _is_help(param: _click.Parameter, ctx: _click.Context) -> bool:
    return set(param.opts) <= set(ctx.help_option_names) and bool(param.opts)


def _options(command: _click.Command, ctx: _click.Context,
             with_help: bool = False) -> list[_click.Parameter]:
    return [p for p in command.get_params(ctx)
            if p.param_type_name == "option" and not getattr(p, "hidden", False)
            and (with_help or not _is_help(p, ctx))]


def _arguments(command: _click.Command, ctx: _click.Context) -> list[_click.Parameter]:
    return [p for p in command.get_params(ctx) if p.param_type_name == "argument"]


def _metavar(param: _click.Parameter) -> str:
    return param.metavar or param.name.upper()


def _by_dashes(names: Iterable[str]) -> list[str]:
    """Short spellings first, as --help shows them; stable and independent of set order."""
    return sorted(names, key=lambda n: (len(n) - len(n.lstrip("-")), n))


def _option_tag(param: _click.Parameter) -> str:
    names = ", ".join(bold(n) for n in _by_dashes(param.opts))
    if param.secondary_opts:
        names += ", " + ", ".join(bold(n) for n in _by_dashes(param.secondary_opts))
    if not getattr(param, "is_flag", False) and not getattr(param, "count", False):
        names += " " + italic(_metavar(param))
    return names


def _option_help(param: _click.Parameter, ctx: _click.Context) -> str:
    """The help --help shows, defaults and ranges included."""
    record = param.get_help_record(ctx)
    text = record[1] if record else (getattr(param, "help", None) or "")
    if param.multiple and "repeat" not in text.lower():
        text += " Repeatable."
    return text


def _option_key(param: _click.Parameter, ctx: _click.Context) -> tuple[object, ...]:
    return (tuple(param.opts), tuple(param.secondary_opts), _option_help(param, ctx))


def _usage(command: _click.Command, ctx: _click.Context) -> str:
    """[OPTIONS] and the arguments, as roff; subcommands of groups are listed separately."""
    parts = []
    if _options(command, ctx):
        parts.append(f"[{italic('OPTIONS')}]")
    for arg in _arguments(command, ctx):
        name = italic(_metavar(arg))
        if arg.nargs != 1 or arg.multiple:
            name += "\\&..."
        parts.append(name if arg.required else f"[{name}]")
    return " ".join(parts)


# --- help text blocks ----------------------------------------------------------------------

def help_blocks(text: str | None) -> list[str]:
    """Click help text to roff paragraphs; a `\\b` paragraph keeps its lines as written."""
    if not text:
        return []
    text = inspect.cleandoc(text).partition("\f")[0]
    lines: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        if not paragraph.strip():
            continue
        if not paragraph.startswith("\b"):
            lines += [".PP", text_line(prose(paragraph))]
            continue
        kept = paragraph[1:].strip("\n").splitlines()
        lines.append(".PP")
        block: list[str] = []
        for line in kept:
            if line[:1].isspace():
                block.append(line.strip())
                continue
            lines += _preformatted(block)
            block = []
            lines += [text_line(prose(line)), ".br"]
        lines += _preformatted(block)
        if lines[-1] == ".br":
            lines.pop()
    return lines


def shell_lines(command: str, width: int = EXAMPLE_WIDTH) -> list[str]:
    """Break a long command before options (never inside quotes) into lines of at most `width`
    where it can, each line but the last ending in ` \\`, the next ones indented."""
    pieces, start, quote = [], 0, ""
    for i, ch in enumerate(command):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif command.startswith(" --", i) and i > start:
            pieces.append(command[start:i])
            start = i + 1
    pieces.append(command[start:])
    lines = [pieces[0]]
    for piece in pieces[1:]:
        if len(lines[-1]) + 1 + len(piece) + 2 <= width:
            lines[-1] += " " + piece
        else:
            lines.append("    " + piece)
    return [line + " \\" for line in lines[:-1]] + lines[-1:]


def _preformatted(block: list[str]) -> list[str]:
    if not block:
        return []
    rendered: list[str] = []
    for line in block:
        split = shell_lines(line) if line.startswith(PROG + " ") else [line]
        rendered += [text_line(escape(part)) or "\\&" for part in split]  # \& : an empty line
    return [".RS 4", ".nf", *rendered, ".fi", ".RE"]


def _example(description: str | None, command: str) -> list[str]:
    lines = [".PP", text_line(prose(description))] if description else []
    return lines + _preformatted([command])


# --- sections ------------------------------------------------------------------------------

def _option_list(params: Iterable[_click.Parameter], ctx: _click.Context) -> list[str]:
    lines = []
    for param in params:
        lines += [".TP", text_line(_option_tag(param)), text_line(prose(_option_help(param, ctx)))]
    return lines


def _argument_list(command: _click.Command, ctx: _click.Context) -> list[str]:
    lines = []
    for arg in _arguments(command, ctx):
        if getattr(arg, "help", None):
            lines += [".TP", italic(_metavar(arg)), text_line(prose(arg.help))]
    return lines


def _command_line(ctx: _click.Context, command: _click.Command) -> str:
    usage = _usage(command, ctx)
    return bold(ctx.command_path) + (" " + usage if usage else "")


def _synopsis(root: _click.Command, ctx: _click.Context) -> list[str]:
    """One line per group of sibling commands that take the same arguments."""
    lines = []
    for group_ctx, group in [(ctx, root), *walk(root, ctx)]:
        rows: dict[str, list[str]] = {}
        for name, sub in _subcommands(group, group_ctx):
            if _subcommands(sub, _context(sub, name, group_ctx)):
                continue  # a group: its own commands get their lines
            rows.setdefault(_usage(sub, _context(sub, name, group_ctx)), []).append(name)
        for usage, names in rows.items():
            chosen = bold(names[0]) if len(names) == 1 else \
                "{" + "|".join(bold(n) for n in names) + "}"
            path = group_ctx.command_path.split()
            prefix = " ".join(bold(p) for p in path[1:])
            before = f"[{italic('OPTIONS')}]" if group is root and _options(root, ctx) else ""
            words = " ".join(w for w in (before, prefix, chosen, usage) if w)
            lines += [macro("SY", path[0]), text_line(words), ".YS"]
    return lines


def _description(root: _click.Command) -> list[str]:
    models = ", ".join(f"{bold(m.name)} for {escape(m.title)}" for m in MODELS.values())
    return [
        ".SH DESCRIPTION",
        *help_blocks(root.help),
        ".PP",
        f"Each image model is a subcommand: {models}. They share one vocabulary of flags; "
        "a flag is checked against the model\\(aqs documented range before anything is sent, "
        "and a flag the model does not take is refused (exit status 2), never dropped.",
        ".PP",
        "Results go to standard output: the saved files\\(aq paths, one per line, or one JSON "
        f"object with {bold('--json')}. Everything for people (progress, notices, errors) goes "
        "to standard error; an error is one or two lines: what happened, and a hint.",
        ".PP",
        f"Settings apply in this order: flag, environment, config file (see {bold('FILES')}), "
        "built\\-in default.",
    ]


def _model_section(root: _click.Command, ctx: _click.Context) -> list[str]:
    models = [(c, cmd) for c, cmd in walk(root, ctx)
              if c.parent is ctx and c.info_name in MODELS]
    if not models:
        return []
    keyed = [{_option_key(p, c): p for p in _options(cmd, c)} for c, cmd in models]
    shared = [key for key in keyed[0] if all(key in k for k in keyed[1:])]
    first_ctx = models[0][0]
    lines = [
        ".SH MODEL COMMANDS",
        ".PP",
        f"Every model command takes {italic('PROMPT')} (or {bold('-')} to read it from standard "
        "input), its own flags below, and these options:",
        *_option_list((keyed[0][key] for key in shared), first_ctx),
    ]
    for (sub_ctx, cmd), options in zip(models, keyed, strict=True):
        own = [param for key, param in options.items() if key not in shared]
        lines += [macro("SS", sub_ctx.command_path), ".PP", text_line(_command_line(sub_ctx, cmd))]
        lines += help_blocks(cmd.help)
        lines += _argument_list(cmd, sub_ctx) + _option_list(own, sub_ctx)
        lines += help_blocks(cmd.epilog)
    return lines


def _commands_section(root: _click.Command, ctx: _click.Context) -> list[str]:
    lines = [".SH COMMANDS"]
    for sub_ctx, cmd in walk(root, ctx):
        if sub_ctx.parent is ctx and sub_ctx.info_name in MODELS:
            continue
        subs = _subcommands(cmd, sub_ctx)
        lines += [macro("SS", sub_ctx.command_path), ".PP"]
        if subs:
            names = ", ".join(bold(name) for name, _ in subs)
            lines += [text_line(f"{bold(sub_ctx.command_path)} {italic('COMMAND')}")]
            lines += help_blocks(cmd.help)
            lines += [".PP", f"Commands: {names}."]
            continue
        lines += [text_line(_command_line(sub_ctx, cmd))]
        lines += help_blocks(cmd.help)
        lines += _argument_list(cmd, sub_ctx) + _option_list(_options(cmd, sub_ctx), sub_ctx)
        lines += help_blocks(cmd.epilog)
    return lines


def _listing(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _also_after(root: _click.Command, ctx: _click.Context) -> str:
    """Which commands take the global options after their name too, and which ones."""
    globals_ = [p for p in _options(root, ctx) if not p.is_eager]
    takers: dict[tuple[str, ...], list[str]] = {}
    for name, sub in _subcommands(root, ctx):
        theirs = {o for p in _options(sub, _context(sub, name, ctx)) for o in p.opts}
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


def _global_options(root: _click.Command, ctx: _click.Context) -> list[str]:
    help_names = ", ".join(bold(n) for n in _by_dashes(ctx.help_option_names))
    return [
        ".SH OPTIONS",
        ".PP",
        "These go before the command." + _also_after(root, ctx),
        *_option_list(_options(root, ctx, with_help=True), ctx),
        ".PP",
        f"Every command takes {help_names}: the same options as this page, in the terminal.",
    ]


def _completion_section() -> list[str]:
    return [
        ".SH SHELL COMPLETION",
        ".PP",
        f"{bold('pixazo --install-completion')} installs completion for the current shell "
        f"(bash, zsh, fish or PowerShell); {bold('pixazo --show-completion')} prints the script "
        "instead. The same scripts are in the source tree\\(aqs " + bold("completions") +
        " folder. Completion offers the commands, each command\\(aqs own flags, the values of "
        f"{bold('--format')} and {bold('--webhook-mode')}, and the setting names of "
        f"{bold('pixazo config')}.",
    ]


ENVIRONMENT: tuple[tuple[str, str], ...] = (
    (ENV_KEY, "The API key. It takes precedence over the config file's `api_key`."),
    (ENV_BASE_URL, f"The gateway base URL (default {DEFAULT_BASE_URL}). `--base-url` takes "
                   "precedence; it overrides the config file's `base_url`."),
    (SANDBOX_ENV, "`1`, `true` or `yes`: act as if `--sandbox` were given."),
    (SANDBOX_LATENCY_ENV, "Seconds each job of the in-process sandbox takes (default 1.5)."),
    ("NO_COLOR", "When set and not empty: no colour and no spinner on standard error (as when "
                 "standard error is not a terminal, or TERM is dumb)."),
    ("XDG_CONFIG_HOME", "On Linux, the config file is `$XDG_CONFIG_HOME/pixazo/config.toml` "
                        "(default `~/.config/pixazo/config.toml`)."),
    ("PIXAZO_DEBUG", "When set: an unexpected error (exit status 1) shows its Python traceback, "
                     "to report the bug, instead of one line."),
)


def _environment() -> list[str]:
    lines = [".SH ENVIRONMENT"]
    for name, meaning in ENVIRONMENT:
        lines += [".TP", bold(name), text_line(prose(meaning))]
    return lines


def _files() -> list[str]:
    lines = [
        ".SH FILES",
        ".TP",
        bold("$XDG_CONFIG_HOME/pixazo/config.toml"),
        text_line(prose(
            "The config file (on Linux; `pixazo config path` prints where it is on this "
            "system). TOML, created readable by its owner alone (mode 0600, folder 0700), "
            "since it may hold the key. Change it with `pixazo config set`, `unset` and "
            "`pixazo auth login`, or with an editor. Its keys:")),
        ".RS",
    ]
    for key, meaning in TOP_KEYS.items():
        lines += [".TP", bold(key), text_line(prose(meaning[:1].upper() + meaning[1:] + "."))]
    lines += [
        ".TP", italic("MODEL") + bold(".") + italic("FLAG"),
        text_line(prose("A default for one model's flag, in a [MODEL] table, e.g. "
                        "`sdxl.steps` (flags with dashes or underscores). It is checked against "
                        "the model's range when set. Models: " + ", ".join(MODELS) + ".")),
        ".PP",
        "For example:",
        *_preformatted(['output_dir = "~/images"', 'name = "{model}-{seed}-{index}.{ext}"', "",
                        "[sdxl]", "steps = 12"]),
        ".RE",
    ]
    return lines


def _exit_status() -> list[str]:
    lines = [".SH EXIT STATUS"]
    for code, meaning in EXIT_CODES.items():
        lines += [".TP", bold(str(code)), text_line(prose(meaning[:1].upper() + meaning[1:]))]
    return lines


def examples() -> list[tuple[str | None, str]]:
    """Every example the page shows: one per model, then the commands around them."""
    return [(f"{m.title}:", m.example) for m in MODELS.values() if m.example] + \
        list(EXTRA_EXAMPLES)


def _examples() -> list[str]:
    lines = [".SH EXAMPLES"]
    for description, command in examples():
        lines += _example(description, command)
    return lines


def _see_also() -> list[str]:
    return [
        ".SH SEE ALSO",
        ".PP",
        f"{bold('pixazo --help')} and {bold('pixazo')} {italic('COMMAND')} {bold('--help')} "
        "show the options of this page in the terminal. The README in the source tree has the "
        "table of each model\\(aqs flags and the gateway fields they are sent as.",
        ".PP",
        "\\%https://www.pixazo.ai",
    ]


def render_manpage(root: _click.Command | None = None) -> str:
    """The man page for `root` (default: the app's command), as roff text."""
    if root is None:
        import typer

        from .cli import app

        root = typer.main.get_command(app)
    ctx = _context(root, PROG)
    summary = (root.help or PROG).strip().splitlines()[0].rstrip(".")
    lines = [
        ".\\\" Generated by scripts/gen_docs.py from the pixazo command tree: do not edit.",
        f'.TH {PROG.upper()} 1 "" "{PROG} {escape(__version__)}" "User Commands"',
        ".nr HY 0",  # no hyphenation, even after .YS restores it
        ".nh",
        ".ad l",
        ".SH NAME",
        f"{PROG} \\- {escape(summary[:1].lower() + summary[1:])}",
        ".SH SYNOPSIS",
        *_synopsis(root, ctx),
        *_description(root),
        *_global_options(root, ctx),
        *_model_section(root, ctx),
        *_commands_section(root, ctx),
        *_completion_section(),
        *_environment(),
        *_files(),
        *_exit_status(),
        *_examples(),
        *_see_also(),
    ]
    return "\n".join(lines) + "\n"
