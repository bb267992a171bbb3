"""Shared services for several web processes: one Redis client per app, and a Redis-backed feed cache.

With ``REDIS_URL`` set, rendered calendar feeds are kept in Redis, so a programme version is rendered
once for every worker and host rather than once per process. The cache implements the interface of
``roadshow.feeds.cache`` (``get``/``put`` of ``CachedFeed``) and keeps a small in-process LRU in
front: feed keys name everything a body depends on and are never reused for another body, so a
local copy can never be stale. Redis being down costs a render, never an error page.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

import redis
from flask import Flask

from roadshow.feeds import cache as feed_cache_module
from roadshow.feeds.cache import CachedFeed, LocalFeedCache

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "roadshow:feed:"
DEFAULT_TTL = 24 * 3600
DEFAULT_LOCAL_ENTRIES = 64
DEFAULT_LOCAL_BYTES = 16 * 1024 * 1024
_CLIENT_KEY = "roadshow.redis"
# Short timeouts: a cache that answers slowly is worse than no cache.
SOCKET_TIMEOUT = 0.5


class RedisFeedCache:
    """Rendered feeds in Redis (``SET key value EX ttl``), with an in-process LRU in front."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        ttl: int = DEFAULT_TTL,
        local: LocalFeedCache | None = None,
    ) -> None:
        """Keep feeds under *prefix* in *client* for *ttl* seconds; *local* is the front LRU (or none)."""
        self.client = client
        self.prefix = prefix
        self.ttl = ttl
        self.local = local

    def get(self, key: str) -> CachedFeed | None:
        """The feed under *key*: from the local LRU, else from Redis (then kept locally), else None."""
        if self.local is not None:
            feed = self.local.get(key)
            if feed is not None:
                return feed
        try:
            raw = self.client.get(self.prefix + key)
        except redis.RedisError as error:
            log.warning("feed cache: Redis read failed (%s); rendering instead", type(error).__name__)
            return None
        if raw is None:
            return None
        feed = decode_feed(raw)
        if feed is not None and self.local is not None:
            self.local.put(key, feed)
        return feed

    def put(self, key: str, feed: CachedFeed) -> None:
        """Store *feed* under *key* locally and in Redis (a failed write is logged, not raised)."""
        if self.local is not None:
            self.local.put(key, feed)
        try:
            self.client.set(self.prefix + key, encode_feed(feed), ex=self.ttl)
        except redis.RedisError as error:
            log.warning("feed cache: Redis write failed (%s)", type(error).__name__)

    def clear(self) -> None:
        """Forget every feed under this cache's prefix, locally and in Redis."""
        if self.local is not None:
            self.local.clear()
        batch = []
        for name in self.client.scan_iter(match=self.prefix + "*", count=500):
            batch.append(name)
            if len(batch) >= 500:
                self.client.delete(*batch)
                batch.clear()
        if batch:
            self.client.delete(*batch)


def encode_feed(feed: CachedFeed) -> bytes:
    """*feed* as bytes: its Last-Modified (ISO 8601) on the first line, then the body."""
    return feed.last_modified.isoformat().encode("ascii") + b"\n" + feed.body


def decode_feed(raw: bytes) -> CachedFeed | None:
    """The feed encoded by ``encode_feed``, or None when *raw* is not one."""
    stamp, newline, body = raw.partition(b"\n")
    if not newline:
        return None
    try:
        last_modified = datetime.fromisoformat(stamp.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None
    return CachedFeed(body, last_modified)


def redis_client(app: Flask) -> redis.Redis | None:
    """*app*'s Redis client (created on first use, with short timeouts), or None without REDIS_URL."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    client = app.extensions.get(_CLIENT_KEY)
    if client is None:
        client = app.extensions.setdefault(
            _CLIENT_KEY,
            redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT),
        )
    return client


def feed_cache_prefix(app: Flask) -> str:
    """The Redis key prefix of *app*'s feeds: ``FEED_CACHE_PREFIX`` plus a digest of the database URL.

    Feed keys hold row ids and versions, which mean nothing outside their database: two deployments
    (or a staging copy) sharing one Redis must never serve each other's feeds.
    """
    database = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    digest = hashlib.sha256(database.encode("utf-8")).hexdigest()[:12]
    return f"{app.config.get('FEED_CACHE_PREFIX', DEFAULT_PREFIX)}{digest}:"


def init_app(app: Flask) -> None:
    """Keep rendered feeds in Redis when REDIS_URL is set.

    ``FEED_CACHE_BACKEND`` chooses: ``redis`` or ``local`` (each process its own LRU); unset, Redis
    is used when REDIS_URL is set, except under tests (their databases reuse ids between tests).
    """
    client = redis_client(app)
    backend = app.config.get("FEED_CACHE_BACKEND") or ("local" if app.testing else "redis")
    if client is None or backend != "redis":
        return
    local = LocalFeedCache(
        int(app.config.get("FEED_CACHE_LOCAL_ENTRIES", DEFAULT_LOCAL_ENTRIES)),
        int(app.config.get("FEED_CACHE_LOCAL_BYTES", DEFAULT_LOCAL_BYTES)),
    )
    # roadshow.feeds.cache.feed_cache(app) returns what is installed under this key.
    app.extensions[feed_cache_module._EXTENSION_KEY] = RedisFeedCache(
        client,
        prefix=feed_cache_prefix(app),
        ttl=int(app.config.get("FEED_CACHE_TTL", DEFAULT_TTL)),
        local=local,
    )
