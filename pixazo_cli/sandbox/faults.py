"""Fault specs: parse them, and hand them out to the requests they apply to.

Grammar (no spaces):  WHERE:WHAT[=VALUE][*N]
  WHERE  submit | status | download | job
  VALUE  a non-negative number, only for `slow` (seconds, default 3) and `huge` (megabytes,
         required)
  N      a positive integer: only the first N matching requests get the fault, then normal
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

_HTTP_FAILURES = {"500", "502", "503", "504", "429", "html", "bad-json", "missing-field"}
_SUBMIT = _HTTP_FAILURES | {"empty-url", "drop", "slow"}
ALLOWED: dict[str, frozenset[str]] = {
    "submit": frozenset(_SUBMIT),
    "status": frozenset(_SUBMIT | {"unknown-status"}),
    "job": frozenset({"failed", "error", "never"}),
    "download": frozenset({"truncated", "html", "wrong-type", "404", "500", "slow", "huge"}),
}
DEFAULT_SLOW_SECONDS = 3.0

_SPEC = re.compile(
    r"^(?P<where>[a-z]+):(?P<what>[a-z0-9-]+)"
    r"(?:=(?P<value>\d+(?:\.\d+)?|\.\d+))?"
    r"(?:\*(?P<count>\d+))?$"
)


@dataclass
class Fault:
    where: str
    what: str
    value: float | None  # seconds for `slow`, megabytes for `huge`
    remaining: int | None  # None: applies to every matching request
    spec: str


def parse_fault(spec: str) -> Fault:
    """Parse one spec; raise ValueError with a human-readable reason."""
    match = _SPEC.match(spec.strip())
    if match is None:
        raise ValueError(f"bad fault spec {spec!r}: expected WHERE:WHAT[=VALUE][*N]")
    where, what = match["where"], match["what"]
    if where not in ALLOWED:
        raise ValueError(f"bad fault spec {spec!r}: WHERE must be one of {', '.join(ALLOWED)}")
    if what not in ALLOWED[where]:
        choices = ", ".join(sorted(ALLOWED[where]))
        raise ValueError(f"bad fault spec {spec!r}: {where} faults are {choices}")
    count = int(match["count"]) if match["count"] else None
    if count == 0:
        raise ValueError(f"bad fault spec {spec!r}: *N needs N >= 1")
    return Fault(where, what, _value(spec, what, match["value"]), count, spec.strip())


def _value(spec: str, what: str, text: str | None) -> float | None:
    if what == "slow":
        return DEFAULT_SLOW_SECONDS if text is None else float(text)
    if what == "huge":
        if text is None or float(text) <= 0:
            raise ValueError(f"bad fault spec {spec!r}: huge needs a size, e.g. download:huge=50")
        return float(text)
    if text is not None:
        raise ValueError(f"bad fault spec {spec!r}: only slow and huge take =VALUE")
    return None


class FaultBoard:
    """The active faults, consulted by every request; safe to use from many threads."""

    def __init__(self, specs: list[str] | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.replace(specs or [])

    def replace(self, specs: list[str]) -> None:
        """Swap in a new list; nothing changes if any spec is bad."""
        parsed = [parse_fault(spec) for spec in specs]
        with self._lock:
            self._faults = parsed

    def take(self, where: str) -> Fault | None:
        """The first live fault for this kind of request, using up one of its N."""
        with self._lock:
            for fault in self._faults:
                if fault.where != where or fault.remaining == 0:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault
        return None

    def active(self) -> list[str]:
        with self._lock:
            return [fault.spec for fault in self._faults if fault.remaining != 0]
