"""Rendered feeds, kept by key so that a programme version is rendered once, not once per poll.

The interface is two methods (``get``, ``put``) on ``CachedFeed`` values; today's implementation is a
small in-process LRU (per worker), a shared one (Redis, when ``REDIS_URL`` is set) can take its place
behind the same interface. Keys carry everything the body depends on (event, programme version,
language, whether the event is over; for personal feeds the user and a fingerprint of what they see),
so an entry never needs invalidating: a change makes a new key and the old entry ages out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import Flask

from roadshow.lru import BoundedLRU

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


class LocalFeedCache(BoundedLRU[CachedFeed]):
    """A thread-safe LRU of rendered feeds, bounded by entry count and total body bytes."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        """Keep at most *max_entries* feeds of at most *max_bytes* bytes together."""
        super().__init__(max_entries, max_bytes, size=lambda feed: len(feed.body))


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
