"""The human-readable 'parameters' text (the Automatic1111 convention many tools read)."""

from __future__ import annotations

import json
import re
from typing import Any

from .payload import XML_FORBIDDEN

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Body field names differ by model (num_steps, num_inference_steps, guidance_scale, cfg ...);
# they are compared with case, '_' and '-' removed so camelCase spellings match too.
_SETTINGS: tuple[tuple[str, frozenset[str]], ...] = (
    ("Steps", frozenset({"steps", "numsteps", "numinferencesteps", "inferencesteps"})),
    # One label for every guidance spelling: "CFG scale" is the key A1111 readers look for.
    ("CFG scale", frozenset({"cfg", "cfgscale", "guidance", "guidancescale"})),
    ("Seed", frozenset({"seed"})),
)


def parameters_text(record: dict[str, Any]) -> str:
    """The human-readable 'parameters' text (the Automatic1111 convention many tools read)."""
    body = _normalized_body(record)
    lines = [_clean(_as_text(body.get("prompt")))]
    negative = _clean(_as_text(body.get("negativeprompt")))
    if negative:
        lines.append(f"Negative prompt: {negative}")
    settings = ", ".join(f"{label}: {_quote(value)}" for label, value in _settings(record, body))
    if settings:
        lines.append(settings)
    return "\n".join(lines)


def _norm(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


def _normalized_body(record: dict[str, Any]) -> dict[str, Any]:
    body = record.get("body")
    return {_norm(str(k)): v for k, v in body.items()} if isinstance(body, dict) else {}


def _settings(record: dict[str, Any], body: dict[str, Any]) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    for label, names in _SETTINGS:
        value = next((body[n] for n in body if n in names and body[n] is not None), None)
        if value is not None:
            pairs.append((label, value))
    if body.get("width") is not None and body.get("height") is not None:
        pairs.append(("Size", f"{_as_text(body['width'])}x{_as_text(body['height'])}"))
    elif body.get("aspectratio") is not None:
        pairs.append(("Aspect ratio", body["aspectratio"]))
    for label, key in (("Model", "model"), ("Request id", "request_id")):
        if record.get(key) is not None:
            pairs.append((label, record[key]))
    return pairs


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # A1111 writes "CFG scale: 7", not 7.0
    return str(value)


def _quote(value: Any) -> str:
    """A1111 quotes a value as JSON when it would break the comma-separated line."""
    text = _clean(_as_text(value))
    return json.dumps(text, ensure_ascii=False) if any(c in text for c in ',"\n') else text


def _clean(text: str) -> str:
    """Text any reader can take: LF line ends, no control characters, valid UTF-8 and XML."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return XML_FORBIDDEN.sub("\ufffd", _CONTROLS.sub("", text))
