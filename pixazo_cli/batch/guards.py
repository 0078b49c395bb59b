"""Spending guards: --max-requests and --max-cost stop a batch before it sends the paid request
that would pass the limit. Counted per run: what ran is in the manifest, and the next run
continues from there under its own limits."""

from __future__ import annotations

import threading
from decimal import Decimal

from pixazo_cli.errors import BalanceError
from pixazo_cli.models.request import ApiRequest


class SpendingLimit(BalanceError):
    """A limit the user set, not the gateway's balance; the same exit code (4): no more money
    may be spent in this run."""


def cents(dollars: float) -> int:
    return round(dollars * 100)


def request_cents(request: ApiRequest) -> int:
    """What one request costs where the vendor states a price; 0 where it does not."""
    price = request.model.price_per_image
    return 0 if price is None else cents(price) * request.expected_images


def exact_dollars(dollars: float) -> Decimal:
    """The amount as typed (0.59999 stays 0.59999, never rounded up to 0.60): a limit on money
    is compared exactly."""
    return Decimal(str(dollars))


def dollars_text(amount: Decimal) -> str:
    """$0.60, or every digit the user typed ($0.59999)."""
    return f"${amount:.2f}" if amount == amount.quantize(Decimal("0.01")) else f"${amount}"


class SpendingGuard:
    def __init__(self, max_requests: int | None = None, max_cost: float | None = None) -> None:
        self.max_requests = max_requests
        self.max_cost = None if max_cost is None else exact_dollars(max_cost)
        self.requests = 0
        self.spent = 0  # cents
        self._lock = threading.Lock()

    def admit(self, request: ApiRequest) -> None:
        """Count the request about to be sent, or raise SpendingLimit when it would pass a
        limit (nothing counted then). A request counts once admitted, even if it then fails:
        a guard on money errs on the side of stopping early."""
        price = request_cents(request)
        with self._lock:
            if self.max_requests is not None and self.requests + 1 > self.max_requests:
                raise SpendingLimit(f"Stopped at --max-requests {self.max_requests}: "
                                    f"{self.requests} paid request(s) sent.", hint=_HINT)
            if self.max_cost is not None and Decimal(self.spent + price) / 100 > self.max_cost:
                raise SpendingLimit(
                    f"Stopped at --max-cost {dollars_text(self.max_cost)}: "
                    f"${self.spent / 100:.2f} spent; the next request costs "
                    f"${price / 100:.2f}.", hint=_HINT)
            self.requests += 1
            self.spent += price


_HINT = "What ran is saved; run the same batch again to continue."
