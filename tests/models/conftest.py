"""What the model-file tests share: a sandbox of their own (no rate limit) as the gateway."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pixazo_cli.sandbox import Sandbox, SandboxOptions, start


@pytest.fixture
def sandbox(key: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with start(SandboxOptions(port=0, latency=0, quiet=True, rate_limit=0,
                              announce=False)) as running:
        monkeypatch.setenv("PIXAZO_BASE_URL", running.base_url)
        yield running
