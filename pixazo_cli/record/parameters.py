"""The human-readable 'parameters' text, laid out exactly as Automatic1111 writes it, because
that is what other tools parse: the prompt, an optional `Negative prompt:` line, then one
settings line that always starts with `Steps:`.

Readers differ in what they need from the settings line: sd-prompt-reader looks for a line
starting with `Steps:`; sd-parsers wants `Sampler` and at least three of Sampler, CFG scale,
Seed and Steps on one line. So those keys are always written; where the tool sent no value, the
gateway chose one the tool never learns, and the line says `gateway default` rather than guess.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pixazo_cli.models.table import MODELS

from .payload import XML_FORBIDDEN

# C0 and C1 controls but tab and LF (CR is made LF first): PNG text may not hold them, and
# C1 ones (CSI is 0x9b) are terminal escapes in the readers that print the text.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# The gateway chose it: the tool sent nothing, and no reply says what was used.
GATEWAY_DEFAULT = "gateway default"

# A1111's labels, in its order, for the tool's own flags (None: no model takes a sampler).
_SETTINGS = (("Steps", "steps"), ("Sampler", None), ("CFG scale", "guidance"), ("Seed", "seed"))


def parameters_text(record: dict[str, Any], size: tuple[int, int] | None = None) -> str:
    """The A1111 'parameters' text for a record; `size` is the saved image's (width, height),
    read from the file itself. Empty when the record names no model the tool knows."""
    prompt, flags = _read_body(record)
    if flags is None:
        return ""
    lines = [_clean(_as_text(prompt))]
    negative = _clean(_as_text(flags.get("negative_prompt")))
    if negative:
        lines.append(f"Negative prompt: {negative}")
    settings = _settings(record, flags, size)
    lines.append(", ".join(f"{label}: {_quote(value)}" for label, value in settings))
    return "\n".join(lines)


def _read_body(record: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
    """The prompt and the flag values, read through the recorded model's table entry."""
    body = record.get("body")
    model = MODELS.get(str(record.get("model")))
    if not isinstance(body, dict) or model is None:
        return None, None
    return body.get(model.prompt_field), model.flag_values(body)


def _settings(record: dict[str, Any], flags: dict[str, Any],
              size: tuple[int, int] | None) -> list[tuple[str, Any]]:
    pairs = [(label, flags.get(flag, GATEWAY_DEFAULT) if flag else GATEWAY_DEFAULT)
             for label, flag in _SETTINGS]
    if size is not None:
        pairs.append(("Size", f"{size[0]}x{size[1]}"))
    pairs.append(("Model", record["model"]))
    if "aspect_ratio" in flags:
        pairs.append(("Aspect ratio", flags["aspect_ratio"]))
    if record.get("request_id") is not None:
        pairs.append(("Request id", record["request_id"]))
    return pairs


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # A1111 writes "CFG scale: 7", not 7.0
    return str(value)


def _quote(value: Any) -> str:
    """A1111 quotes a value as JSON where it holds `,`, `:` or a line break; a `"` is quoted
    too, so a value that starts and ends with one is not taken for a quoted value."""
    text = _clean(_as_text(value))
    return json.dumps(text, ensure_ascii=False) if any(c in text for c in ',:"\n') else text


def _clean(text: str) -> str:
    """Text any reader can take: LF line ends, no control characters, valid UTF-8 and XML."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return XML_FORBIDDEN.sub("\ufffd", _CONTROLS.sub("", text))
