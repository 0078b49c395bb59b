"""HTTP glue: route each request to the gateway and write its reply to the socket."""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from pixazo_cli.http.replies import SANDBOX_HEADER

from . import replies
from .gateway import STATUS_PATH
from .model_files import endpoint_at
from .replies import SandboxReply, json_reply

if TYPE_CHECKING:
    from .gateway import SandboxGateway
    from .server import SandboxServer

MAX_BODY = 10 * 1024 * 1024


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as clients pool connections to the gateway
    server_version = "PixazoSandbox/1"
    timeout = 60  # idle keep-alive connections are dropped after this many seconds
    server: SandboxServer

    def do_GET(self) -> None:
        self._dispatch(self._get)

    def do_POST(self) -> None:
        raw = self._read_body()  # always read first, so even a dropped request was received
        if raw is None:
            self.close_connection = True
            self._send(json_reply(413, {"statusCode": 413, "message": "Request body too large"}))
            return
        self._dispatch(lambda path, headers: self._post(path, headers, raw))

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    def _get(self, path: str, headers: dict[str, str]) -> SandboxReply:
        gateway = self.server.gateway
        if path == "/_sandbox/stats":
            return json_reply(200, gateway.snapshot())
        if path.startswith(STATUS_PATH):
            return gateway.status(unquote(path[len(STATUS_PATH) :]), headers)
        if path.startswith("/cdn/"):
            return gateway.download(path, headers)
        return replies.route_not_found()

    def _post(self, path: str, headers: dict[str, str], raw: bytes) -> SandboxReply:
        gateway = self.server.gateway
        if endpoint_at(path) is not None:
            return gateway.submit(path, headers, raw)
        if path == "/_sandbox/faults":
            return _set_faults(gateway, raw)
        if path == "/_sandbox/reset":
            gateway.reset()
            return json_reply(200, {"reset": True})
        return replies.route_not_found()

    def _dispatch(self, route: Callable[[str, dict[str, str]], SandboxReply]) -> None:
        path = urlsplit(self.path).path
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            reply = route(path, headers)
        except Exception:
            # A sandbox bug should read as a 500 in the client's test, with the trace here.
            traceback.print_exc(file=sys.stderr)
            reply = replies.server_error(500)
        self._send(reply)

    def _read_body(self) -> bytes | None:
        """The request body, or None when it is too large to read."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0  # then the empty body is refused as not JSON
        if length > MAX_BODY:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, reply: SandboxReply) -> None:
        if reply.delay > 0:
            time.sleep(reply.delay)
        if reply.drop:
            self.close_connection = True
            return
        chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(reply.content_length()))
            if self.server.announce:  # type: ignore[attr-defined]
                self.send_header(SANDBOX_HEADER, "1")  # so a client records it as free
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            for chunk in chunks:
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            # The client hung up (a download cap, a timeout): nothing left to tell it.
            self.close_connection = True
        if reply.close:
            self.close_connection = True


def _set_faults(gateway: SandboxGateway, raw: bytes) -> SandboxReply:
    try:
        specs = json.loads(raw)["faults"]
        if not isinstance(specs, list) or not all(isinstance(spec, str) for spec in specs):
            raise TypeError("faults must be a list of strings")
        gateway.set_faults(specs)
    except (ValueError, KeyError, TypeError) as exc:
        return replies.bad_request(f"Field 'faults': {exc}")
    return json_reply(200, {"faults": specs})
