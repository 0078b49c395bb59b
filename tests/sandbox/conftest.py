"""Fixtures for the sandbox tests: sandboxes on free ports, with no latency and a fake clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pixazo_cli.sandbox import Sandbox, SandboxOptions, start


class SandboxClock:
    """The sandbox's clock, moved only by the test (the CLI's is tests/conftest.FakeClock)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock() -> SandboxClock:
    # Also overrides the CLI tests' autouse `clock`, which patches modules the sandbox never uses.
    return SandboxClock()


@pytest.fixture
def make_sandbox(clock: SandboxClock) -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes with test defaults (port 0, latency 0, quiet); all closed afterwards."""
    started: list[Sandbox] = []

    def make(**overrides: Any) -> Sandbox:
        settings: dict[str, Any] = {"port": 0, "latency": 0, "quiet": True, **overrides}
        sandbox = start(SandboxOptions(**settings), clock=clock)
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.close()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox()
