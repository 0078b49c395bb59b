"""The one reach into httpcore's internals (pixazo_cli/http/deadline_io.py) still takes: the
gateway's and the downloader's connection pools read no later than the command's deadline.
(What it is for is shown end to end in tests/test_hostile_gateway.py: trickled heads.)"""

from __future__ import annotations

import httpcore
import pytest

from pixazo_cli.flow.download import Downloader
from pixazo_cli.http.client import Gateway
from pixazo_cli.http.clock import Deadline
from pixazo_cli.http.deadline_io import _clamp, bound, deadline_for_this_thread

from .conftest import KEY, FakeClock


def test_the_gateway_and_the_downloader_pools_are_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")  # a mounted proxy pool too
    clock = FakeClock()
    gateway = Gateway("https://gateway.example", KEY, Deadline(clock, 5), clock)
    downloader = Downloader(Deadline(clock, 5), clock, 1_000_000)
    try:
        assert bound(gateway._http) and bound(downloader._http)
    finally:
        gateway.close()
        downloader.close()


def test_a_read_gets_at_most_the_time_left_and_none_once_it_has_passed() -> None:
    clock = FakeClock()
    deadline = Deadline(clock, 5)
    assert _clamp(60.0, httpcore.ReadTimeout) == 60.0  # no deadline on this thread: untouched
    with deadline_for_this_thread(deadline):
        assert _clamp(60.0, httpcore.ReadTimeout) == 5
        assert _clamp(None, httpcore.ReadTimeout) == 5
        clock.sleep(4.99)
        assert _clamp(60.0, httpcore.ReadTimeout) == 0.05  # a floor for the last read
        clock.sleep(0.01)
        with pytest.raises(httpcore.ReadTimeout):
            _clamp(60.0, httpcore.ReadTimeout)
    assert _clamp(60.0, httpcore.ReadTimeout) == 60.0
