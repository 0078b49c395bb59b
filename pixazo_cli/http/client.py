"""The gateway's HTTP client: the key, the two calls (submit a job, read its status), when to
send again, and turning HTTP replies into typed errors."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

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
from pixazo_cli.http.clock import Clock, Deadline
from pixazo_cli.http.hosts import secure_or_local
from pixazo_cli.http.limiter import RateLimiter
from pixazo_cli.http.retry import (
    MAX_POST_RETRIES,
    POST_RETRY_STATUSES,
    Backoff,
    parse_retry_after,
    poll_should_retry,
)
from pixazo_cli.models.request import ApiRequest
from pixazo_cli.models.table import GATEWAY_HEADERS, KEY_HEADER, STATUS_PATH
from pixazo_cli.version import user_agent

CONNECT_TIMEOUT = 10.0
# A paid POST is not started with less time than this left: it would time out mid-request
# and leave the user not knowing whether they paid.
MIN_SEND_SECONDS = 1.0
MAYBE_CHARGED_HINT = (
    "The gateway may have started (and charged) this request. Check your Pixazo dashboard "
    "before running it again."
)


@dataclass(frozen=True)
class Reply:
    """A gateway reply that parsed as a JSON object, with the HTTP status it came with."""

    status: int
    data: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def check_transport(base_url: str) -> None:
    """The key travels only over https, or plain http to this machine."""
    if not secure_or_local(base_url):
        raise UsageError(
            f"Refusing to send the API key to {base_url}: only https, or http to this machine.",
            hint="Use an https:// base URL (--base-url or PIXAZO_BASE_URL).",
        )


class Gateway:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        deadline: Deadline,
        clock: Clock,
        log: Callable[[str], None] | None = None,
        transport: httpx.BaseTransport | None = None,
        backoff: Backoff | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        check_transport(base_url)
        self.base_url = base_url.rstrip("/")
        self.deadline = deadline
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.limiter = limiter
        self._log = log
        # No redirects: a redirect to another origin would carry the key along.
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={**GATEWAY_HEADERS, KEY_HEADER: api_key, "User-Agent": user_agent()},
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def with_deadline(self, deadline: Deadline) -> Gateway:
        """The same connection pool and limiter, under another time budget (one batch job)."""
        other = copy.copy(self)
        other.deadline = deadline
        return other

    def submit(self, request: ApiRequest) -> Reply:
        """POST a paid request; resend only where the gateway cannot have started it."""
        for attempt in range(MAX_POST_RETRIES + 1):
            last_try = attempt == MAX_POST_RETRIES
            if self.limiter:
                self.limiter.acquire(self.deadline)
            if self.deadline.remaining() < min(MIN_SEND_SECONDS, self.deadline.seconds / 2):
                raise GatewayError("Not sent: the time limit ran out before the request went.",
                                   hint="Raise --timeout.")
            try:
                response = self._send("POST", request.path, json=request.body,
                                      headers=request.headers)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                delay = self.backoff.delay(attempt)
                if last_try or not self.deadline.allows(delay):
                    raise _network_error(self.base_url, exc) from None
                self.clock.sleep(delay)
                continue
            except httpx.TimeoutException:
                raise MaybeCharged(
                    f"No reply from the gateway within the time limit ({request.path}).",
                    hint=MAYBE_CHARGED_HINT) from None
            except httpx.TransportError as exc:
                raise MaybeCharged(f"The connection to the gateway broke mid-request: {exc}.",
                                   hint=MAYBE_CHARGED_HINT) from None
            if response.status_code in POST_RETRY_STATUSES and not last_try:
                delay = self._retry_delay(attempt, response)
                if self.deadline.allows(delay):
                    self._hold_back(delay, throttled=response.status_code == 429)
                    continue
            return _json_reply(response, paid=True)
        raise AssertionError("unreachable")

    def status(self, request_id: str) -> Reply:
        """GET a job's status; every transient failure is retried until the deadline."""
        path = STATUS_PATH.format(request_id=quote(request_id, safe=""))
        attempt = 0
        while True:
            try:
                response = self._send("GET", path)
            except httpx.TransportError as exc:
                failure: PixazoError = _network_error(self.base_url, exc)
                delay = self.backoff.delay(attempt)
            else:
                if poll_should_retry(response.status_code):
                    failure = _status_error(response, paid=False)
                    delay = self._retry_delay(attempt, response)
                else:
                    try:
                        return _json_reply(response, paid=False)
                    except GatewayError as unreadable:  # a proxy's error page: poll again
                        failure, delay = unreadable, self.backoff.delay(attempt)
            if not self.deadline.allows(delay):
                raise failure
            self.clock.sleep(delay)
            attempt += 1

    def _hold_back(self, delay: float, throttled: bool) -> None:
        if throttled and self.limiter:
            self.limiter.pause(delay)  # every worker waits, and acquire() sleeps for us
        else:
            self.clock.sleep(delay)

    def _retry_delay(self, attempt: int, response: httpx.Response) -> float:
        return self.backoff.delay(attempt, parse_retry_after(response.headers.get("Retry-After")))

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        remaining = max(self.deadline.remaining(), 0.001)
        timeout = httpx.Timeout(remaining, connect=min(CONNECT_TIMEOUT, remaining))
        started = self.clock.now()
        try:
            response = self._http.request(method, path, timeout=timeout, **kwargs)
        except httpx.TransportError as exc:
            self._trace(method, path, type(exc).__name__, started)
            raise
        self._trace(method, path, str(response.status_code), started)
        return response

    def _trace(self, method: str, path: str, outcome: str, started: float) -> None:
        # The key is a header and is never logged; the URL carries no secret.
        if self._log:
            took = self.clock.now() - started
            self._log(f"{method} {self.base_url}{path} -> {outcome} ({took:.2f} s)")


def _network_error(base_url: str, exc: Exception) -> GatewayError:
    if isinstance(exc, httpx.TimeoutException):
        return GatewayError(f"Timed out talking to {base_url}.",
                            hint="Try again, or raise --timeout.")
    return GatewayError(f"Cannot reach {base_url}: {exc or type(exc).__name__}.",
                        hint="Check the network and the base URL (`pixazo config get base_url`).")


def _json_reply(response: httpx.Response, paid: bool) -> Reply:
    if response.status_code not in (200, 201, 202):
        raise _status_error(response, paid)
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
    return Reply(response.status_code, data)


def _describe(response: httpx.Response) -> str:
    kind = response.headers.get("Content-Type", "no content type").split(";")[0]
    return f"{kind}, {len(response.content)} bytes"


def _gateway_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    parts = [str(data[k]) for k in ("error", "message") if data.get(k)]
    return ": ".join(parts)


def _status_error(response: httpx.Response, paid: bool) -> PixazoError:
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
    if 300 <= code < 400:
        return GatewayError(
            f"The gateway redirected ({code}) to {response.headers.get('Location', '?')}; "
            "not followed, so the key stays with the gateway.",
            hint="Check the base URL.")
    if code == 404 and not paid:
        return UnknownRequest(f"The gateway does not know that request id ({status}).",
                          hint="Check the id: it is the one `--no-wait` printed.")
    if 400 <= code < 500:
        return UsageError(f"The gateway refused the request ({status}).",
                          hint="Check the flags against `pixazo MODEL --help`.")
    if paid and code == 500:
        return MaybeCharged(f"The gateway failed ({status}).", hint=MAYBE_CHARGED_HINT)
    return GatewayError(f"The gateway failed ({status}).", hint="Try again in a moment.")
