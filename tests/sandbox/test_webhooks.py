"""Nucleus webhooks, delivered to a receiver on loopback, in terminal and sync modes."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pixazo_cli.sandbox import Sandbox
from pixazo_cli.sandbox.validate import ValidationError
from pixazo_cli.sandbox.webhooks import Webhook, read_webhook

from .conftest import SandboxClock
from .support import NUCLEUS, SDXL, post


class Receiver:
    """A tiny webhook endpoint that queues every callback it gets."""

    def __init__(self) -> None:
        self.calls: queue.Queue[dict[str, Any]] = queue.Queue()
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                calls.put(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def next(self) -> dict[str, Any]:
        return self.calls.get(timeout=5)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


def submit(sandbox: Sandbox, url: str, mode: str | None = None) -> str:
    headers = {"X-Webhook-URL": url}
    if mode is not None:
        headers["X-Webhook-Mode"] = mode
    response = post(sandbox.base_url, NUCLEUS, {"prompt": "a lighthouse"}, **headers)
    assert response.status_code == 202, response.text
    return response.json()["request_id"]


def test_terminal_mode_sends_exactly_one_callback(
    make_sandbox: Callable[..., Sandbox], clock: SandboxClock, receiver: Receiver
) -> None:
    sandbox = make_sandbox(latency=3)
    request_id = submit(sandbox, receiver.url)
    clock.advance(2)  # PROCESSING: nothing is sent in terminal mode
    clock.advance(1)
    call = receiver.next()
    assert (call["request_id"], call["status"]) == (request_id, "COMPLETED")
    assert call["model_id"] == "nucleus-image" and call["error"] is None
    assert call["output"]["media_type"] == "image/png"
    # As in the vendor's callback example: ISO created_at, plain updated/completed stamps.
    assert call["created_at"].endswith("Z")
    assert len(call["completed_at"]) == len("2026-05-22 13:19:23")
    assert receiver.calls.empty()  # deliveries are in order, so nothing came before it either
    assert sandbox.stats()["webhooks_sent"] == 1


def test_sync_mode_reports_each_state_change(sandbox: Sandbox, receiver: Receiver) -> None:
    request_id = submit(sandbox, receiver.url, "sync")
    calls = [receiver.next(), receiver.next()]
    assert [(call["request_id"], call["status"]) for call in calls] == [
        (request_id, "PROCESSING"),
        (request_id, "COMPLETED"),
    ]
    assert calls[0]["output"] is None and calls[1]["output"]["media_url"]
    assert receiver.calls.empty()
    assert sandbox.stats()["webhooks_sent"] == 2


def test_failed_job_callback(make_sandbox: Callable[..., Sandbox], receiver: Receiver) -> None:
    sandbox = make_sandbox(faults=["job:failed"])
    submit(sandbox, receiver.url, "terminal")
    call = receiver.next()
    assert (call["status"], call["output"]) == ("FAILED", None)
    assert call["error"] == "Generation failed: sandbox fault"


def test_failed_delivery_is_counted(
    sandbox: Sandbox, counted: Callable[..., threading.Event]
) -> None:
    failed = counted("webhooks_failed")
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()  # nothing listens there now
    submit(sandbox, f"http://127.0.0.1:{port}/hook")
    assert failed.wait(5), "the delivery was never counted as failed"
    assert sandbox.stats()["webhooks_failed"] == 1


@pytest.mark.parametrize(
    "url", ["http://example.com/hook", "ftp://127.0.0.1/hook", "not a url", "http:///hook"]
)
def test_bad_webhook_url_is_400(sandbox: Sandbox, url: str) -> None:
    response = post(sandbox.base_url, NUCLEUS, {"prompt": "x"}, **{"X-Webhook-URL": url})
    assert response.status_code == 400
    assert "X-Webhook-URL" in response.json()["message"]


def test_bad_webhook_mode_is_400(sandbox: Sandbox, receiver: Receiver) -> None:
    headers = {"X-Webhook-URL": receiver.url, "X-Webhook-Mode": "always"}
    response = post(sandbox.base_url, NUCLEUS, {"prompt": "x"}, **headers)
    assert response.status_code == 400
    assert "X-Webhook-Mode" in response.json()["message"]


@pytest.mark.parametrize(
    "url",
    [
        "https://your-server.com/webhook/callback",
        "http://localhost:9/hook",
        "http://127.0.0.2/hook",
        "http://[::1]:9/hook",
    ],
)
def test_allowed_webhook_urls(url: str) -> None:
    assert read_webhook({"x-webhook-url": url}) == Webhook(url, "terminal")


def test_no_webhook_without_the_header() -> None:
    assert read_webhook({}) is None
    with pytest.raises(ValidationError):
        read_webhook({"x-webhook-mode": "sometimes"})


def test_webhook_headers_are_ignored_by_sync_models(sandbox: Sandbox) -> None:
    headers = {"X-Webhook-URL": "http://example.com/hook"}
    assert post(sandbox.base_url, SDXL, {"prompt": "x"}, **headers).status_code == 200
