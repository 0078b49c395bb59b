"""The subscription-key check that Azure API Management does in front of the gateway."""

from __future__ import annotations

from .replies import SandboxReply, json_reply

KEY_HEADER = "ocp-apim-subscription-key"
MISSING = (
    "Access denied due to missing subscription key. "
    "Make sure to include subscription key when making requests to an API."
)
INVALID = (
    "Access denied due to invalid subscription key. "
    "Make sure to provide a valid key for an active subscription."
)


def refusal(headers: dict[str, str], expected: str | None) -> SandboxReply | None:
    """None when the key is good; otherwise the 401 to send. With no expected key, any
    non-empty key is good."""
    key = headers.get(KEY_HEADER, "").strip()
    if not key:
        return json_reply(401, {"statusCode": 401, "message": MISSING})
    if expected is not None and key != expected:
        return json_reply(401, {"statusCode": 401, "message": INVALID})
    return None
