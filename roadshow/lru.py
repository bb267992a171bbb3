"""A bounded, thread-safe LRU for rendered output (feeds, pages), limited by entries and bytes.

Roadshow's caches never invalidate: their keys name every version a value depends on, so a change
makes a new key and the old entry simply ages out of here.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class BoundedLRU(Generic[V]):
    """Keeps the most recently used values within *max_entries* entries and *max_bytes* bytes."""

    def __init__(self, max_entries: int, max_bytes: int, size: Callable[[V], int] = sys.getsizeof) -> None:
        """Keep at most *max_entries* values whose *size* adds up to at most *max_bytes*."""
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._size = size
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The value under *key* (marked as recently used), or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        """Store *value* under *key*; evict the least recently used entries beyond the limits."""
        size = self._size(value)
        if size > self.max_bytes or self.max_entries < 1:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= self._size(old)
            self._entries[key] = value
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= self._size(evicted)

    def __len__(self) -> int:
        """How many values are kept."""
        return len(self._entries)

    @property
    def size(self) -> int:
        """The bytes the kept values take, as *size* counts them."""
        return self._bytes

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
