"""The account balance, counted in images the sandbox will still make."""

from __future__ import annotations

import threading


class Wallet:
    def __init__(self, balance: int | None) -> None:
        self._initial = balance
        self._left = balance
        self._lock = threading.Lock()

    @property
    def left(self) -> int | None:
        """Images still affordable; None means unlimited."""
        with self._lock:
            return self._left

    def try_charge(self, images: int) -> bool:
        """Take payment for `images` up front, or refuse without taking anything."""
        with self._lock:
            if self._left is None:
                return True
            if images > self._left:
                return False
            self._left -= images
            return True

    def refund(self, images: int) -> None:
        with self._lock:
            if self._left is not None:
                self._left += images

    def reset(self) -> None:
        with self._lock:
            self._left = self._initial
