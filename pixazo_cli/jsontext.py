"""JSON read from outside the process (a gateway reply, a manifest, a cache file, a record):
however it is damaged (not UTF-8, not JSON, nested deeper than the parser goes) it is a
ValueError, so each reader handles one exception and a hostile file is never "a bug".
Imports nothing of the tool: the file writer's layer reads through it too."""

from __future__ import annotations

import json
from typing import Any


def loads(data: str | bytes, **options: Any) -> Any:
    try:
        return json.loads(data, **options)
    except RecursionError:  # `[` a hundred thousand times: valid so far, too deep to parse
        raise ValueError("JSON nested too deeply") from None
