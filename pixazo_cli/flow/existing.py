"""Finding an image already saved, so fetching a generation again finds the file instead of
making a copy: first the files the history recorded, then any file in the folder with the
same bytes (a fetch from the history embeds the same record, so its bytes are the same)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pixazo_cli.flow.download import Saved
from pixazo_cli.flow.files import Fetched
from pixazo_cli.flow.naming import NameParts

if TYPE_CHECKING:
    from pixazo_cli.flow.generate import Outcome

CHUNK = 64 * 1024


def sha256_of(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def recorded_in_place(known: list[Saved], url: str, folder: Path) -> Saved | None:
    """A recorded file of this URL that is still in `folder`, unchanged."""
    for saved in known:
        if (saved.url == url and saved.path.parent.resolve() == folder.resolve()
                and sha256_of(saved.path) == saved.sha256):
            return saved
    return None


def same_bytes(fetched: Fetched, folder: Path) -> Path | None:
    """A file in `folder` with exactly the fetched bytes (same size first: hashing is rare)."""
    try:
        candidates = [p for p in folder.iterdir() if p.suffix == f".{fetched.ext}"
                      and p != fetched.tmp and p.is_file()
                      and p.stat().st_size == fetched.size]
    except OSError:
        return None
    return next((p for p in sorted(candidates) if sha256_of(p) == fetched.sha256), None)


def collected_parts(outcome: Outcome) -> NameParts:
    """Names for a generation collected later: from its prompt and send time where known."""
    started = outcome.created.astimezone() if outcome.created else datetime.now()
    if outcome.request is None:
        return NameParts(outcome.model, outcome.request_id or "", None, started)
    return NameParts(outcome.model, outcome.request.prompt, outcome.request.seed, started)
