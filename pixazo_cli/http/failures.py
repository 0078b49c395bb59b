"""Network failures in plain words: the one place an httpx exception becomes a phrase a person
reads. The HTTP stack's own text (class names, errno numbers, URLs) never reaches the user raw.

`who` names the other side ("the gateway", "the image host"); `during` says what was under way
("mid-reply", "mid-download")."""

from __future__ import annotations

import httpx

# ConnectError covers DNS, refusals and TLS alike; its text tells them apart.
_CONNECT_CAUSES = (
    (("name or service not known", "nodename nor servname", "getaddrinfo", "name resolution",
      "no address associated"), "its name does not resolve (check the spelling)"),
    (("connection refused",), "the connection was refused (nothing listens there)"),
    (("certificate", "ssl", "tls"), "its TLS certificate could not be verified"),
    (("network is unreachable", "no route to host"), "the network cannot reach it"),
)


def in_words(exc: BaseException, who: str = "the gateway", during: str = "mid-reply") -> str:
    """What happened, in a short lower-case phrase (no final stop)."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"{who} did not accept the connection in time"
    if isinstance(exc, httpx.ReadTimeout):
        return f"{who} went silent {during}"
    if isinstance(exc, httpx.WriteTimeout):
        return f"sending to {who} took too long"
    if isinstance(exc, httpx.TimeoutException):
        return "the time limit ran out"
    if isinstance(exc, httpx.ConnectError):
        return _connect_cause(exc, who)
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{who} closed the connection {during}"
    if isinstance(exc, httpx.ReadError):
        return f"the connection to {who} broke {during}"
    if isinstance(exc, httpx.WriteError):
        return f"the connection to {who} broke while the request was being sent"
    if isinstance(exc, httpx.ProxyError):
        return "the proxy (HTTPS_PROXY / ALL_PROXY) failed the connection"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "the URL is not http(s)"
    if isinstance(exc, httpx.DecodingError):
        return f"{who} sent a body that could not be decoded"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"{who} redirected too many times"
    if isinstance(exc, httpx.HTTPError):
        return f"the connection to {who} failed"
    if isinstance(exc, OSError):
        return (exc.strerror or "a system error").lower()
    return str(exc) or "an unknown failure"


def _connect_cause(exc: httpx.ConnectError, who: str) -> str:
    text = str(exc).lower()
    for fragments, cause in _CONNECT_CAUSES:
        if any(fragment in text for fragment in fragments):
            return cause
    return f"could not connect to {who}"
