"""Spending guards: --max-requests and --max-cost stop a batch before the paid request that
would pass the limit; what ran is saved, and running the batch again continues."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixazo_cli.batch.guards import SpendingGuard, SpendingLimit
from pixazo_cli.batch.jobfile import read_jobs
from pixazo_cli.sandbox import Sandbox
from tests.batch_ci_support import (  # noqa: F401
    gateway,
    latest,
    line,
    sdxl_lines,
    write,
)
from tests.conftest import run


def requests(text: str) -> list:
    return [job.request for job in read_jobs(text, None, {})[0]]


def test_max_requests_admits_exactly_n() -> None:
    guard = SpendingGuard(max_requests=2)
    first, second, third = requests(sdxl_lines(3))
    guard.admit(first)
    guard.admit(second)
    with pytest.raises(SpendingLimit) as refused:
        guard.admit(third)
    assert refused.value.exit_code == 4 and "--max-requests 2" in refused.value.message


def test_max_cost_stops_before_the_request_that_would_pass_it() -> None:
    guard = SpendingGuard(max_cost=0.5)
    boats = requests(line("sd35", "a") + line("sd35", "b") + line("sd35", "c"))
    guard.admit(boats[0])
    guard.admit(boats[1])  # $0.40
    with pytest.raises(SpendingLimit, match=r"\$0\.40 spent; the next request costs \$0\.20"):
        guard.admit(boats[2])


def test_max_cost_counts_only_models_with_a_stated_price() -> None:
    guard = SpendingGuard(max_cost=0)
    for request in requests(sdxl_lines(5) + line("nucleus", "x")):
        guard.admit(request)
    assert guard.requests == 6 and guard.spent == 0


def test_a_batch_stops_at_max_requests_and_a_rerun_continues(gateway: Sandbox,  # noqa: F811
                                                            isolated: Path) -> None:
    name = write(isolated, sdxl_lines(5))
    stopped = run("batch", name, "-d", "out", "--max-requests", "2")
    assert stopped.exit_code == 4, stopped.stderr
    assert "Stopped at --max-requests 2" in stopped.stderr and "3 not run" in stopped.stderr
    assert gateway.stats()["posts_received"] == 2
    assert len(stopped.stdout.splitlines()) == 2  # what ran is saved
    again = run("batch", name, "-d", "out")
    assert again.exit_code == 0, again.stderr
    assert gateway.stats()["posts_received"] == 5  # the two saved ones are not paid twice
    assert "2 already saved" in again.stderr
    assert all(entry["status"] == "saved" for entry in latest(isolated / "out").values())


def test_a_batch_stops_at_max_cost_and_a_rerun_continues(gateway: Sandbox,  # noqa: F811
                                                        isolated: Path) -> None:
    name = write(isolated, "".join(line("sd35", f"boat {n}") for n in range(5)))
    stopped = run("batch", name, "-d", "out", "--max-cost", "0.50", "-j", "1")
    assert stopped.exit_code == 4, stopped.stderr
    assert gateway.stats()["posts_received"] == 2  # $0.40; a third would make $0.60
    again = run("batch", name, "-d", "out", "--max-cost", "0.60")
    assert again.exit_code == 0, again.stderr
    assert gateway.stats()["posts_received"] == 5


def test_max_requests_zero_sends_nothing(gateway: Sandbox, isolated: Path) -> None:  # noqa: F811
    result = run("batch", write(isolated, sdxl_lines(2)), "-d", "out", "--max-requests", "0")
    assert result.exit_code == 4
    assert gateway.stats()["posts_received"] == 0
