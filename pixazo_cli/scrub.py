"""The key mask: the API key becomes `****` wherever it appears in a text the tool writes,
in any encoding it may take there.

The key is registered once it is known (settings, the gateway client, the history). Every
sink applies `scrub` or `scrub_data`: the terminal and CI sinks (pixazo_cli/sinks/), --json,
the manifest, sidecars, embedded records and the history's columns. Masking runs on finished
text, JSON included, so the key is matched as typed and as each encoder writes it: JSON-escaped
(a key holding `"` or `\\` is stored as `\\"`, `\\\\`), URL-encoded (either case of hex digits,
`+` or `%20` for a space) and HTML-escaped.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "****"
_given: list[str] = []  # as registered: a worker process registers them again
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


def register_secret(secret: str | None) -> None:
    """From now on, `scrub` masks this value (and its trimmed form) wherever it appears."""
    global _pattern
    if secret and len(secret.strip()) >= 4:
        _given.append(secret)
        for form in {secret, secret.strip()}:
            _secrets.update(_encodings(form))
        # Longest first, so no shorter form leaves part of a longer one behind.
        alternatives = sorted(_secrets, key=len, reverse=True)
        # Any letter case: percent-encoders differ on %2f and %2F, and a mask cannot hurt.
        _pattern = re.compile("|".join(map(re.escape, alternatives)), re.IGNORECASE)


def registered() -> tuple[str, ...]:
    """The secrets registered so far, for a worker process to register in its turn."""
    return tuple(dict.fromkeys(_given))


def _encodings(secret: str) -> set[str]:
    """The key as JSON, URLs and HTML (Python's and Jinja's escaping) write it."""
    import html
    import json
    from urllib.parse import quote, quote_plus

    as_json = json.dumps(secret)[1:-1]
    as_markup = "".join({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;",
                         '"': "&#34;"}.get(char, char) for char in secret)
    return {secret, as_json, as_json.replace("/", "\\/"), quote(secret, safe=""),
            quote(secret), quote_plus(secret), html.escape(secret), as_markup}


def scrub(text: str) -> str:
    if _pattern is None:
        return text
    return _pattern.sub(MASK, text)


def scrub_data(value: Any) -> Any:
    """The same for JSON-like data: strings inside dicts and lists are scrubbed."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub_data(k): scrub_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_data(v) for v in value]
    return value
