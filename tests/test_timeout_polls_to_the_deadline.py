"""--timeout N lets a queued job run for N seconds: the last poll goes out at the deadline
instead of giving up when the next regular poll would land past it."""

from __future__ import annotations

from typing import Any

import pytest

from pixazo_cli.errors import GatewayError
from pixazo_cli.flow.waiting import FINAL_POLL_MARGIN, wait_for_job
from pixazo_cli.http.clock import Deadline
from tests.conftest import FakeClock


class PendingGateway:
    """A gateway whose job stays QUEUED until `done_at`, logging when it is polled."""

    def __init__(self, clock: FakeClock, seconds: float, done_at: float = float("inf")) -> None:
        self.clock = clock
        self.deadline = Deadline(clock, seconds)
        self.done_at = clock.now() + done_at
        self.polled_at: list[float] = []

    def status(self, request_id: str) -> Any:
        from pixazo_cli.http.replies import Reply

        self.polled_at.append(self.clock.now() - self.deadline.started)
        if self.clock.now() >= self.done_at:
            return Reply(200, {"status": "COMPLETED", "output": {"media_url": ["https://x/a"]}})
        return Reply(200, {"status": "QUEUED"})


def test_the_last_poll_lands_at_the_deadline() -> None:
    gateway = PendingGateway(FakeClock(), seconds=10)
    with pytest.raises(GatewayError) as raised:
        wait_for_job(gateway, "req-1", lambda status: None)  # type: ignore[arg-type]
    assert gateway.polled_at[-1] == pytest.approx(10 - FINAL_POLL_MARGIN)
    assert "Timed out after 10 s" in raised.value.message


def test_a_job_finishing_just_before_the_deadline_is_saved() -> None:
    # The regular schedule would next poll at ~11.8 s, past the 10 s limit; the job is done at
    # 9.4 s, so the final poll at the deadline finds it.
    gateway = PendingGateway(FakeClock(), seconds=10, done_at=9.4)
    reply = wait_for_job(gateway, "req-1", lambda status: None)  # type: ignore[arg-type]
    assert reply.get("status") == "COMPLETED"
