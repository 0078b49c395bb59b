"""Roff escaping and formatting primitives for the man page: plain and help text to roff that
prints every character as itself (ASCII only: other characters become roff escapes; hyphens as
`\\-`; no text line that starts with a control character), fonts, macros, preformatted blocks,
and long shell commands broken over lines."""

from __future__ import annotations

import inspect
import re

EXAMPLE_WIDTH = 66  # longer example commands are split over lines ending in `\`
LINE_WIDTH = 80  # text lines are broken at spaces to fit (mandoc -T lint asks for 80 bytes)
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


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


def preformatted(block: list[str], prog: str | None = None) -> list[str]:
    """Lines kept as written, indented; a line that runs `prog` is broken by `shell_lines`."""
    if not block:
        return []
    rendered: list[str] = []
    for line in block:
        split = shell_lines(line) if prog and line.startswith(prog + " ") else [line]
        rendered += [text_line(escape(part)) or "\\&" for part in split]  # \& : an empty line
    return [".RS 4", ".nf", *rendered, ".fi", ".RE"]


def help_blocks(text: str | None, prog: str | None = None) -> list[str]:
    """Click help text to roff paragraphs; a `\\b` paragraph keeps its lines as written (its
    indented lines preformatted, those that run `prog` broken by `shell_lines`)."""
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
            lines += preformatted(block, prog)
            block = []
            lines += [text_line(prose(line)), ".br"]
        lines += preformatted(block, prog)
        if lines[-1] == ".br":
            lines.pop()
    return lines


def tidy(lines: list[str]) -> list[str]:
    """The page's lines as `mandoc -T lint` wants them: no paragraph macro right after a
    heading or another paragraph macro (it starts nothing), and filled text lines broken at
    spaces to fit LINE_WIDTH (roff joins them again; preformatted blocks are left alone)."""
    out: list[str] = []
    filled = True
    for line in lines:
        if line == ".PP" and out and out[-1].startswith((".SH", ".SS", ".PP")):
            continue
        filled = {".nf": False, ".fi": True}.get(line, filled)
        out += [line] if line.startswith(".") or not filled else _fitted(line)
    return out


def _fitted(line: str, width: int = LINE_WIDTH) -> list[str]:
    """A text line broken at spaces (not escaped ones) into lines of at most `width` where a
    space allows; a piece that would start with a control character is guarded."""
    pieces = []
    while len(line) > width:
        cut = next((i for i in range(width, 0, -1) if line[i] == " " and line[i - 1] != "\\"),
                   None)
        if cut is None:
            break  # one word longer than the line: it stays whole
        pieces.append(line[:cut])
        line = text_line(line[cut + 1 :])
    return [*pieces, line]
