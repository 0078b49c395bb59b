"""An image that came in the gateway's reply itself (a Stream endpoint may send one): written to
a part file and checked exactly like a download, so it is whole before it gets a name."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from pixazo_cli.errors import SaveError
from pixazo_cli.flow.download import _stamp, _write_error
from pixazo_cli.flow.files import TAIL, Fetched, create_part_file, sniff, whole_image


def keep_image(body: bytes, folder: Path, record: dict[str, Any] | None) -> Fetched:
    ext = sniff(body[:12])
    if ext is None or not whole_image(ext, body[:12], body[-TAIL:], len(body)):
        what = "not an image" if ext is None else f"a {ext.upper()} that ends early"
        raise SaveError(f"The gateway's reply was {what} ({len(body)} bytes); nothing was "
                        "saved.", hint="It was paid for: check your Pixazo dashboard.")
    tmp, fd = create_part_file(folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(body)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _write_error(exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fetched = Fetched(tmp, ext, len(body), hashlib.sha256(body).hexdigest())
    return fetched if record is None else _stamp(fetched, record, folder)
