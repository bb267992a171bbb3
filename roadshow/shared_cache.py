"""Shared services for several web processes: one Redis client per app, and Redis-backed caches.

With ``REDIS_URL`` set, rendered calendar feeds and public pages are kept in Redis, so a programme
version is rendered once for every worker and host rather than once per process (a 2,000-session
page takes about a second to render). Each cache keeps a small in-process LRU in front: keys name
everything a value depends on and are never reused for another value, so a local copy can never be
stale. Redis being down costs a render, never an error page.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

import redis
from flask import Flask

from roadshow.feeds import cache as feed_cache_module
from roadshow.feeds.cache import CachedFeed, LocalFeedCache
from roadshow.lru import BoundedLRU

log = logging.getLogger(__name__)
V = TypeVar("V")

DEFAULT_PREFIX = "roadshow:feed:"
PAGE_PREFIX = "roadshow:page:"
DEFAULT_TTL = 24 * 3600
DEFAULT_LOCAL_ENTRIES = 64
DEFAULT_LOCAL_BYTES = 16 * 1024 * 1024
_CLIENT_KEY = "roadshow.redis"
# Short timeouts: a cache that answers slowly is worse than no cache.
SOCKET_TIMEOUT = 0.5


class RedisCache(Generic[V]):
    """Values in Redis (``SET key value EX ttl``), with an in-process LRU in front.

    Keys name every version their value depends on and are never reused for another value, so a
    local copy can never be stale, and nothing is ever invalidated. Redis being down costs a render,
    never an error page.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        encode: Callable[[V], bytes],
        decode: Callable[[bytes], V | None],
        prefix: str,
        ttl: int = DEFAULT_TTL,
        local: BoundedLRU[V] | None = None,
        name: str = "shared",
    ) -> None:
        """Keep values under *prefix* in *client* for *ttl* seconds; *local* is the front LRU (or none).

        *name* says which cache a logged Redis failure concerns.
        """
        self.name = name
        self.client = client
        self.encode, self.decode = encode, decode
        self.prefix = prefix
        self.ttl = ttl
        self.local = local

    def get(self, key: str) -> V | None:
        """The value under *key*: from the local LRU, else from Redis (then kept locally), else None."""
        if self.local is not None:
            value = self.local.get(key)
            if value is not None:
                return value
        try:
            raw = self.client.get(self.prefix + key)
        except redis.RedisError as error:
            failure = type(error).__name__
            log.warning("%s cache: Redis read failed (%s); rendering instead", self.name, failure)
            return None
        if raw is None:
            return None
        value = self.decode(raw)
        if value is not None and self.local is not None:
            self.local.put(key, value)
        return value

    def put(self, key: str, value: V) -> None:
        """Store *value* under *key* locally and in Redis (a failed write is logged, not raised)."""
        if self.local is not None:
            self.local.put(key, value)
        try:
            self.client.set(self.prefix + key, self.encode(value), ex=self.ttl)
        except redis.RedisError as error:
            log.warning("%s cache: Redis write failed (%s)", self.name, type(error).__name__)

    def __len__(self) -> int:
        """How many values the local LRU keeps."""
        return len(self.local) if self.local is not None else 0

    def clear(self) -> None:
        """Forget every value under this cache's prefix, locally and in Redis."""
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


class RedisFeedCache(RedisCache[CachedFeed]):
    """Rendered feeds in Redis, with an in-process LRU in front."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        ttl: int = DEFAULT_TTL,
        local: LocalFeedCache | None = None,
    ) -> None:
        """Keep feeds under *prefix* in *client* for *ttl* seconds; *local* is the front LRU (or none)."""
        super().__init__(
            client, encode=encode_feed, decode=decode_feed, prefix=prefix, ttl=ttl, local=local, name="feed"
        )


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


def encode_text(value: str | bytes) -> bytes:
    """A page or fragment as bytes: ``b`` then bytes as they are, or ``s`` then UTF-8 text."""
    return b"b" + value if isinstance(value, bytes) else b"s" + value.encode("utf-8")


def decode_text(raw: bytes) -> str | bytes | None:
    """The value encoded by ``encode_text``, or None when *raw* is not one."""
    kind, body = raw[:1], raw[1:]
    if kind == b"b":
        return body
    if kind == b"s":
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


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


def database_digest(app: Flask) -> str:
    """A short digest of *app*'s database URL: keys in a shared Redis never mix two databases."""
    database = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    return hashlib.sha256(database.encode("utf-8")).hexdigest()[:12]


def feed_cache_prefix(app: Flask) -> str:
    """The Redis key prefix of *app*'s feeds: ``FEED_CACHE_PREFIX`` plus a digest of the database URL.

    Feed keys hold row ids and versions, which mean nothing outside their database: two deployments
    (or a staging copy) sharing one Redis must never serve each other's feeds.
    """
    return f"{app.config.get('FEED_CACHE_PREFIX', DEFAULT_PREFIX)}{database_digest(app)}:"


def init_app(app: Flask) -> None:
    """Keep rendered feeds and public pages in Redis when REDIS_URL is set.

    ``FEED_CACHE_BACKEND`` chooses for both: ``redis`` or ``local`` (each process its own LRU);
    unset, Redis is used when REDIS_URL is set, except under tests (their databases reuse ids
    between tests). A page's key also names the application's translations (they change only with
    a deployment), so a new release never serves pages rendered by the old one.
    """
    client = redis_client(app)
    backend = app.config.get("FEED_CACHE_BACKEND") or ("local" if app.testing else "redis")
    if client is None or backend != "redis":
        return
    ttl = int(app.config.get("FEED_CACHE_TTL", DEFAULT_TTL))
    local = LocalFeedCache(
        int(app.config.get("FEED_CACHE_LOCAL_ENTRIES", DEFAULT_LOCAL_ENTRIES)),
        int(app.config.get("FEED_CACHE_LOCAL_BYTES", DEFAULT_LOCAL_BYTES)),
    )
    # roadshow.feeds.cache.feed_cache(app) returns what is installed under this key.
    app.extensions[feed_cache_module._EXTENSION_KEY] = RedisFeedCache(
        client, prefix=feed_cache_prefix(app), ttl=ttl, local=local
    )
    from roadshow.public import page_cache  # the public pages import Flask-Login and more

    app.extensions[page_cache.EXTENSION_KEY] = RedisCache(
        client,
        encode=encode_text,
        decode=decode_text,
        prefix=f"{PAGE_PREFIX}{database_digest(app)}:{page_cache.release_digest()}:",
        ttl=ttl,
        local=page_cache.local_page_cache(app),
        name="page",
    )
