"""The local history: every paid request written ahead of its POST and completed after, in a
SQLite file in the user's data folder (db.py: the file and its schema; store.py: writing;
queries.py: reading). Loaded only by the commands that use it, never at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
            warn(f"History not recorded: cannot open {path}: {exc}.")
        return None


class NoRecord(FlowEvents):
    """The recorder when the history is off: every hook does nothing."""

    def follow(self, row: object) -> None:
        pass

    def follow_request(self, request: object, request_id: object, urls: object) -> None:
        pass

    def discard(self, request: object) -> None:
        pass
