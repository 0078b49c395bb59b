"""What the sink tests (issue 20) look for in what landed, written apart from pixazo_cli/sinks/
so one mistake cannot hide in both: characters a terminal acts on, lines GitHub's runner would
run as workflow commands, Markdown that would render, and the key in any encoding."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any
from urllib.parse import quote

# ESC (CSI, OSC, DCS…), C1 CSI and OSC, BEL, CR, DEL, a bidi override, a line separator.
LIVE = ("\x1b", "\x9b", "\x9d", "\x07", "\r", "\x7f", "\u202e", "\u2066", "\u2028")
OSC_52 = "\x1b]52;c;cm0gLXJmIH4K\x07"  # writes "rm -rf ~" to the clipboard
TITLE = "\x1b]0;pwned\x1b\\"  # sets the window title
C1_CSI = "\u009b2J"  # CSI as one C1 character: clears the screen on terminals that honour C1
# A key with the characters JSON and URLs encode, as a gateway or a user might hold one.
ODD_KEY = 'pk-"quoted"\\back/slash-0123456789'


def live_controls(text: str) -> list[str]:
    """The characters in text that a terminal acts on (a line break is fine), lone surrogates
    included (they cannot even be encoded for a UTF-8 terminal)."""
    found = [char for char in LIVE if char in text]
    found += [char for char in text if 0 < ord(char) < 0x20 and char not in "\n\x1b\x07\r"]
    found += [char for char in text if 0xD800 <= ord(char) <= 0xDFFF]
    return found


def runner_commands(text: str) -> list[str]:
    """The lines GitHub's runner would treat as workflow commands: lines end at LF or CR; a
    line is one when, trimmed, it starts with `::`, or holds `##[` (the older form). The
    runner compares culture-aware, skipping characters such as U+200B: dropped here first."""
    found = []
    for line in re.split(r"\r\n|\r|\n", text):
        skeleton = "".join(char for char in line if unicodedata.category(char)
                           not in ("Cc", "Cf", "Mn", "Me", "Cs"))
        if skeleton.strip().startswith("::") or "##[" in skeleton:
            found.append(line)
    return found


def unescape_command_data(data: str) -> str:
    """A workflow command's message as the runner decodes it."""
    return data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def key_forms(key: str) -> list[str]:
    """The key as typed, JSON-escaped and URL-encoded (both cases of hex digits)."""
    encoded = quote(key, safe="")
    return [key, json.dumps(key)[1:-1], encoded, encoded.lower(), quote(key)]


def markdown_tokens(markdown: str) -> list[Any]:
    """Every token GitHub-flavoured Markdown (tables, strikethrough, raw HTML) makes of the
    text, inline children included."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    tokens = []
    for token in parser.parse(markdown):
        tokens.append(token)
        tokens.extend(token.children or [])
    return tokens


RENDERED = ("link_open", "image", "html_inline", "html_block", "code_inline", "em_open",
            "strong_open", "s_open")


def rendered_constructs(markdown: str) -> list[str]:
    """Links, images, HTML, code, emphasis or strikethrough the text would render as."""
    return [token.type for token in markdown_tokens(markdown) if token.type in RENDERED]


def table_cells(markdown: str) -> list[int]:
    """How many cells each table row has (header row first)."""
    counts: list[int] = []
    for token in markdown_tokens(markdown):
        if token.type == "tr_open":
            counts.append(0)
        elif token.type in ("td_open", "th_open"):
            counts[-1] += 1
    return counts
