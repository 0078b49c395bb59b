"""The sandbox's CDN bucket: made images kept in memory, oldest dropped first."""

from __future__ import annotations

import threading
from collections import OrderedDict

from .media import MadeImage

DEFAULT_CAPACITY = 256


class ImageStore:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._images: OrderedDict[str, MadeImage] = OrderedDict()

    def put(self, path: str, image: MadeImage) -> None:
        with self._lock:
            self._images[path] = image
            self._images.move_to_end(path)
            while len(self._images) > self._capacity:
                self._images.popitem(last=False)

    def get(self, path: str) -> MadeImage | None:
        with self._lock:
            return self._images.get(path)

    def clear(self) -> None:
        with self._lock:
            self._images.clear()
