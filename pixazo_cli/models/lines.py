"""Where each key of a model file sits, by line: tomllib gives values but no positions, and an
error that names the line is one a person can fix.

A plain scan of the text, good for what model files are written with: tables, arrays of
tables, `key = value` lines, multi-line strings and arrays. Where a key is not found (an inline
table, say), its table's line is the answer, then none.
"""

from __future__ import annotations

import re

Where = tuple[str | int, ...]  # ("endpoint",), ("reply", "urls"), ("field", 2, "min")

_ARRAY_TABLE = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]")
_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_KEY = re.compile(r"""^\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*(?:\.|=)""")


def key_lines(text: str) -> dict[Where, int]:
    """{where: 1-based line}: each table header, each array-of-tables entry, each key."""
    found: dict[Where, int] = {}
    current: Where = ()
    counts: dict[str, int] = {}
    in_string = ""  # the delimiter of a multi-line string being read, if any
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:
            if line.count(in_string) % 2:
                in_string = ""
            continue
        if match := _ARRAY_TABLE.match(line):
            name = match.group(1)
            counts[name] = counts.get(name, 0) + 1
            current = (name, counts[name] - 1)
            found.setdefault(current, number)
        elif match := _TABLE.match(line):
            current = (match.group(1),)
            found.setdefault(current, number)
        elif match := _KEY.match(line):
            found.setdefault((*current, match.group(1).strip("\"'")), number)
        in_string = _opens_string(line)
    return found


def _opens_string(line: str) -> str:
    """The delimiter of a multi-line string this line opens and leaves open, else ""."""
    for delimiter in ('"""', "'''"):
        if line.count(delimiter) % 2:
            return delimiter
    return ""


def line_of(lines: dict[Where, int], where: Where) -> int | None:
    """The line of `where`, else of the nearest table holding it, else None."""
    while where:
        if where in lines:
            return lines[where]
        where = where[:-1]
    return None
