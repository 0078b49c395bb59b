"""The record as stored: compact JSON that is also valid XML text, and parsing it back."""

from __future__ import annotations

import json
import re
from typing import Any

from pixazo_cli.jsontext import loads

MAX_READ_RECORD = 16 * 1024 * 1024  # `read` ignores larger metadata rather than loading it

# Characters XML 1.0 cannot carry at all, not even as character references.
XML_FORBIDDEN = re.compile("[\ud800-\udfff\ufffe\uffff]")


class RecordNotStorable(ValueError):
    """The record itself cannot be stored (not JSON-able, too big for the format): the image
    is fine and is kept without it. Any other ValueError from embedding means a damaged image."""


def record_json(record: dict[str, Any]) -> str:
    """Compact JSON that is also valid XML text; lossless, unlike the parameters text."""
    try:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as err:  # ValueError: NaN or infinity, which JSON lacks
        raise RecordNotStorable(f"the generation record is not JSON-able: {err}") from err
    # Such characters can only sit inside JSON strings, where a \u escape means the same.
    return XML_FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def parse_record(text: str | bytes) -> dict[str, Any] | None:
    """The record, or None when there is none to trust: not JSON, not an object, or holding a
    lone surrogate (no pixazo writes one, and it cannot be printed or sent as UTF-8)."""
    try:
        value = loads(text)  # NaN, Infinity and 1e999 are refused: a record never holds them
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except ValueError:  # UnicodeEncodeError is a ValueError
        return None
    return value if isinstance(value, dict) else None
