"""Fixtures for the sandbox tests: sandboxes on free ports, with no latency and a fake clock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pixazo_cli.sandbox import Sandbox, SandboxOptions, start
from pixazo_cli.sandbox.stats import Stats


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


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Callable[..., threading.Event]:
    """counted(name, value=1): an Event set once a sandbox counter reaches `value`, so a test
    waits for the sandbox's background work (a job drawn, a webhook tried) without polling."""
    watches: list[tuple[str, int, threading.Event]] = []
    original = Stats.count

    def count(self: Stats, name: str, amount: int = 1) -> None:
        original(self, name, amount)
        reached = self.snapshot()[name]
        for watched, value, event in watches:
            if watched == name and reached >= value:
                event.set()

    def watch(name: str, value: int = 1) -> threading.Event:
        event = threading.Event()
        watches.append((name, value, event))
        return event

    monkeypatch.setattr(Stats, "count", count)
    return watch
