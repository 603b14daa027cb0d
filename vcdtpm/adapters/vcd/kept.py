"""Answers kept for a while: provider facts that change rarely, and a session's reads of slow-changing objects."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Kept:
    """Answers by key for `ttl` seconds (at most `capacity` of them, the oldest dropped first).

    Errors are never kept: a read that raises is tried again next time. A `ttl` of 0 keeps nothing.
    """

    def __init__(self, ttl: float, capacity: int = 1024, clock: Callable[[], float] = time.monotonic):
        self._ttl, self._capacity, self._clock = ttl, capacity, clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, key: Hashable, read: Callable[[], T]) -> T:
        """The kept answer for `key`, or `read()`'s, kept from now on."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > self._clock():
                return entry[1]
        value = read()
        if self._ttl > 0:
            with self._lock:
                self._entries[key] = (self._clock() + self._ttl, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self._capacity:
                    self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
