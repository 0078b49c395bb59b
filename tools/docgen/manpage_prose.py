"""The man page's hand-written sections: description, shell completion, environment, files,
exit status, examples and see also, as roff lines. Their facts (models, settings, variables,
exit codes) come from the code; only the sentences around them are written here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pixazo_cli.commands.options import SANDBOX_LATENCY, SANDBOX_LATENCY_ENV
from pixazo_cli.commands.session import SANDBOX_ENV
from pixazo_cli.errors import EXIT_CODES
from pixazo_cli.models.table import MODELS
from pixazo_cli.settings.config import DEFAULT_BASE_URL, ENV_BASE_URL, ENV_KEY, TOP_KEYS
from tools.docgen.roff import bold, escape, help_blocks, italic, preformatted, prose, text_line

if TYPE_CHECKING:
    from tools.docgen.typer_private import click

PROG = "pixazo"  # the program the page documents; its command lines in examples are wrapped

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
    (None, 'PIXAZO_BASE_URL=http://127.0.0.1:8787 PIXAZO_API_KEY=sandbox pixazo sdxl "a test" '
           "--json"),
)

ENVIRONMENT: tuple[tuple[str, str], ...] = (
    (ENV_KEY, "The API key. It takes precedence over the config file's `api_key`."),
    (ENV_BASE_URL, f"The gateway base URL (default {DEFAULT_BASE_URL}). `--base-url` takes "
                   "precedence; it overrides the config file's `base_url`."),
    (SANDBOX_ENV, "`1`, `true` or `yes`: act as if `--sandbox` were given."),
    (SANDBOX_LATENCY_ENV, "Seconds each job of the in-process sandbox takes (default "
                          f"{SANDBOX_LATENCY:g}; 0: none)."),
    ("NO_COLOR", "When set and not empty: no colour and no spinner on standard error (as when "
                 "standard error is not a terminal, or TERM is dumb)."),
    ("XDG_CONFIG_HOME", "On Linux, the config file is `$XDG_CONFIG_HOME/pixazo/config.toml` "
                        "(default `~/.config/pixazo/config.toml`)."),
    ("PIXAZO_PAGER", "The pager for long output on a terminal (history, models); it takes "
                     "precedence over PAGER. Default `less -FRX`; `cat` or empty: no pager, as "
                     "`--no-pager`."),
    ("PIXAZO_DEBUG", "When set: an unexpected error (exit status 1) shows its Python traceback, "
                     "to report the bug, instead of one line."),
)


def description_section(root: click.Command) -> list[str]:
    models = ", ".join(f"{bold(m.name)} for {escape(m.title)}" for m in MODELS.values())
    return [
        ".SH DESCRIPTION",
        *help_blocks(root.help, PROG),
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


def completion_section() -> list[str]:
    return [
        ".SH SHELL COMPLETION",
        ".PP",
        f"{bold('pixazo --install-completion')} installs completion for the current shell, "
        f"or for the one named after it ({bold('bash')}, {bold('zsh')} or {bold('fish')}); "
        f"{bold('pixazo --show-completion')} prints that shell\\(aqs script instead. The same "
        "scripts are in the source tree\\(aqs " + bold("completions") +
        " folder. Completion offers the commands, each command\\(aqs own flags, the values of "
        f"{bold('--format')} and {bold('--webhook-mode')}, and the setting names of "
        f"{bold('pixazo config')}.",
    ]


def environment_section() -> list[str]:
    lines = [".SH ENVIRONMENT"]
    for name, meaning in ENVIRONMENT:
        lines += [".TP", bold(name), text_line(prose(meaning))]
    return lines


def files_section() -> list[str]:
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
        ".TP", bold("assets.") + italic("FLAG"),
        text_line(prose("A default for an asset flag, in the [assets] table, e.g. `assets.to` "
                        "(size, fit, gravity, pad-color, to, widths, upscale, placeholder, "
                        "strip): under every command's flags and a batch line's keys, checked "
                        "when set. See docs/assets.md.")),
        ".PP",
        "For example:",
        *preformatted(['output_dir = "~/images"',
                       'name = "{model}-{date}-{time}-{index}.{ext}"', "",
                       "[sdxl]", "steps = 12"], PROG),
        ".RE",
    ]
    return lines


def exit_status_section() -> list[str]:
    lines = [".SH EXIT STATUS"]
    for code, meaning in EXIT_CODES.items():
        lines += [".TP", bold(str(code)), text_line(prose(meaning[:1].upper() + meaning[1:]))]
    return lines


def examples() -> list[tuple[str | None, str]]:
    """Every example the page shows: one per model, then the commands around them."""
    return [(f"{m.title}:", m.example) for m in MODELS.values() if m.example] + \
        list(EXTRA_EXAMPLES)


def examples_section() -> list[str]:
    lines = [".SH EXAMPLES"]
    for description, command in examples():
        if description:
            lines += [".PP", text_line(prose(description))]
        lines += preformatted([command], PROG)
    return lines


def see_also_section() -> list[str]:
    return [
        ".SH SEE ALSO",
        ".PP",
        f"{bold('pixazo --help')} and {bold('pixazo')} {italic('COMMAND')} {bold('--help')} "
        "show the options of this page in the terminal. The README in the source tree has the "
        "table of each model\\(aqs flags and the gateway fields they are sent as.",
        ".PP",
        "\\%https://www.pixazo.ai",
    ]
