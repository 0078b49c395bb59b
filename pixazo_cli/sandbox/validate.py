"""Check a request body against the gateway schema and word the 400 the way the gateway does."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from .schema import SchemaField

ASPECT_RATIO = re.compile(r"^([1-9]\d{0,8}):([1-9]\d{0,8})$")


class ValidationError(ValueError):
    """The message goes verbatim into the 400 body; it always names the offending field."""


def parse_body(raw: bytes) -> dict[str, Any]:
    """Decode a JSON object body, refusing NaN/Infinity like a JavaScript gateway would."""
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        raise ValidationError("Request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ValidationError("Request body must be a JSON object")
    return body


def check_content_type(headers: dict[str, str]) -> None:
    """The vendor sends every request as application/json; a JSON gateway ignores other
    bodies, so anything else would fail there too, only less clearly."""
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise ValidationError("Header 'Content-Type' must be application/json")


def validate(body: dict[str, Any], fields: dict[str, SchemaField]) -> None:
    """Raise ValidationError for the first problem found."""
    for name, field in fields.items():
        if field.required and name not in body:
            raise ValidationError(f"Missing required field '{name}'")
    for name, value in body.items():
        field = fields.get(name)
        if field is None:
            raise ValidationError(f"Unknown field '{name}'")
        check_value(name, value, field)


def check_value(name: str, value: Any, field: SchemaField) -> None:
    accepts, wanted = _TYPES[field.type]
    if not accepts(value):
        raise ValidationError(f"Field '{name}' must be {wanted}")
    if field.non_empty and not value.strip():
        raise ValidationError(f"Field '{name}' must not be empty")
    if field.choices and value not in field.choices:
        raise ValidationError(f"Field '{name}' must be one of: {', '.join(field.choices)}")
    _check_range(name, value, field)


def aspect_ratio(text: str) -> tuple[int, int]:
    """Split an already validated 'W:H'."""
    match = ASPECT_RATIO.match(text)
    if match is None:
        raise ValidationError("Field 'aspect_ratio' must look like '16:9'")
    return int(match.group(1)), int(match.group(2))


def _check_range(name: str, value: Any, field: SchemaField) -> None:
    low, high = field.min, field.max
    too_low = low is not None and value < low
    too_high = high is not None and value > high
    if not (too_low or too_high):
        return
    if low is not None and high is not None:
        raise ValidationError(f"Field '{name}' must be between {low:g} and {high:g}")
    if low is not None:
        raise ValidationError(f"Field '{name}' must be at least {low:g}")
    raise ValidationError(f"Field '{name}' must be at most {high:g}")


def _is_number(value: Any) -> bool:
    # bool is an int subclass in Python, but `true` is not a number to a JSON gateway.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) or math.isfinite(value)


def _is_integer(value: Any) -> bool:
    # 4.0 is accepted: a JavaScript gateway cannot tell it from 4. 4.5 is not.
    return _is_number(value) and (isinstance(value, int) or value.is_integer())


def _is_aspect(value: Any) -> bool:
    return isinstance(value, str) and ASPECT_RATIO.match(value) is not None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_TYPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "string": (lambda value: isinstance(value, str), "a string"),
    "integer": (_is_integer, "an integer"),
    "number": (_is_number, "a number"),
    "boolean": (lambda value: isinstance(value, bool), "a boolean (true or false)"),
    "aspect": (_is_aspect, "an aspect ratio 'W:H' of two positive integers, like '16:9'"),
}
