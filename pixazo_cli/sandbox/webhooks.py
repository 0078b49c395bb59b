"""Nucleus webhooks: check the submit headers, then deliver callbacks from a background thread."""

from __future__ import annotations

import http.client
import json
import queue
import threading
import urllib.request
from dataclasses import dataclass
from typing import Any

from pixazo_cli.http.hosts import secure_or_local

from .stats import Stats
from .validate import ValidationError

MODES = ("terminal", "sync")
DELIVERY_TIMEOUT = 5.0


@dataclass(frozen=True)
class Webhook:
    url: str
    mode: str


def read_webhook(headers: dict[str, str]) -> Webhook | None:
    """The webhook a submit asked for, or None; raise ValidationError naming the bad header."""
    mode = headers.get("x-webhook-mode", "terminal").strip().lower()
    if mode not in MODES:
        raise ValidationError("Header 'X-Webhook-Mode' must be 'terminal' or 'sync'")
    url = headers.get("x-webhook-url", "").strip()
    if not url:
        return None
    if not _allowed(url):
        raise ValidationError(
            "Header 'X-Webhook-URL' must be an https:// URL "
            "(the sandbox also allows http:// to a loopback host)"
        )
    return Webhook(url, mode)


def _allowed(url: str) -> bool:
    # The vendor rejects plain http://; the sandbox relaxes that only for loopback so that a
    # test can run a receiver without certificates: the client's own rule for secrets.
    return secure_or_local(url)


class WebhookSender:
    """Delivers callbacks one at a time, in order, so sync-mode updates never overtake."""

    def __init__(self, stats: Stats, timeout: float = DELIVERY_TIMEOUT) -> None:
        self._stats = stats
        self._timeout = timeout
        self._queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        # The sandbox must never route callbacks through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def start(self) -> None:
        self._thread.start()

    def send(self, url: str, payload: dict[str, Any]) -> None:
        self._queue.put((url, payload))

    def close(self) -> None:
        # Callbacks still queued are dropped: closing must not wait on slow receivers.
        self._closing.set()
        self._queue.put(None)
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if not self._closing.is_set():
                self._deliver(*item)

    def _deliver(self, url: str, payload: dict[str, Any]) -> None:
        self._stats.count("webhooks_sent")
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "User-Agent": "pixazo-sandbox"},
            method="POST",
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                response.read()
        except (OSError, ValueError, http.client.HTTPException):
            # Delivery failures never affect the job; the vendor does not block on receivers.
            self._stats.count("webhooks_failed")
