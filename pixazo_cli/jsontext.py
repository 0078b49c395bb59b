"""JSON read from outside the process (a gateway reply, a manifest, a cache file, a record):
however it is damaged (not UTF-8, not JSON, nested deeper than the tool goes, numbers JSON
cannot write back) it is a ValueError, so each reader handles one exception and a hostile
file is never "a bug". Imports nothing of the tool: the file writer's layer reads through it.
"""

from __future__ import annotations

import json
import math
from typing import Any

# Deeper than any document the tool writes or reads by far, and shallow enough that every
# recursive walk over the data (scrubbing the key, copying, writing back) stays well inside
# Python's recursion limit.
MAX_DEPTH = 64


class TooDeep(ValueError):
    """Valid JSON, nested deeper than the reader takes."""


def loads(data: str | bytes, max_depth: int = MAX_DEPTH, **options: Any) -> Any:
    options.setdefault("parse_constant", _refuse_constant)
    options.setdefault("parse_float", _finite)
    try:
        value = json.loads(data, **options)
    except RecursionError:  # `[` a hundred thousand times: valid so far, too deep to parse
        raise TooDeep("JSON nested too deeply") from None
    _check_depth(value, max_depth)
    return value


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON: what the tool writes (allow_nan=False) could not hold them.
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999
        raise ValueError(f"{text} is too large a number")
    return number


def _check_depth(value: Any, max_depth: int) -> None:
    """Walked without recursion: the point is to refuse what recursion could not walk."""
    level: list[Any] = [value]
    for _ in range(max_depth):
        level = [child for item in level if isinstance(item, dict | list)
                 for child in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return
    if any(isinstance(item, dict | list) for item in level):
        raise TooDeep(f"JSON nested more than {max_depth} levels deep")
