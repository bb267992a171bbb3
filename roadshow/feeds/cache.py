"""Rendered feeds, kept by key so that a programme version is rendered once, not once per poll.

The interface is two methods (``get``, ``put``) on ``CachedFeed`` values; today's implementation is a
small in-process LRU (per worker), a shared one (Redis, when ``REDIS_URL`` is set) can take its place
behind the same interface. Keys carry everything the body depends on (event, programme version,
language, whether the event is over; for personal feeds the user and a fingerprint of what they see),
so an entry never needs invalidating: a change makes a new key and the old entry ages out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import Flask

DEFAULT_MAX_ENTRIES = 256
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_EXTENSION_KEY = "roadshow.feed_cache"


@dataclass(frozen=True, slots=True)
class CachedFeed:
    """A rendered calendar: its UTF-8 bytes and the Last-Modified it was served with."""

    body: bytes
    last_modified: datetime


class FeedCache(Protocol):
    """Where rendered feeds are kept."""

    def get(self, key: str) -> CachedFeed | None:
        """The feed stored under *key*, or None."""

    def put(self, key: str, feed: CachedFeed) -> None:
        """Store *feed* under *key* (an existing entry is replaced)."""


class LocalFeedCache:
    """A thread-safe LRU of rendered feeds, bounded by entry count and total bytes."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        """Keep at most *max_entries* feeds of at most *max_bytes* bytes together."""
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, CachedFeed] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedFeed | None:
        """The feed under *key* (marked as recently used), or None."""
        with self._lock:
            feed = self._entries.get(key)
            if feed is not None:
                self._entries.move_to_end(key)
            return feed

    def put(self, key: str, feed: CachedFeed) -> None:
        """Store *feed*; evict the least recently used entries beyond the limits."""
        if len(feed.body) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = feed
            self._bytes += len(feed.body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def __len__(self) -> int:
        """How many feeds are kept."""
        return len(self._entries)

    def clear(self) -> None:
        """Forget every feed."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0


def feed_cache(app: Flask) -> FeedCache:
    """*app*'s feed cache, created on first use (``FEED_CACHE_ENTRIES``, ``FEED_CACHE_MAX_BYTES``)."""
    cache = app.extensions.get(_EXTENSION_KEY)
    if cache is None:
        cache = app.extensions.setdefault(
            _EXTENSION_KEY,
            LocalFeedCache(
                int(app.config.get("FEED_CACHE_ENTRIES", DEFAULT_MAX_ENTRIES)),
                int(app.config.get("FEED_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES)),
            ),
        )
    return cache
