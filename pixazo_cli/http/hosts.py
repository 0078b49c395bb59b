"""Which URLs may carry a secret: https anywhere, plain http only to this machine.

One rule for the key's transport, for webhook URLs, and for the sandbox's webhook check."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback(host: str) -> bool:
    """This machine only: `localhost` or a loopback IP, never a name that merely starts so."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def with_scheme(url: str) -> str | None:
    """For a URL typed without its scheme (`gateway.pixazo.ai`, `localhost:8787`), the URL it
    most likely means: https, or http for this machine. None when there is no host at all."""
    try:
        host = urlsplit("//" + url.strip()).hostname or ""
    except ValueError:
        return None
    if not host:
        return None
    return ("http://" if is_loopback(host) else "https://") + url.strip()


def secure_or_local(url: str) -> bool:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. "http://[::1": not a URL at all
        return False
    if not host:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host))


# httpx mounts that send requests for this machine straight, never through HTTP(S)_PROXY /
# ALL_PROXY: a proxy must not see the key, nor the sandbox's traffic.
NO_PROXY_FOR_LOCAL: dict[str, None] = {
    "all://localhost": None, "all://127.0.0.1": None, "all://[::1]": None,
}
