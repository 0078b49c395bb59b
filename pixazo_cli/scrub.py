"""One scrubber for every text that leaves the tool: the API key becomes a mask wherever it
appears, and text that came from a server loses terminal control sequences before printing.

The key is registered once it is known (settings, the gateway client); `scrub` is applied by
errors.report, the Ui, --json output, the manifest, sidecars and embedded records.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "****"
_secrets: set[str] = set()
# CSI/OSC escape sequences, then any other C0/C1 control character except tab and newline.
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|"
                      r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def register_secret(secret: str | None) -> None:
    """From now on, `scrub` masks this value (and its trimmed form) wherever it appears."""
    if secret and len(secret.strip()) >= 4:
        _secrets.add(secret)
        _secrets.add(secret.strip())


def scrub(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def scrub_data(value: Any) -> Any:
    """The same for JSON-like data: strings inside dicts and lists are scrubbed."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub_data(k): scrub_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_data(v) for v in value]
    return value


def plain(text: str) -> str:
    """Server-sent text made safe for a terminal: no escape sequences, no control characters."""
    return _CONTROL.sub("", text)
