"""Reading one model file's TOML and pointing at its lines: every mistake is a `ModelFileError`
naming the file, the line and the key."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from pixazo_cli.errors import UsageError
from pixazo_cli.models.lines import Where, key_lines, line_of


class ModelFileError(UsageError):
    """A model file that cannot be used: `file:line: key: what is wrong`."""

    def __init__(self, source: str, line: int | None, key: str, problem: str,
                 hint: str | None = None) -> None:
        place = f"{source}:{line}" if line else source
        super().__init__(f"{place}: {key}: {problem}." if key else f"{place}: {problem}.",
                         hint=hint)
        self.source, self.line, self.key, self.problem = source, line, key, problem


class Reader:
    """One file's parsed data, and errors that point into its text."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.text = text
        self._lines: dict[Where, int] | None = None
        import tomllib  # only once a model file is read: --help and completion read none

        try:
            self.data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
            raise ModelFileError(source, int(found.group(1)) if found else None, "",
                                 f"not valid TOML: {exc}",
                                 hint="See docs/adding-a-model.md for the format.") from None

    def fail(self, where: Where, problem: str, hint: str | None = None) -> ModelFileError:
        if self._lines is None:
            self._lines = key_lines(self.text)
        # A key that is missing points at its table, or at the top of the file.
        return ModelFileError(self.source, line_of(self._lines, where) or 1, key_name(where),
                              problem, hint)

    def only(self, table: dict[str, Any], allowed: Collection[str], where: Where) -> None:
        for key in table:
            if key not in allowed:
                import difflib

                close = difflib.get_close_matches(key, allowed, n=1)
                raise self.fail((*where, key), "unknown key" + (
                    f" (did you mean {close[0]}?)" if close else ""),
                    hint=f"Keys here: {', '.join(allowed)}.")

    def get(self, table: dict[str, Any], where: Where, key: str, kind: type | tuple[type, ...],
            required: bool = False, default: Any = None) -> Any:
        if key not in table:
            if required:
                raise self.fail((*where, key), "is missing")
            return default
        value = table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.fail((*where, key), f"must be {_kind_words(kind)}, not {value!r}")
        return value

    def text_value(self, table: dict[str, Any], where: Where, key: str, required: bool = False,
                   default: str = "", limit: int = 200) -> str:
        value = self.get(table, where, key, str, required, default)
        problem = text_problem(value, limit)
        if problem:
            raise self.fail((*where, key), problem)
        return value


# Invisible characters that change how text around them is shown: the bidirectional
# marks, embeddings, overrides and isolates (U+202E shows "gnp.exe" as "exe.png"), and the
# other format characters (zero-width space, word joiner, BOM, tags). The two joiners stay:
# emoji sequences and several scripts are written with them.
_JOINERS = ("\u200c", "\u200d")


def text_problem(value: str, limit: int) -> str | None:
    """Why `value` cannot be a model file's text (shown by --help, listings, completion),
    or None."""
    import unicodedata

    if len(value) > limit:
        return f"is longer than {limit} characters"
    if any(ord(char) < 32 or ord(char) == 127 or 0x80 <= ord(char) < 0xA0 for char in value):
        return "has a line break or a control character"
    for char in value:
        category = unicodedata.category(char)
        if category in ("Zl", "Zp") or category == "Cf" and char not in _JOINERS:
            return (f"has a bidirectional or invisible formatting character (U+{ord(char):04X}"
                    f" {unicodedata.name(char, '')})".replace(" )", ")"))
    return None


def key_name(where: Where) -> str:
    if len(where) >= 2 and where[0] == "field" and isinstance(where[1], int):
        head = f"field {where[1] + 1}"
        return ".".join([head, *map(str, where[2:])])
    return ".".join(map(str, where))


def _kind_words(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    words = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
             dict: "a table", list: "an array"}
    return " or ".join(dict.fromkeys(words[k] for k in kinds))
