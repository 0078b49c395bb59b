"""Run the sandbox: bind, serve on a background thread, and stop cleanly."""

from __future__ import annotations

import contextlib
import shlex
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

from .faults import parse_fault
from .gateway import SandboxGateway
from .handler import SandboxHandler
from .options import SandboxOptions

# How often the accept loop checks for close(); it bounds how long close() takes.
POLL_SECONDS = 0.01
# Wildcard binds are announced under a loopback name a client can actually connect to.
_REACHABLE = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}
# A second spelling of the same loopback socket, which browsers and HTTP clients treat as a
# different origin.
_OTHER_NAME = {"127.0.0.1": "localhost", "localhost": "127.0.0.1", "::1": "0:0:0:0:0:0:0:1"}


class SandboxServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its gateway and can hang up on every client."""

    daemon_threads = True

    def __init__(self, host: str, port: int, gateway: Callable[[str, str], SandboxGateway]) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__((host, port), SandboxHandler)
        self.base_url, self.cdn_base_url = origins(host, self.server_address[1])
        self.gateway = gateway(self.base_url, self.cdn_base_url)
        self.quiet = False
        self.announce = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up with a reply unread (a capped or failed download) is normal;
        # a traceback for it would land on the stderr of `pixazo --sandbox` users.
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall on a machine with
        # no working DNS; the sandbox never needs it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def hang_up_all(self) -> None:
        """End kept-alive connections, so no handler thread outlives the sandbox."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):  # it may have closed meanwhile
                connection.shutdown(socket.SHUT_RDWR)


class Sandbox:
    """A running sandbox. Use as a context manager, or call close()."""

    def __init__(self, options: SandboxOptions, clock: Callable[[], float]) -> None:
        for spec in options.faults:
            parse_fault(spec)  # a bad spec must fail before anything is bound
        self._server = SandboxServer(
            options.host, options.port, lambda base, cdn: SandboxGateway(options, clock, base, cdn)
        )
        self._server.quiet = options.quiet
        self._server.announce = options.announce
        self.base_url: str = self._server.base_url
        self.cdn_base_url: str = self._server.cdn_base_url
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": POLL_SECONDS},
            name="pixazo-sandbox",
            daemon=True,
        )
        self._closed = False
        self._server.gateway.start()
        self._thread.start()

    def stats(self) -> dict[str, Any]:
        return self._server.gateway.snapshot()

    def set_faults(self, specs: list[str]) -> None:
        """Replace the active faults; ValueError (and no change) if a spec is bad."""
        self._server.gateway.set_faults(specs)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()
        self._server.hang_up_all()
        self._server.gateway.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def start(options: SandboxOptions, clock: Callable[[], float] = time.monotonic) -> Sandbox:
    """Start serving in a background daemon thread; return once it accepts connections.

    The listening socket exists before this returns, so connections are queued even if the
    serving thread has not reached accept() yet.
    """
    return Sandbox(options, clock)


def serve_forever(options: SandboxOptions) -> None:
    """Serve in the foreground until Ctrl+C, then close cleanly and return."""
    sandbox = start(options)
    try:
        _announce(sandbox, options.key)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.close()


def origins(host: str, port: int) -> tuple[str, str]:
    """The API origin and a different CDN origin that reach the same socket.

    Image URLs use the second origin so a client that sends its key to the CDN is caught.
    For a non-loopback host no second name is sure to reach the socket, so both are the same
    (stats still record keys sent to the CDN).
    """
    api_host = _REACHABLE.get(host, host)
    cdn_host = _OTHER_NAME.get(api_host, api_host)
    return _origin(api_host, port), _origin(cdn_host, port)


def _origin(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _announce(sandbox: Sandbox, key: str | None) -> None:
    """The address, and a command that works exactly as printed: the tool wants a key even
    for the sandbox, which takes any non-empty one (or the one --key names)."""
    url = sandbox.base_url
    print(f"Pixazo sandbox listening on {url}", file=sys.stderr, flush=True)
    print(f"Images are placeholders (served from {sandbox.cdn_base_url}). Try it from another "
          "terminal:", file=sys.stderr)
    print(f"  PIXAZO_BASE_URL={url} PIXAZO_API_KEY={shlex.quote(key or 'sandbox')} "
          'pixazo sdxl "a lighthouse at dusk"', file=sys.stderr, flush=True)
