"""What the history tests share: the module's sandbox, fresh per test, and the rows stored."""

from __future__ import annotations

import pytest

from pixazo_cli.history.db import default_path
from pixazo_cli.history.queries import Filter, latest
from pixazo_cli.history.store import History, Row
from pixazo_cli.sandbox import Sandbox
from tests.conftest import as_gateway


@pytest.fixture
def sandbox(sandbox: Sandbox, key: str, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Here every test talks to the sandbox: the module's one, fresh, as the gateway."""
    return as_gateway(sandbox, monkeypatch)


def rows() -> list[Row]:
    """Every row in the test's history file, newest first."""
    history = History(default_path())
    try:
        return latest(history, Filter(limit=None))
    finally:
        history.close()
