"""What the gateway's replies mean: a JSON object (read whole, within a cap, by the client),
or a typed error for every status, worded so a person knows whether they may have paid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from pixazo_cli.errors import (
    AuthError,
    BalanceError,
    GatewayError,
    MaybeCharged,
    PixazoError,
    RateLimitError,
    UnknownRequest,
    UsageError,
)
from pixazo_cli.http.retry import NOT_CHARGED
from pixazo_cli.jsontext import loads
from pixazo_cli.sinks.terminal import plain

MAYBE_CHARGED_HINT = (
    "The gateway may have started (and charged) this request. Check your Pixazo dashboard "
    "before running it again."
)


# The sandbox marks every reply with this header: what it answered cost nothing, whether it
# runs inside the command (--sandbox) or as `pixazo sandbox serve`.
SANDBOX_HEADER = "X-Pixazo-Sandbox"


@dataclass(frozen=True)
class Reply:
    """A gateway reply that parsed as a JSON object, with the HTTP status it came with."""

    status: int
    data: dict[str, Any]
    image: bytes | None = None  # the image itself, where a Stream endpoint sent it (stream.py)
    sandbox: bool = False  # the sandbox answered: placeholders, nothing charged

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass(frozen=True)
class Answer:
    """A reply read whole (within the cap): status, headers and decoded body."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    def json(self) -> Any:
        try:
            return loads(self.content)  # NaN, Infinity, 1e999: damage, as jsontext reads
        except UnicodeDecodeError:
            raise ValueError("not UTF-8") from None


def json_reply(response: Answer, paid: bool) -> Reply:
    if response.status_code not in (200, 201, 202):
        if paid and response.status_code in range(200, 300):
            raise MaybeCharged(f"The gateway answered {response.status_code}, which is not a "
                               "reply to a new job.", hint=MAYBE_CHARGED_HINT)
        raise status_error(response, paid)
    error = MaybeCharged if paid else GatewayError
    try:
        data = response.json()
    except ValueError:
        raise error(
            f"The gateway answered {response.status_code} with something that is not JSON "
            f"({_describe(response)}).",
            hint=MAYBE_CHARGED_HINT if paid else "Try again in a moment.") from None
    if not isinstance(data, dict):
        raise error(f"The gateway answered {response.status_code} with JSON that is not "
                    "an object.", hint=MAYBE_CHARGED_HINT if paid else None)
    return Reply(response.status_code, data, sandbox=from_sandbox(response))


def from_sandbox(response: Answer) -> bool:
    return response.headers.get(SANDBOX_HEADER) == "1"


def _describe(response: Answer) -> str:
    kind = response.headers.get("Content-Type", "no content type").split(";")[0]
    return f"{kind}, {len(response.content)} bytes"


def _gateway_message(response: Answer) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    parts = [str(data[k]) for k in ("error", "message") if isinstance(data.get(k), str | int)]
    if len(parts) == 2 and parts[0].lower() in parts[1].lower():
        parts = parts[1:]  # {"error": "Internal Server Error", "message": "Internal Server Error"}
    return plain(": ".join(parts))[:300]


def no_such_endpoint(url: str, response: Answer) -> UsageError:
    """A paid POST answered 404: the address is wrong, not the flags."""
    said = _gateway_message(response)
    return UsageError(f"The gateway has no endpoint at {url} (404{': ' + said if said else ''}); "
                      "nothing was charged.",
                      hint="Check the base URL (--base-url, PIXAZO_BASE_URL or `pixazo config "
                      "get base_url`): it is the gateway's root, https://gateway.pixazo.ai.")


def status_error(response: Answer, paid: bool) -> PixazoError:
    code = response.status_code
    said = _gateway_message(response)
    status = f"{code}: {said}" if said else str(code)  # e.g. "402: Insufficient Balance: …"
    if code in (401, 403):
        return AuthError(f"The gateway refused the API key ({status}).",
                         hint="Check it: `pixazo auth status`; set it: `pixazo auth login`.")
    if code == 402:
        return BalanceError(f"Insufficient balance ({status}).",
                            hint="Add funds to your Pixazo wallet, then run the command again.")
    if code == 429:
        return RateLimitError(f"Rate limited by the gateway ({status}), still after retrying.",
                              hint="The fair-use limit is 60 requests a minute; wait and retry.")
    if paid and code not in NOT_CHARGED:
        # Default deny: only a refusal that proves nothing was started counts as not charged.
        return MaybeCharged(f"The gateway answered {status} to a paid request.",
                            hint=MAYBE_CHARGED_HINT)
    if 300 <= code < 400:
        location = plain(response.headers.get("Location", "?"))[:200]
        return GatewayError(
            f"The gateway redirected ({code}) to {location}; "
            "not followed, so the key stays with the gateway.",
            hint="Check the base URL.")
    if code == 404 and not paid:
        return UnknownRequest(f"The gateway does not know that request id ({status}).",
                          hint="Check the id: it is the one `--no-wait` printed.")
    if 400 <= code < 500:
        return UsageError(f"The gateway refused the request ({status}).",
                          hint="Check the flags against `pixazo MODEL --help`.")
    return GatewayError(f"The gateway failed ({status}).", hint="Try again in a moment.")
