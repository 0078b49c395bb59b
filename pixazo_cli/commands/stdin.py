"""Text piped in on stdin (a prompt, a batch file), read as UTF-8 whatever the locale says."""

from __future__ import annotations

import sys

from pixazo_cli.errors import UsageError

MAX_PROMPT_BYTES = 1 << 20  # a prompt is a paragraph; a megabyte of one is a wrong pipe
MAX_BATCH_STDIN_BYTES = 256 << 20  # held whole in memory; a larger batch is a file (streamed)


def read_stdin_text(what: str, max_bytes: int) -> str:
    """Bytes that are not UTF-8 are refused with a plain message: decoded leniently (the C
    locale's surrogateescape) they would only fail later, after the request was built. More
    than `max_bytes` is refused before it is all in memory (`head -c 3G /dev/zero | …`)."""
    stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else sys.stdin
    data = stream.read(max_bytes + 1)
    if isinstance(data, str):  # a text-only stream (tests): still no lone surrogates
        data = data.encode("utf-8", "surrogateescape")
    if len(data) > max_bytes:
        raise UsageError(f"Stdin holds more than {max_bytes >> 20} MB; too much for {what}.",
                         hint="Is the right thing piped in?")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"Stdin is not UTF-8 text (byte {exc.start + 1}); cannot read {what}.",
                         hint="Convert it first, e.g. iconv -f latin1 -t utf-8.") from None
