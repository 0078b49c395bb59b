"""The local history: every paid request written ahead of its POST and completed after, in a
SQLite file in the user's data folder (db.py: the file and its schema; store.py: writing;
queries.py: reading). Loaded only by the commands that use it, never at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pixazo_cli.errors import UsageError
from pixazo_cli.flow.events import FlowEvents

if TYPE_CHECKING:
    from pixazo_cli.history.store import History


def open_history(api_key: str | None, warn: object) -> History | None:
    """The history, or None (with one warning) when its file cannot be opened: a broken
    history must never stop an image from being made."""
    import sqlite3

    from pixazo_cli.history.db import default_path
    from pixazo_cli.history.store import History

    path = default_path()
    try:
        return History(path, secret=api_key)
    except (OSError, sqlite3.Error) as exc:
        if callable(warn):
            warn(f"Warning: the history is not recorded ({path}: {exc}); the image is made "
                 "all the same.")
        return None


class HistoryUnavailable(UsageError):
    """The history file cannot be read (damaged, from a newer pixazo, unreadable): said
    plainly, with what to do, never as a traceback."""


@contextmanager
def readable(path: Path) -> Iterator[None]:
    """Reading the history: SQLite's and the OS's failures become HistoryUnavailable."""
    import sqlite3

    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise HistoryUnavailable(
            f"Cannot read the history {path}: {exc}.",
            hint=f"Move it aside (mv {path} {path}.broken): a new one is started with the "
            "next image, and nothing else depends on it.") from None


class NoRecord(FlowEvents):
    """The recorder when the history is off: every hook does nothing."""

    def follow(self, row: object, outcome: object) -> None:
        pass
