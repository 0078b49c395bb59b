"""--timeout down to the socket: every read and write of a bound client ends by the calling
thread's deadline, so a server that trickles the status line and headers a byte at a time
cannot outlast it (httpx's read timeout applies to each read alone, and the reply's head is
read before any of our code sees a byte; the body is bounded where it is read).

The one adapter to httpcore's internals: httpx exposes no way to pass a network backend, so
`bind` swaps it on the client's connection pools (tests/test_deadline_io.py checks it still
takes). Everything else here is httpcore's public NetworkBackend / NetworkStream API.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from pixazo_cli.http.clock import Deadline

_local = threading.local()
MIN_READ_SECONDS = 0.05


@contextmanager
def deadline_for_this_thread(deadline: Deadline) -> Iterator[None]:
    """Bound this thread's I/O on bound clients by `deadline` (threads: a batch's jobs)."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = deadline
    try:
        yield
    finally:
        _local.deadline = previous


def bind(client: httpx.Client) -> httpx.Client:
    """Put the deadline under every connection pool of the client (its default transport and
    its mounts: proxies from the environment)."""
    for transport in (getattr(client, "_transport", None),
                      *getattr(client, "_mounts", {}).values()):
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is not None and not isinstance(backend, DeadlineBackend):
            pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]
    return client


def bound(client: httpx.Client) -> bool:
    """True when every pool of the client is bound (what the adapter test checks)."""
    pools = [getattr(t, "_pool", None) for t in (getattr(client, "_transport", None),
                                                  *getattr(client, "_mounts", {}).values())]
    return all(isinstance(getattr(p, "_network_backend", None), DeadlineBackend)
               for p in pools if p is not None) and any(p is not None for p in pools)


def _clamp(timeout: float | None, error: type[Exception]) -> float | None:
    deadline: Deadline | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline.remaining()
    if left <= 0:
        raise error("the command's time limit passed")
    # A floor, so that the last attempt before the deadline is not lost to scheduling noise;
    # a trickling server still stops there, since every read checks the deadline again.
    return max(MIN_READ_SECONDS, left if timeout is None else min(timeout, left))


class DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(
            host, port, _clamp(timeout, httpcore.ConnectTimeout), local_address,
            socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(
            path, _clamp(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(
            ssl_context, server_hostname, _clamp(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)
