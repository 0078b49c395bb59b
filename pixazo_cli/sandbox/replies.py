"""What the sandbox sends back: one reply type (SandboxReply) and the gateway's error bodies."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

JSON = "application/json"
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


@dataclass
class SandboxReply:
    status: int
    body: bytes | Iterable[bytes] = b""
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None  # Content-Length when it is not len(body): streamed or truncated
    delay: float = 0.0  # seconds to wait before answering
    drop: bool = False  # close the connection without answering at all
    close: bool = False  # close the connection after answering

    def content_length(self) -> int:
        if self.length is not None:
            return self.length
        if isinstance(self.body, bytes):
            return len(self.body)
        raise ValueError("a streamed SandboxReply needs an explicit length")


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> SandboxReply:
    return SandboxReply(status, json.dumps(payload).encode(), JSON, dict(headers or {}))


def html_reply(status: int, title: str) -> SandboxReply:
    page = (
        f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>pixazo sandbox</p></body></html>\n"
    )
    return SandboxReply(status, page.encode(), HTML)


def text_reply(status: int, text: str) -> SandboxReply:
    return SandboxReply(status, text.encode(), TEXT)


def bad_request(message: str) -> SandboxReply:
    return json_reply(400, {"error": "Bad Request", "message": message})


def insufficient_balance() -> SandboxReply:
    message = "Your wallet does not have enough balance."
    return json_reply(402, {"error": "Insufficient Balance", "message": message})


def rate_limited(seconds: int) -> SandboxReply:
    # Azure API Management's own wording and shape, as the gateway sits behind it.
    message = f"Rate limit is exceeded. Try again in {seconds} seconds."
    return json_reply(429, {"statusCode": 429, "message": message}, {"Retry-After": str(seconds)})


def route_not_found() -> SandboxReply:
    return json_reply(404, {"statusCode": 404, "message": "Resource not found"})


def request_not_found(request_id: str) -> SandboxReply:
    return json_reply(404, {"error": "Not Found", "message": f"Request '{request_id}' not found"})


def server_error(code: int) -> SandboxReply:
    reason = HTTPStatus(code).phrase
    return json_reply(code, {"error": reason, "message": f"{reason} (sandbox fault)"})


def transport_fault(what: str, truncated_json: bytes) -> SandboxReply | None:
    """The replies shared by submit and status faults; None for faults that alter a body."""
    if what in ("500", "502", "503", "504"):
        return server_error(int(what))
    if what == "429":
        return rate_limited(1)
    if what == "html":
        return html_reply(200, "502 Bad Gateway")
    if what == "bad-json":
        return SandboxReply(200, truncated_json, JSON)
    if what == "drop":
        return SandboxReply(0, drop=True)
    return None
