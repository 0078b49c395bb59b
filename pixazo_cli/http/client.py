"""The gateway's HTTP client: the key, the two calls (submit a job, read its status), when to
send again, and reading each reply within a size cap and the command's deadline."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from pixazo_cli.errors import (
    GatewayError,
    MaybeCharged,
    UsageError,
)
from pixazo_cli.http.clock import Clock, Deadline
from pixazo_cli.http.deadline_io import bind, deadline_for_this_thread
from pixazo_cli.http.decoding import ACCEPT_ENCODING, UndecodableBody, bounded_pieces
from pixazo_cli.http.failures import in_words
from pixazo_cli.http.hosts import NO_PROXY_FOR_LOCAL, secure_or_local, with_scheme
from pixazo_cli.http.limiter import RateLimiter
from pixazo_cli.http.replies import (
    MAYBE_CHARGED_HINT,
    Answer,
    Reply,
    json_reply,
    no_such_endpoint,
    status_error,
)
from pixazo_cli.http.retry import (
    MAX_POST_RETRIES,
    MIN_POLL_SECONDS,
    POST_RETRY_STATUSES,
    Backoff,
    Retry,
    RetryPolicy,
    parse_retry_after,
    poll_should_retry,
    retrying,
)
from pixazo_cli.http.stream import MAX_INLINE_IMAGE_BYTES, is_image, paid_reply
from pixazo_cli.models.request import ApiRequest
from pixazo_cli.models.spec import gateway_path_problem
from pixazo_cli.models.table import GATEWAY_HEADERS, KEY_HEADER, STATUS_PATH
from pixazo_cli.scrub import register_secret
from pixazo_cli.version import user_agent

CONNECT_TIMEOUT = 10.0
MAX_REPLY_BYTES = 1_000_000  # a JSON reply is a few hundred bytes; more is hostile
# A paid POST is not started with less time than this left: it would time out mid-request
# and leave the user not knowing whether they paid.
MIN_SEND_SECONDS = 1.0


def check_transport(base_url: str) -> None:
    """The key travels only over https, or plain http to this machine."""
    if "://" not in base_url:
        meant = with_scheme(base_url)
        raise UsageError(f"The base URL {base_url!r} lacks its http(s):// scheme.",
                         hint=(f"Did you mean {meant}? " if meant else "") + "Set it with "
                         "--base-url, PIXAZO_BASE_URL or `pixazo config set base_url`.")
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
        max_image_bytes: int = MAX_INLINE_IMAGE_BYTES,
    ) -> None:
        check_transport(base_url)
        register_secret(api_key)
        self.base_url = base_url.rstrip("/")
        self.deadline = deadline
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.post_policy = RetryPolicy(MAX_POST_RETRIES + 1, self.backoff)
        self.poll_policy = RetryPolicy(None, self.backoff, min_delay=MIN_POLL_SECONDS)
        self.limiter = limiter
        self.image_cap = min(max_image_bytes, MAX_INLINE_IMAGE_BYTES)
        self._log = log
        # No redirects: a redirect to another origin would carry the key along. A proxy from
        # the environment is not used for this machine, so the key never crosses one in clear.
        self._http = bind(httpx.Client(
            mounts=NO_PROXY_FOR_LOCAL,
            base_url=self.base_url,
            headers={**GATEWAY_HEADERS, KEY_HEADER: api_key, "User-Agent": user_agent(),
                     "Accept-Encoding": ACCEPT_ENCODING},
            follow_redirects=False,
            transport=transport,
        ))  # bind: --timeout holds down to each socket read (deadline_io.py)

    def close(self) -> None:
        self._http.close()

    def with_deadline(self, deadline: Deadline) -> Gateway:
        """The same connection pool and limiter, under another time budget (one batch job)."""
        other = copy.copy(self)
        other.deadline = deadline
        return other

    def submit(self, request: ApiRequest,
               before_send: Callable[[], object] | None = None) -> Reply:
        """POST a paid request; resend only where the gateway cannot have started it.
        `before_send` runs right before each attempt's POST, once the limiter let it go (the
        ledger's write-ahead); raising there stops the request unsent."""
        # Model files are checked when read; this keeps the key on the gateway whatever
        # built the request.
        problem = gateway_path_problem(request.path)
        if problem:
            raise UsageError(f"Not sent: the endpoint {problem}.")
        return retrying(lambda _: self._submit_once(request, before_send), self.post_policy,
                        self.deadline, self.clock)

    def _submit_once(self, request: ApiRequest,
                     before_send: Callable[[], object] | None) -> Reply:
        if self.limiter:
            self.limiter.acquire(self.deadline)
        self._time_left_to_send()
        if before_send:
            before_send()
            self._time_left_to_send()  # a write-ahead that waited on a busy file takes time
        try:
            response = self._send("POST", request.path, image_cap=self.image_cap,
                                  json=request.body, headers=request.headers)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise Retry(_network_error(self.base_url, exc)) from None
        except (httpx.TimeoutException, TimeLimit):
            raise MaybeCharged(
                f"No reply from the gateway within the time limit ({request.path}).",
                hint=MAYBE_CHARGED_HINT) from None
        except (httpx.HTTPError, OSError, TooLarge, UndecodableBody) as exc:
            raise MaybeCharged(f"The paid request got no whole reply: {_what_broke(exc)}.",
                               hint=MAYBE_CHARGED_HINT) from None
        if response.status_code in POST_RETRY_STATUSES:
            throttled = response.status_code == 429 and self.limiter
            raise Retry(status_error(response, paid=True), _retry_after(response),
                        wait=self.limiter.pause if throttled and self.limiter else None)
        if response.status_code == 404:
            raise no_such_endpoint(self.base_url + request.path, response)
        return paid_reply(response)

    def _time_left_to_send(self) -> None:
        if self.deadline.remaining() < min(MIN_SEND_SECONDS, self.deadline.seconds / 2):
            raise GatewayError("Not sent: the time limit ran out before the request went.",
                               hint="Raise --timeout.")

    def status(self, request_id: str) -> Reply:
        """GET a job's status; every transient failure is retried until the deadline."""
        path = STATUS_PATH.format(request_id=quote(request_id, safe=""))
        return retrying(lambda _: self._status_once(path), self.poll_policy, self.deadline,
                        self.clock)

    def status_once(self, request_id: str) -> Reply:
        """One status GET, never retried: a quick probe (`auth status --check`)."""
        try:
            return self._status_once(STATUS_PATH.format(request_id=quote(request_id, safe="")))
        except Retry as retry:
            raise retry.failure from None

    def _status_once(self, path: str) -> Reply:
        try:
            response = self._send("GET", path)
        except TimeLimit:
            raise GatewayError(f"Timed out talking to {self.base_url}.",
                               hint="Try again, or raise --timeout.") from None
        except (httpx.HTTPError, OSError, TooLarge, UndecodableBody) as exc:
            raise Retry(_network_error(self.base_url, exc)) from None
        if poll_should_retry(response.status_code):
            raise Retry(status_error(response, paid=False), _retry_after(response))
        try:
            return json_reply(response, paid=False)
        except GatewayError as unreadable:  # a proxy's error page: poll again
            raise Retry(unreadable) from None

    def _send(self, method: str, path: str, image_cap: int = 0, **kwargs: Any) -> Answer:
        """One exchange, its reply read whole but never beyond MAX_REPLY_BYTES (decoded; an
        image reply: image_cap) nor past the deadline, however slowly the server trickles it."""
        remaining = max(self.deadline.remaining(), 0.001)
        timeout = httpx.Timeout(remaining, connect=min(CONNECT_TIMEOUT, remaining))
        started = self.clock.now()
        try:
            request = self._http.build_request(method, path, timeout=timeout, **kwargs)
            with deadline_for_this_thread(self.deadline):
                response = self._http.send(request, stream=True)
                try:
                    cap = image_cap if image_cap and is_image(response.headers) \
                        else MAX_REPLY_BYTES
                    content = _read_capped(response, self.deadline, cap)
                finally:
                    response.close()
        except (httpx.HTTPError, OSError, TooLarge, TimeLimit, UndecodableBody) as exc:
            self._trace(method, path, type(exc).__name__, started)
            raise
        self._trace(method, path, str(response.status_code), started)
        return Answer(response.status_code, response.headers, content)

    def _trace(self, method: str, path: str, outcome: str, started: float) -> None:
        # The key is a header and is never logged; the URL carries no secret.
        if self._log:
            took = self.clock.now() - started
            self._log(f"{method} {self.base_url}{path} -> {outcome} ({took:.2f} s)")


class TooLarge(Exception):
    """A reply larger than MAX_REPLY_BYTES: an endless or hostile body."""


class TimeLimit(Exception):
    """The command's deadline passed while a reply was still arriving."""


def _read_capped(response: httpx.Response, deadline: Deadline, cap: int) -> bytes:
    body = bytearray()
    for chunk in bounded_pieces(response):  # decompressed piece by piece: a gzip bomb stops
        body += chunk
        if len(body) > cap:
            raise TooLarge(f"reply over {cap // 1_000_000} MB")
        if deadline.expired():
            raise TimeLimit
    return bytes(body)


def _retry_after(response: Answer) -> float | None:
    return parse_retry_after(response.headers.get("Retry-After"))


def _what_broke(exc: BaseException) -> str:
    """A short, fixed description: the HTTP stack's own text never reaches the user raw."""
    if isinstance(exc, TooLarge):
        return f"the reply was too large ({exc})"
    if isinstance(exc, UndecodableBody):
        return f"the reply could not be read ({exc})"
    return in_words(exc, "the gateway", "mid-reply")


def _network_error(base_url: str, exc: Exception) -> GatewayError:
    if isinstance(exc, httpx.TimeoutException):
        return GatewayError(f"Timed out talking to {base_url}.",
                            hint="Try again, or raise --timeout.")
    if isinstance(exc, TooLarge):
        return GatewayError(f"The reply from {base_url} was too large ({exc}).",
                            hint="Check the base URL.")
    where = "Cannot reach" if isinstance(exc, httpx.ConnectError) else "No reply from"
    return GatewayError(f"{where} {base_url}: {_what_broke(exc)}.",
                        hint="Check the network and the base URL (`pixazo config get base_url`).")
