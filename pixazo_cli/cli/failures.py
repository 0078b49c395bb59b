"""How every failure is said, in one place (the app group's, and `pixazo history`'s own app's):
typed errors as they are; the parser's refusals in the tool's words (an unknown option or
command with a close match, a value of the wrong type or out of range with what the option
takes, a missing argument or value; no usage block; exit 2); Ctrl-C; bugs. With --json, also
one JSON object on stdout (errors.report). Loaded only once something went wrong, so start-up
never pays for it.

typer's parser errors are told apart by what they carry (an unknown option has
`possibilities`, a missing value only an `option_name`, a bad value its `param`; a group's help
by its class name), so no private typer module is imported here."""

import re
import sys
from typing import Any

import typer

from pixazo_cli.errors import Interrupted, PixazoError, UsageError, did_you_mean, report
from pixazo_cli.models.table import MODELS

_NO_COMMAND = re.compile(r"No such command '(.*?)'")
_EXTRA = re.compile(r"Got unexpected extra argument\(s\) \((.*)\)")


def report_failure(error: BaseException, args: list[str], json_out: bool) -> int:
    """Say the failure on stderr (and as JSON on stdout with --json); return its exit code.
    A group's help (`pixazo config` alone) is raised again, for typer to show."""
    if isinstance(error, typer.TyperException):
        said = in_our_words(error, args)
        if said is None:
            raise error
        error = said
    elif isinstance(error, KeyboardInterrupt | typer.Abort):  # Abort: Ctrl-C at a prompt
        error = Interrupted("Interrupted.")
    elif not isinstance(error, PixazoError):
        error = PixazoError(
            f"unexpected error: {type(error).__name__}",
            hint="This is a bug in pixazo; PIXAZO_DEBUG=1 shows the traceback to report.")
    return report(error, sys.stderr, sys.stdout if json_out else None)


def in_our_words(error: typer.TyperException, args: list[str]) -> UsageError | None:
    """The parser's refusal as a UsageError; None for what is not a refusal (`pixazo config`
    alone shows its help)."""
    ctx: Any = getattr(error, "ctx", None)
    if type(error).__name__ == "NoArgsIsHelpError":
        return None
    if hasattr(error, "option_name") and not hasattr(error, "possibilities"):  # no ctx here
        option = getattr(error, "option_name", "")
        if "does not take a value" in error.message:
            return UsageError(f"{option} is a switch: it takes no value (not {option}=…).")
        return UsageError(f"{option} needs a value.")
    if ctx is None:
        return UsageError(f"{error.message.rstrip('.')}.")
    subject = ctx.command_path.removeprefix("pixazo ")
    see = f"See `{ctx.command_path} --help`."
    if hasattr(error, "possibilities"):
        return unknown_option(ctx, getattr(error, "option_name", ""), args)
    param = getattr(error, "param", None)
    if hasattr(error, "param_type") and param is not None:
        return _missing(ctx, subject, param, see)
    if param is not None:
        return _bad_value(param, error.message, args, see)
    if found := _NO_COMMAND.match(error.message):
        word = found[1]
        return UsageError(f"{subject} has no command {word!r}.", hint=did_you_mean(
            word, ctx.command.list_commands(ctx)) + f"`{ctx.command_path} --help` lists them.")
    if found := _EXTRA.match(error.message):
        return UsageError(f"{subject} does not take {found[1]!r} here.",
                          hint=f"Text with spaces goes in quotes. {see}")
    return UsageError(f"{error.message.rstrip('.')}.", hint=see)


def option_names(ctx: Any) -> list[str]:
    """Every spelling of the command's options, long ones first."""
    names = [name for param in ctx.command.params if param.param_type_name == "option"
             for name in (*param.opts, *param.secondary_opts)]
    return sorted(names + ["--help"], key=lambda name: not name.startswith("--"))


def unknown_option(ctx: Any, option: str, args: list[str]) -> UsageError:
    """A close match where there is one. The advice about `--` only for a single-dash word
    (`-1x`, `-5`), which may be a prompt's; `--ratio` is an option mistyped, not a prompt."""
    typed = next((word for word in args if word.startswith(option)), option)
    subject = ctx.command_path.removeprefix("pixazo ")
    hint = did_you_mean(option, option_names(ctx))
    hint += f"See `{ctx.command_path} --help`."
    if hint.startswith("See") and not typed.startswith("--") and _takes_words(ctx):
        hint += f" A prompt that starts with - goes after --: {ctx.command_path} -- {typed} …"
    return UsageError(f"{subject} has no option {typed}.", hint=hint)


def _takes_words(ctx: Any) -> bool:
    return any(param.param_type_name == "argument" and param.nargs == -1
               for param in ctx.command.params)


def _missing(ctx: Any, subject: str, param: Any, see: str) -> UsageError:
    if param.param_type_name == "argument":
        name = (param.metavar or param.name.upper()).strip("[]{}.")
        model = MODELS.get(subject)
        hint = f"For example: {model.example}" if model else f"{param.metavar}: {param.help} {see}"
        return UsageError(f"{subject} needs {name}.", hint=hint)
    option = max(param.opts, key=len)
    return UsageError(f"{subject} needs {option}.",
                      hint=f"{option} {param.metavar or ''}".rstrip() + f": {param.help} {see}")


def _bad_value(param: Any, message: str, args: list[str], see: str) -> UsageError:
    shown, value = _as_typed(param, args)
    takes = takes_text(param.type)
    if takes is None:  # a path that is a file where a folder goes, say: the parser's words
        return UsageError(f"{shown}: {message}", hint=see)
    return UsageError(f"{shown} must be {takes}" + (f", not {value!r}." if value is not None
                                                     else "."))


def takes_text(kind: Any) -> str | None:
    """What a number option takes, in words (its type's name and bounds); None otherwise."""
    name = str(getattr(kind, "name", ""))
    if name.startswith("int"):
        words = "a whole number"
    elif name.startswith("float"):
        words = "a number"
    else:
        return None
    low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    above = "above" if getattr(kind, "min_open", False) else "at least"
    below = "below" if getattr(kind, "max_open", False) else "at most"
    if low is not None and high is not None and above == "at least" and below == "at most":
        return f"{words} from {low:g} to {high:g}"
    bounds = [f"{above} {low:g}" if low is not None else "",
              f"{below} {high:g}" if high is not None else ""]
    return ", ".join([words, *[bound for bound in bounds if bound]])


def _as_typed(param: Any, args: list[str]) -> tuple[str, str | None]:
    """The option as the person wrote it (-n or --count) and the value they gave it."""
    if param.param_type_name == "argument":
        return (param.metavar or param.name.upper()).strip("[]{}."), None
    spellings = sorted((*param.opts, *param.secondary_opts), key=len, reverse=True)
    for at, word in enumerate(args):
        for spelling in spellings:
            if word == spelling:
                return spelling, args[at + 1] if at + 1 < len(args) else None
            if word.startswith(spelling + "=") or (
                    not spelling.startswith("--") and word.startswith(spelling)):
                return spelling, word[len(spelling):].removeprefix("=")
    return spellings[0], None
