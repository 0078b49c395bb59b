"""Text piped in on stdin (a prompt, a batch file), read as UTF-8 whatever the locale says."""

from __future__ import annotations

import sys

from pixazo_cli.errors import UsageError


def read_stdin_text(what: str) -> str:
    """Bytes that are not UTF-8 are refused with a plain message: decoded leniently (the C
    locale's surrogateescape) they would only fail later, after the request was built."""
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, str):  # a text-only stream (tests): still no lone surrogates
        data = data.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"Stdin is not UTF-8 text (byte {exc.start + 1}); cannot read {what}.",
                         hint="Convert it first, e.g. iconv -f latin1 -t utf-8.") from None
