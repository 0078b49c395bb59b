"""What a successful model POST is answered with: each built-in model's own shape, or the one a
model file describes (its URL(s), id and status where the file says the reply keeps them)."""

from __future__ import annotations

from typing import Any

from . import ids
from .schema import Endpoint

# Which body keys carry the result, per success shape; the missing-field and empty-url faults
# remove or blank exactly these.
RESULT_KEYS = {
    "nucleus": ("request_id", "polling_url"),
    "sd35": ("output",),
    "sd3": ("output",),
    "image_url": ("imageUrl",),
}


def result_keys(endpoint: Endpoint) -> tuple[str, ...]:
    if endpoint.reply == "file":
        where = endpoint.paths["id" if endpoint.kind == "queued" else "urls"]
        return (where.split(".")[0],)
    return RESULT_KEYS[endpoint.reply]


def request_id(endpoint: Endpoint) -> str:
    return ids.nucleus_request_id(endpoint.model if endpoint.reply == "file" else "nucleus-image")


def queued_payload(endpoint: Endpoint, request_id: str, polling_url: str) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    _put(payload, endpoint.paths.get("id", "request_id"), request_id)
    return {**payload, "status": "QUEUED", "polling_url": polling_url}


def sync_payload(endpoint: Endpoint, urls: list[str]) -> dict[str, Any]:
    url: Any = urls[0] if len(urls) == 1 else urls
    if endpoint.reply == "sd35":
        return {"id": ids.prediction_id(), "status": "succeeded", "output": url}
    if endpoint.reply == "sd3":
        return {"output": url}
    if endpoint.reply != "file":
        return {"imageUrl": url}
    payload: dict[str, Any] = {}
    for role, value in (("id", ids.prediction_id()), ("status", "succeeded"), ("urls", url)):
        if endpoint.paths.get(role):
            _put(payload, endpoint.paths[role], value)
    return payload


def _put(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set a value at a dotted path, making the tables on the way."""
    *steps, last = dotted.split(".")
    for step in steps:
        if not isinstance(data.get(step), dict):
            data[step] = {}
        data = data[step]
    data[last] = value
