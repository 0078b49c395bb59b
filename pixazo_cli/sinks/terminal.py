"""The terminal sink: text that came from outside (the gateway, a record, a prompt, a file name)
made harmless for a terminal, with the key masked.

What a terminal would act on is made visible, never passed through and never silently dropped:
every control character (C0 but the line break, DEL, C1: ESC starts CSI and OSC sequences, BEL
ends OSC 52 clipboard writes and title changes, CR overwrites a line), the bidirectional
overrides that reorder what is shown, the Unicode line separators and lone surrogates (an
undecodable byte of a file name, from os.fsdecode) are written as backslash escapes: `\\x1b`,
`\\r`, `\\u202e`, and `\\xff` for the byte a surrogate stands for. Shown rather than removed, so a
person still learns that a name holds an escape and which; written as Python, JSON and `$'…'`
would write it, so it can be searched for and pasted. Three renderings share that one set:

- `visible`: for people (stderr, listings): escapes inline; backslashes stay as they are.
- `shell_value`: one value a script reads on stdout (a path, an id, a URL): as it is when every
  character is printable, else one `$'…'` word (bash, zsh, ksh, POSIX sh 2024) that yields
  the exact name, bytes included, like GNU ls's shell-escape quoting.
- `json_text`: JSON with the same characters as `\\u` escapes, so it decodes to the exact data.

`plain` removes instead (whole escape sequences): for short excerpts of gateway text that go
into messages.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pixazo_cli.scrub import scrub, scrub_data

# The characters a terminal acts on, or that stand for undecodable bytes; tab apart, which
# `plain` keeps.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE = "\t" + _CONTROLS
_ESCAPED = re.compile(f"[{_UNSAFE}]")
_ESCAPED_OR_NEWLINE = re.compile(f"[{_UNSAFE}\n]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# Whole CSI and OSC sequences first, so `plain` leaves no "[31m" behind.
_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|"
                       f"[{_CONTROLS}]")


def escape(char: str) -> str:
    """One character as a backslash escape: named, `\\xNN`, `\\uNNNN` or `\\UNNNNNNNN`."""
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for the undecodable byte code-0xDC00
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def visible(text: str, newlines: bool = True) -> str:
    """For people: the key masked, what a terminal would act on shown as escapes. Line breaks
    stay where `newlines` (the tool's own multi-line messages), else they are shown too."""
    text = scrub(text)
    pattern = _ESCAPED if newlines else _ESCAPED_OR_NEWLINE
    if pattern.search(text) is None:
        return text
    return pattern.sub(lambda match: escape(match.group()), text)


def plain(text: str) -> str:
    """An excerpt of server text for a message: escape sequences and control characters
    removed (tab and newline kept)."""
    return _SEQUENCE.sub("", text)


def shell_value(text: str, also: str = "") -> str:
    """One value for a script: as it is when every character is printable and none is in
    `also`, else a `$'…'` word giving the exact value (the key masked either way)."""
    text = scrub(text)
    if text.isprintable() and not any(char in text for char in also):
        return text
    quoted = "".join(_in_quotes(char, also) for char in text)
    return f"$'{quoted}'"


def _in_quotes(char: str, also: str) -> str:
    if char in "\\'":
        return "\\" + char
    if char.isprintable() and char not in also:
        return char
    return escape(char)


def command_line(*words: str) -> str:
    """A command for a person to paste, each word quoted for a POSIX shell: a request id or a
    URL comes from the gateway, and pasted raw (`x;rm -rf ~`, `'$(id)'`) it would run more
    than it says. Plain words stay as they are: `pixazo status abc-123 --wait`."""
    import shlex

    return " ".join(shlex.quote(word) for word in words)


def json_text(data: Any, indent: int | None = None) -> str:
    """JSON for stdout or a file a person may `cat`: the key masked, and what json.dumps leaves
    raw of `_UNSAFE` (DEL, C1, bidi overrides) as `\\u` escapes. A lone surrogate is no text
    (two of them would even read back as one other character, and jq refuses them): it is
    written as U+FFFD."""
    text = json.dumps(scrub_data(data), ensure_ascii=False, indent=indent, allow_nan=False)
    if _ESCAPED.search(text) is None:
        return text
    return _ESCAPED.sub(lambda match: _json_escape(match.group()), text)


def _json_escape(char: str) -> str:
    return "\\ufffd" if "\ud800" <= char <= "\udfff" else f"\\u{ord(char):04x}"
