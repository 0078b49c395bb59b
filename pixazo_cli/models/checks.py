"""Value checks a field names (`check = "ratio"`): what ranges and choices cannot say. One
set, for flag values before sending and for the defaults a model file declares."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from pixazo_cli.errors import UsageError
from pixazo_cli.http.hosts import secure_or_local

_RATIO = re.compile(r"^[1-9]\d*:[1-9]\d*$")


def _check_ratio(name: str, value: str) -> None:
    if not _RATIO.match(value):
        raise UsageError(f"{name} must look like 16:9 (two whole numbers), not {value!r}.")


def _check_url(name: str, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{name} must be an http(s) URL, not {value!r}.")


def _check_webhook(name: str, value: str) -> None:
    # The gateway rejects plain http; a loopback receiver only makes sense with a local
    # stand-in of the gateway (the sandbox), so that one exception is allowed.
    if not secure_or_local(value):
        raise UsageError(f"{name} must be an https:// URL, not {value!r}.",
                         hint="The gateway refuses plain http webhooks.")


VALUE_CHECKS: dict[str, Callable[[str, str], None]] = {
    "ratio": _check_ratio, "url": _check_url, "webhook": _check_webhook}
