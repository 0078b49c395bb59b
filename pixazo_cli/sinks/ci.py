"""The CI sink: GitHub Actions' workflow-command language, spoken only by the tool itself.

The runner reads every line a step prints on stdout and stderr (a line ends at LF or CR). A
line is a command when, after leading whitespace, it starts with `::` (`::add-mask::x`,
`::stop-commands::t`), or when it holds `##[` anywhere (the older form, `##[add-mask]x`). The
runner compares with .NET's culture-aware rules, which skip characters such as U+200B or
U+034F: `:\\u200b:` counts as `::`. So:

- `neutral`: every line that is not one of the tool's own commands gets a space between the
  characters that would open one (`: :add-mask::x`, `## [add-mask]x`), ignorable characters
  between them or not. In JSON, `[` becomes `\\u005b` instead, which decodes to the same data.
- `workflow_command` is the one way the tool writes a command: its message made visible
  (terminal.visible), then escaped as GitHub's toolkit escapes it (%, CR, LF; in properties
  also `:` and `,`), so gateway text can neither end the line nor add properties.
- `markdown_cell`: text for the step summary's table, where links, images, HTML, code, emphasis
  and `|` would render: each character that opens one is backslash-escaped (CommonMark shows an
  escaped punctuation character as itself), line breaks become spaces, controls are made
  visible. A bare URL still becomes a link, showing its own address.
"""

from __future__ import annotations

import os
import re

from pixazo_cli.sinks.terminal import visible

# Every character that opens an inline construct in GitHub's Markdown, in a cell (which never
# starts a line): escapes, code, emphasis, strikethrough, links and images, HTML and autolinks
# in <>, entities, cell borders, math. Parentheses only matter after ], escaped itself.
_MARKDOWN = re.compile(r"([\\`*_~\[\]!<>&|$])")
# Categories whose characters .NET's culture-aware comparison may skip: controls, format
# characters (U+200B, U+00AD), combining marks (U+034F, variation selectors), surrogates.
_IGNORABLE = frozenset({"Cc", "Cf", "Mn", "Me", "Cs"})


def github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF are encoded, per GitHub's rules."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as data, and also : and ,."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(name: str, message: str, **properties: object) -> str:
    """`::name key=value,…::message`, the only lines the tool means as commands."""
    pairs = ",".join(f"{key}={escape_property(visible(str(value), newlines=False))}"
                     for key, value in properties.items() if value)
    return f"::{name}{' ' + pairs if pairs else ''}::{escape_data(visible(message))}"


def error_command(message: str, file: str | None, line: int | None) -> str:
    return workflow_command("error", message, file=file, line=line)


def neutral(text: str, json: bool = False) -> str:
    """Every line of text, none of them able to start a workflow command."""
    if ":" not in text and "[" not in text:
        return text
    parts = re.split(r"(\r\n|\r|\n)", text)
    parts[::2] = [_neutral_line(line, json) for line in parts[::2]]
    return "".join(parts)


def _neutral_line(line: str, json: bool) -> str:
    head = line.lstrip()[:1]
    if "[" not in line and (not head or (head != ":" and head.isascii() and head.isprintable())):
        return line  # the usual line: it starts with a plain character and holds no [
    import unicodedata

    out: list[str] = []
    seen = 0  # significant characters so far: not leading whitespace, not ignorable
    last = ""  # the last two of them
    for char in line:
        if (seen == 0 and char.isspace()) or unicodedata.category(char) in _IGNORABLE:
            out.append(char)
            continue
        if char == ":" and seen == 1 and last == ":":  # the line would start with ::
            char = " :"
        elif char == "[" and last == "##":
            char = "\\u005b" if json else " ["
        out.append(char)
        seen += len(char)
        last = (last + char)[-2:]
    return "".join(out)


def markdown_cell(text: str) -> str:
    """Text that renders as itself in a Markdown table cell, and stays in its cell."""
    flat = visible(" ".join(text.splitlines()), newlines=False)
    return _MARKDOWN.sub(r"\\\1", flat)
