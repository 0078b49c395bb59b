"""What the history tests share: a sandbox of their own (no rate limit) and the rows as stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pixazo_cli.history.db import default_path
from pixazo_cli.history.queries import Filter, latest
from pixazo_cli.history.store import History, Row
from pixazo_cli.sandbox import Sandbox, SandboxOptions, start


@pytest.fixture
def sandbox(key: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with start(SandboxOptions(port=0, latency=0, quiet=True, rate_limit=0,
                              announce=False)) as running:
        monkeypatch.setenv("PIXAZO_BASE_URL", running.base_url)
        yield running


def rows() -> list[Row]:
    """Every row in the test's history file, newest first."""
    history = History(default_path())
    try:
        return latest(history, Filter(limit=None))
    finally:
        history.close()
