"""What the model-file tests share: the module's sandbox, fresh for each test, as the gateway."""

from __future__ import annotations

import pytest

from pixazo_cli.sandbox import Sandbox
from tests.conftest import as_gateway


@pytest.fixture
def sandbox(sandbox: Sandbox, key: str, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Here every test talks to the sandbox: the module's one, fresh, as the gateway."""
    return as_gateway(sandbox, monkeypatch)
