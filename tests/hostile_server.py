"""A small hostile gateway + CDN for the tests the sandbox cannot stage: lying Content-Length,
bytes trickled slowly, endless JSON, odd statuses, gzip bombs. Threaded http.server on
127.0.0.1, port 0; it counts the POSTs it receives (each one is a paid request)."""

from __future__ import annotations

import contextlib
import gzip
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A handler gets the request handler and writes the whole reply itself.
Behaviour = Callable[[BaseHTTPRequestHandler], None]


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up mid-reply is what these tests provoke (a 204 with a body, a
    reply cut off at a cap): socketserver would print that as a traceback on stderr, which the
    in-process CLI's captured stderr would then show."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class Hostile:
    routes: dict[tuple[str, str], Behaviour] = field(default_factory=dict)
    posts: int = 0
    requests: list[tuple[str, str]] = field(default_factory=list)
    base_url: str = ""
    _server: Any = None

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _QuietServer(ThreadingHTTPServer):
    """A client hanging up (a reset, a broken pipe) is what these tests provoke: not reported.
    Reported, it would land on the stderr the CLI runner captures and read as the CLI's."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            super().handle_error(request, client_address)


def serve(routes: dict[tuple[str, str], Behaviour]) -> Hostile:
    state = Hostile(routes)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _handle(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            with lock:
                state.requests.append((method, self.path))
                if method == "POST":
                    state.posts += 1
            behaviour = state.routes.get((method, self.path.split("?")[0]))
            if behaviour is None:
                reply(404, b"{}")(self)
                return
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                behaviour(self)  # the client may give up mid-reply, as it should

        def do_POST(self) -> None:
            self._handle("POST")

        def do_GET(self) -> None:
            self._handle("GET")

    server = _QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state._server = server
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state


def reply(status: int, body: bytes, content_type: str = "application/json",
          headers: dict[str, str] | None = None) -> Behaviour:
    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
    return behaviour


def endless_json(handler: BaseHTTPRequestHandler) -> None:
    """A 200 whose JSON never ends (chunked): the client must stop at its cap."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    piece = b'"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",' * 1000
    handler.wfile.write(b"%x\r\n[\r\n" % 1)
    for _ in range(10_000):  # ~640 MB if nobody stopped
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))


def trickle(body: bytes, content_type: str = "application/json",
            every: float = 0.05) -> Behaviour:
    """Slow-loris: one byte at a time, each well inside any per-read timeout."""
    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for byte in body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(every)
    return behaviour


def gzip_bomb(megabytes: int, content_type: str = "application/json") -> Behaviour:
    """A few hundred KB on the wire that decode to `megabytes` of zeros."""
    raw = gzip.compress(b"\0" * (megabytes * 1024 * 1024), compresslevel=9)

    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(raw)))
        handler.end_headers()
        handler.wfile.write(raw)
    return behaviour


def chunks(parts: Iterator[bytes]) -> Iterator[bytes]:
    yield from parts


def trickle_head(body: bytes = b"{}", every: float = 0.05, padding: int = 4000) -> Behaviour:
    """Slow-loris on the status line and headers: the reply's head arrives a byte at a time
    (a long header makes it last `padding * every` seconds), so no single read ever times out."""
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"X-Pad: " + b"p" * padding + b"\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body))

    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        for byte in head:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(every)
        handler.wfile.write(body)
    return behaviour
