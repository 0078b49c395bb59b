"""A daemon thread that runs one piece of work periodically, or sooner when poked."""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable


class Ticker:
    def __init__(self, work: Callable[[], None], interval: float, name: str) -> None:
        self._work = work
        self._interval = interval
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stopped.is_set():
            # Cleared before working, so a poke that arrives mid-work is not lost.
            self._wake.clear()
            try:
                self._work()
            except Exception:
                # One bad tick must not stop every later job from finishing.
                traceback.print_exc(file=sys.stderr)
            self._wake.wait(self._interval)
