"""Typed errors, each carrying its exit code, and the one place that turns them into messages.

Exit codes are part of the tool's contract with scripts (README, `pixazo --help`):
0 done · 1 unexpected · 2 usage or invalid value · 3 key refused · 4 insufficient balance ·
5 rate limited · 6 generation failed · 7 network, timeout or unreadable reply ·
8 result not saved · 130 interrupted · 143 terminated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

EXIT_CODES: dict[int, str] = {
    0: "done",
    1: "unexpected error",
    2: "usage error or invalid value (nothing was sent)",
    3: "API key missing or refused (401/403)",
    4: "insufficient balance (402), or a batch reached --max-requests or --max-cost",
    5: "rate limited (429), still after retrying",
    6: "generation failed (FAILED, ERROR, empty or missing image URL)",
    7: "network error, timeout or unreadable gateway reply",
    8: "result not saved (download failed, file exists, disk)",
    130: "interrupted (Ctrl-C)",
    143: "terminated (SIGTERM, e.g. a CI job cancelled)",
}


class PixazoError(Exception):
    """An error a person can act on: a message, an optional hint, an exit code."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        message = one_stop(message)
        super().__init__(message)
        self.message = message
        self.hint = one_stop(hint) if hint else hint
        self.request_id: str | None = None  # set once something was paid for
        self.urls: list[str] = []
        self.way_back = False  # the hint already says how to fetch what was paid for

    def paid_for(self, request_id: str | None, urls: list[str] | None) -> PixazoError:
        """Attach what the gateway had answered, so a failure after paying can name it."""
        self.request_id = self.request_id or request_id
        self.urls = self.urls or list(urls or [])
        return self


def one_stop(text: str) -> str:
    """Messages are built as "…: {reason}."; where the reason (often the gateway's words)
    ends a sentence itself, the result ends with one full stop, not two (an ellipsis stays)."""
    return text[:-1] if text.endswith("..") and not text.endswith("...") else text


class UsageError(PixazoError):
    exit_code = 2


class AuthError(PixazoError):
    exit_code = 3


class BalanceError(PixazoError):
    exit_code = 4


class RateLimitError(PixazoError):
    exit_code = 5


class GenerationFailed(PixazoError):
    exit_code = 6


class UnusableReply(GenerationFailed):
    """The gateway took the request (and may have charged it), then answered with nothing a
    download can start from: a missing, empty or malformed image URL."""


class GatewayError(PixazoError):
    """Network trouble, a timeout, or a reply the tool cannot read."""

    exit_code = 7


class MaybeCharged(GatewayError):
    """The request may have reached the gateway and been charged: never resend it blindly."""


class UnknownRequest(UsageError):
    """The gateway does not know this request id (404 on its status)."""


class SaveError(PixazoError):
    exit_code = 8


class Interrupted(PixazoError):
    exit_code = 130


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be, so every stage stops the same careful way."""

    exit_code = 143  # 128 + SIGTERM, what shells and CI runners expect


# When several jobs of a batch fail, the exit code is the most severe of theirs: first here.
SEVERITY = tuple(kind.exit_code for kind in (
    Terminated, Interrupted, PixazoError, AuthError, BalanceError, RateLimitError, GatewayError,
    SaveError, GenerationFailed, UsageError))


def most_severe(codes: list[int]) -> int:
    failures = [code for code in codes if code]
    if not failures:
        return 0
    return min(failures, key=lambda code: SEVERITY.index(code) if code in SEVERITY else 0)


def close_matches(word: str, choices: Iterable[str]) -> list[str]:
    """What a mistyped word most likely meant, best first: the same word in another case, the
    choices it is part of or that are part of it (--step: --steps, --ratio: --aspect-ratio),
    else the closest spellings. Empty when nothing is close."""
    options = list(dict.fromkeys(choices))
    folded = word.casefold().lstrip("-")
    by_fold = {choice.casefold().lstrip("-"): choice for choice in options}
    if folded in by_fold:
        return [by_fold[folded]]
    if len(folded) >= 3:
        inside = [choice for fold, choice in by_fold.items() if folded in fold or
                  (len(fold) >= 3 and fold in folded)]
        if inside:  # the nearest in length first: --output-directory is --output-dir
            inside.sort(key=lambda choice: abs(len(choice) - len(word)))
            return inside[:3]
    import difflib  # only here, once something went wrong: start-up never pays for it

    return [by_fold[fold] for fold in difflib.get_close_matches(folded, list(by_fold), n=3)]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """"Did you mean X? " (or "X or Y"), to start a hint with; empty when nothing is close."""
    found = close_matches(word, choices)
    if not found:
        return ""
    listed = found[0] if len(found) == 1 else f"{', '.join(found[:-1])} or {found[-1]}"
    return f"Did you mean {listed}? "


def report(error: PixazoError, stream: TextIO, json_stream: TextIO | None = None) -> int:
    """Write the error as one or two lines (through the terminal sink: the key masked, escapes
    made visible) and return its exit code; with --json, also one JSON object on stdout, so a
    script reading it learns what failed and what was paid."""
    from pixazo_cli.sinks import stdio

    stdio.emit(stream, stdio.text(f"Error: {error.message}"))
    if error.hint:
        stdio.emit(stream, stdio.text(f"Hint: {error.hint}"))
    if json_stream is not None:
        data: dict[str, object] = {"status": "error", "error": error.message,
                                   "exit_code": error.exit_code}
        if error.hint:
            data["hint"] = error.hint
        if error.request_id:
            data["request_id"] = error.request_id
        if error.urls:
            data["urls"] = error.urls
        stdio.emit(json_stream, stdio.json_line(data))
    return error.exit_code
