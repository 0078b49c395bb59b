"""stdout and stderr, where the terminal and CI sinks meet: every line the tool prints passes
here (the tool's own workflow commands excepted, see sinks/ci.py).

- `text`: the tool's own sentences and listings, for people (stderr) or shown on stdout
  (reports, tables): their line breaks kept, the rest made visible (terminal.visible).
- `value`: one value on stdout for scripts (a path, an id, a URL): always one line, quoted as
  `$'…'` when it must be (terminal.shell_value).
- `json_line`: JSON on stdout, decoding to the exact data (terminal.json_text).

Under GitHub Actions each of them is also neutral: no line can start a workflow command.
"""

from __future__ import annotations

from typing import Any, TextIO

from pixazo_cli.sinks import ci, terminal

# What a value escapes besides unprintable characters when it would open a workflow command.
_COMMAND_OPENERS = ":#"


def text(message: str) -> str:
    shown = terminal.visible(message)
    return ci.neutral(shown) if ci.github_actions() else shown


def value(raw: str) -> str:
    shown = terminal.shell_value(raw)
    if ci.github_actions() and ci.neutral(shown) != shown:
        shown = terminal.shell_value(raw, also=_COMMAND_OPENERS)  # still the exact value
    return shown


def json_line(data: Any, indent: int | None = None) -> str:
    shown = terminal.json_text(data, indent)
    return ci.neutral(shown, json=True) if ci.github_actions() else shown


def emit(stream: TextIO, line: str) -> None:
    """Write a line made safe above; a stream that cannot encode a character (a non-UTF-8
    locale) gets an escape rather than a crash."""
    try:
        stream.write(line + "\n")
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(line.encode(encoding, "backslashreplace").decode(encoding) + "\n")
    stream.flush()
