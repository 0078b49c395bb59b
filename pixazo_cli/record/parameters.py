"""The human-readable 'parameters' text (the Automatic1111 convention many tools read)."""

from __future__ import annotations

import json
import re
from typing import Any

from pixazo_cli.models.table import MODELS

from .payload import XML_FORBIDDEN

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# A1111's labels for the tool's own flags; the model table says which body field holds each.
_SETTINGS = (("Steps", "steps"), ("CFG scale", "guidance"), ("Seed", "seed"))


def parameters_text(record: dict[str, Any]) -> str:
    """The human-readable 'parameters' text (the Automatic1111 convention many tools read)."""
    prompt, flags = _read_body(record)
    lines = [_clean(_as_text(prompt))]
    negative = _clean(_as_text(flags.get("negative_prompt")))
    if negative:
        lines.append(f"Negative prompt: {negative}")
    settings = ", ".join(f"{label}: {_quote(value)}" for label, value in _settings(record, flags))
    if settings:
        lines.append(settings)
    return "\n".join(lines)


def _read_body(record: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The prompt and the flag values, read through the recorded model's table entry."""
    body = record.get("body")
    model = MODELS.get(str(record.get("model")))
    if not isinstance(body, dict) or model is None:
        return None, {}
    return body.get(model.prompt_field), model.flag_values(body)


def _settings(record: dict[str, Any], flags: dict[str, Any]) -> list[tuple[str, Any]]:
    pairs = [(label, flags[flag]) for label, flag in _SETTINGS if flag in flags]
    if "width" in flags and "height" in flags:
        pairs.append(("Size", f"{_as_text(flags['width'])}x{_as_text(flags['height'])}"))
    elif "aspect_ratio" in flags:
        pairs.append(("Aspect ratio", flags["aspect_ratio"]))
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
