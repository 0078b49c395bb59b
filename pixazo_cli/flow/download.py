"""Downloads: stream each result URL from the image host into a part file beside its target,
with retries, a size cap and the deadline, check it is a whole image, and embed its record."""

from __future__ import annotations

import copy
import errno
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from pixazo_cli.errors import SaveError
from pixazo_cli.flow.files import (
    CHUNK,
    TAIL,
    Fetched,
    create_part_file,
    file_digest,
    sniff,
    whole_image,
)
from pixazo_cli.http.clock import Clock, Deadline
from pixazo_cli.http.deadline_io import bind, deadline_for_this_thread
from pixazo_cli.http.decoding import ACCEPT_ENCODING, UndecodableBody, bounded_pieces
from pixazo_cli.http.failures import in_words
from pixazo_cli.http.hosts import NO_PROXY_FOR_LOCAL
from pixazo_cli.http.retry import Backoff, Retry, RetryPolicy, retrying
from pixazo_cli.version import user_agent

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Saved:
    path: Path
    url: str
    bytes: int
    sha256: str
    # -o -: the bytes went to stdout and `path` is a private copy, removed after: the
    # records say "-", the truth, instead of a path that is gone.
    to_stdout: bool = False


class _Retryable(Exception):
    """A failure another attempt may cure: network trouble, a 5xx, a short body."""


class Downloader:
    """Fetches result URLs from the CDN: a separate client that never carries the API key."""

    def __init__(self, deadline: Deadline, clock: Clock, max_bytes: int,
                 log: Callable[[str], None] | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.deadline = deadline
        self.clock = clock
        self.max_bytes = max_bytes
        self.policy = RetryPolicy(MAX_ATTEMPTS, Backoff())
        self._log = log
        self._http = bind(httpx.Client(follow_redirects=True, transport=transport,
                                       mounts=NO_PROXY_FOR_LOCAL,
                                       headers={"User-Agent": user_agent(),
                                                "Accept-Encoding": ACCEPT_ENCODING}))

    def close(self) -> None:
        self._http.close()

    def with_deadline(self, deadline: Deadline) -> Downloader:
        other = copy.copy(self)
        other.deadline = deadline
        return other

    def fetch(self, url: str, folder: Path, record: dict[str, Any] | None = None) -> Fetched:
        """Download into a part file; with a record, the part file carries it embedded."""
        fetched = self._fetch_with_retries(url, folder)
        return fetched if record is None else _stamp(fetched, record, folder)

    def _fetch_with_retries(self, url: str, folder: Path) -> Fetched:
        def attempt(_: int) -> Fetched:
            try:
                return self._fetch_once(url, folder)
            except _Retryable as exc:
                raise Retry(SaveError(f"Download failed: {exc}.")) from None

        return retrying(attempt, self.policy, self.deadline, self.clock)

    def _fetch_once(self, url: str, folder: Path) -> Fetched:
        tmp, fd = create_part_file(folder)
        try:
            try:
                with os.fdopen(fd, "wb") as out:
                    ext, size, digest = self._stream(url, out)
            except OSError as exc:  # also from the final flush, when the last bytes hit a full disk
                raise _write_error(exc) from None
            return Fetched(tmp, ext, size, digest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _stream(self, url: str, out: BinaryIO) -> tuple[str, int, str]:
        if self.deadline.expired():
            raise SaveError("Timed out before the download could start.", hint="Raise --timeout.")
        remaining = max(self.deadline.remaining(), 0.001)
        timeout = httpx.Timeout(min(60.0, remaining), connect=min(10.0, remaining))
        try:
            with deadline_for_this_thread(self.deadline), \
                    self._http.stream("GET", url, timeout=timeout) as response:
                if self._log:
                    self._log(f"GET {url} -> {response.status_code}")
                _check_status(response)
                return _write_body(response, out, self.max_bytes, self.deadline)
        except UndecodableBody as exc:
            raise SaveError(f"The image host sent {exc}; nothing was saved.") from None
        except httpx.TransportError as exc:  # the URL is in the hint: said once
            if self.deadline.expired():  # the host trickled past --timeout
                raise SaveError("Timed out while downloading the image; nothing was saved.",
                                hint="Raise --timeout.") from None
            raise _Retryable(in_words(exc, "the image host", "mid-download")) from None
        except httpx.HTTPError as exc:  # a redirect loop, an undecodable body: not retried
            raise SaveError(f"Download failed: {in_words(exc, 'the image host')}; nothing was "
                            "saved.") from None


def _stamp(fetched: Fetched, record: dict[str, Any], folder: Path) -> Fetched:
    """A second part file: the image with its generation record embedded (no re-encoding)."""
    from pixazo_cli import record as records

    tmp, fd = create_part_file(folder)
    from pixazo_cli.record.payload import RecordNotStorable

    try:
        with open(fetched.tmp, "rb") as src, os.fdopen(fd, "w+b") as dst:
            records.embed(src, dst, record, fetched.ext)
    except RecordNotStorable:
        tmp.unlink(missing_ok=True)  # a record too large to embed: keep the image as it came
        return fetched
    except ValueError as exc:  # the image itself is damaged: never saved as if whole
        tmp.unlink(missing_ok=True)
        fetched.tmp.unlink(missing_ok=True)
        raise SaveError(f"The downloaded image is damaged ({exc}); nothing was saved.") from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        fetched.tmp.unlink(missing_ok=True)
        raise _write_error(exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        fetched.tmp.unlink(missing_ok=True)
        raise
    fetched.tmp.unlink(missing_ok=True)
    size, digest = file_digest(tmp)
    return Fetched(tmp, fetched.ext, size, digest)


def _check_status(response: httpx.Response) -> None:
    code = response.status_code
    if code >= 500 or code == 429:
        raise _Retryable(f"the image host answered {code}")
    if code != 200:
        raise SaveError(f"Download failed: the image host answered {code} for {response.url}.",
                        hint="The image URL may have expired.")


def _write_body(response: httpx.Response, out: BinaryIO, max_bytes: int,
                deadline: Deadline) -> tuple[str, int, str]:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise _too_big(int(declared), max_bytes)
    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    # Decoded bytes are capped, so a gzip bomb stops at max_bytes; memory stays one chunk.
    for chunk in bounded_pieces(response, CHUNK):
        if len(head) < 12:
            head += chunk[:12 - len(head)]
            if len(head) >= 12 and sniff(head) is None:
                kind = response.headers.get("Content-Type", "unknown type")
                raise SaveError(f"The image host sent something that is not an image ({kind}).")
        size += len(chunk)
        if size > max_bytes:
            raise _too_big(size, max_bytes)
        if deadline.expired():  # a host trickling bytes must not outlast --timeout
            raise SaveError("Timed out while downloading the image; nothing was saved.",
                            hint="Raise --timeout.")
        digest.update(chunk)
        tail = (tail + chunk)[-TAIL:]
        _write(out, chunk)
    ext = sniff(head)
    if not head:
        raise _Retryable("the image host sent an empty body")
    if ext is None:
        raise SaveError("The image host sent something that is not an image.")
    # Content-Length counts the bytes on the wire (gzip-encoded ones, when encoded).
    if declared and declared.isdigit() and response.num_bytes_downloaded != int(declared):
        raise _Retryable(f"got {response.num_bytes_downloaded} of {declared} bytes")
    if not whole_image(ext, head, tail, size):
        raise _Retryable(f"the {ext.upper()} ends early ({size} bytes)")
    return ext, size, digest.hexdigest()


def _write(out: BinaryIO, chunk: bytes) -> None:
    out.write(chunk)  # an OSError (full disk) is reported by _fetch_once, with the URL


def _write_error(exc: OSError) -> SaveError:
    """The way back to the paid image (its URL, a fetch command) is added by the ledger."""
    if exc.errno == errno.ENOSPC:
        return SaveError("The disk is full; the image was not saved.", hint="Free some space.")
    return SaveError(f"Cannot write the image: {exc.strerror or exc}.")


def _too_big(size: int, max_bytes: int) -> SaveError:
    cap = max_bytes // 1_000_000
    return SaveError(f"The image is larger than the {cap} MB cap ({size} bytes).",
                     hint="Raise it with `pixazo config set max_download_mb N`.")
