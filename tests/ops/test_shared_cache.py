"""The Redis feed cache: shared between processes, local LRU in front, harmless when Redis is down.

Tests that need Redis use database 15 on 127.0.0.1:6379 and are skipped when it does not answer.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import redis

from roadshow import shared_cache
from roadshow.enums import EventStatus
from roadshow.extensions import db
from roadshow.feeds import tokens
from roadshow.feeds.cache import CachedFeed, LocalFeedCache, feed_cache
from roadshow.models import User
from roadshow.public.page_cache import page_cache, release_digest
from tests.conftest import count_statements

STAMP = datetime(2026, 11, 20, 9, 30, 15, tzinfo=UTC)
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def prefix(redis_url) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    value = f"roadshow-test:{secrets.token_hex(4)}:"
    yield value
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=value + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def _cache(redis_url: str, prefix: str, *, local: bool = True) -> shared_cache.RedisFeedCache:
    return shared_cache.RedisFeedCache(
        redis.Redis.from_url(redis_url),
        prefix=prefix,
        ttl=60,
        local=LocalFeedCache(8, 1 << 20) if local else None,
    )


def test_encode_decode_feed_round_trip():
    feed = CachedFeed(b"BEGIN:VCALENDAR\r\n\xe4\xb8\xad\r\nEND:VCALENDAR\r\n", STAMP)
    assert shared_cache.decode_feed(shared_cache.encode_feed(feed)) == feed


@pytest.mark.parametrize("raw", [b"no newline", b"not a date\nbody", b"\xff\xfe\nbody"])
def test_decode_feed_of_foreign_value_is_none(raw):
    assert shared_cache.decode_feed(raw) is None


def test_redis_feed_cache_is_shared_between_two_processes_caches(redis_url, prefix):
    writer, reader = _cache(redis_url, prefix), _cache(redis_url, prefix)
    feed = CachedFeed(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", STAMP)
    assert reader.get("event:1:3:en:0") is None
    writer.put("event:1:3:en:0", feed)
    assert reader.get("event:1:3:en:0") == feed
    assert reader.local.get("event:1:3:en:0") == feed  # kept locally after the first read


def test_redis_feed_cache_entries_expire_after_ttl(redis_url, prefix):
    cache = _cache(redis_url, prefix, local=False)
    cache.put("event:1:1:en:0", CachedFeed(b"x", STAMP))
    assert 0 < cache.client.ttl(prefix + "event:1:1:en:0") <= 60


def test_redis_feed_cache_clear_forgets_only_its_prefix(redis_url, prefix):
    mine, other = _cache(redis_url, prefix), _cache(redis_url, prefix + "other:")
    mine.put("a", CachedFeed(b"1", STAMP))
    other.put("a", CachedFeed(b"2", STAMP))
    mine.clear()
    assert (mine.get("a"), len(mine.local)) == (None, 0)
    assert other.get("a") == CachedFeed(b"2", STAMP)


def test_redis_feed_cache_with_redis_down_renders_instead_of_failing(caplog):
    client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2, socket_timeout=0.2)
    cache = shared_cache.RedisFeedCache(client, local=None)
    cache.put("k", CachedFeed(b"x", STAMP))
    assert cache.get("k") is None
    assert [record.getMessage() for record in caplog.records if record.name == "roadshow.shared_cache"] == [
        "feed cache: Redis write failed (ConnectionError)",
        "feed cache: Redis read failed (ConnectionError); rendering instead",
    ]


def test_feed_cache_under_tests_stays_local_unless_redis_backend_is_asked_for(app):
    assert isinstance(feed_cache(app), LocalFeedCache)


def test_feed_cache_prefix_differs_per_database(make_app, tmp_path):
    first = make_app(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    second = make_app(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    assert shared_cache.feed_cache_prefix(first).startswith("roadshow:feed:")
    assert shared_cache.feed_cache_prefix(first) != shared_cache.feed_cache_prefix(second)


def test_apps_with_redis_backend_serve_one_shared_rendering(
    app, make_app, make_event, make_session, redis_url
):
    event = make_event(status=EventStatus.PUBLISHED, start_date=date(2026, 12, 1))
    make_session(event, title="Opening keynote")
    settings = {"REDIS_URL": redis_url, "FEED_CACHE_BACKEND": "redis", "FEED_CACHE_PREFIX": "roadshow-test:"}
    first = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **settings)
    second = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **settings)
    cache_one, cache_two = feed_cache(first), feed_cache(second)
    assert isinstance(cache_one, shared_cache.RedisFeedCache)
    try:
        body = first.test_client().get(f"/events/{event.slug}/calendar.ics").get_data()
        assert b"SUMMARY:Opening keynote" in body
        keys = [key.decode() for key in cache_one.client.scan_iter(match=cache_one.prefix + "*")]
        assert len(keys) == 1
        # The other "process" finds the rendering in Redis without having rendered it.
        assert len(cache_two.local) == 0
        assert cache_two.get(keys[0].removeprefix(cache_two.prefix)).body == body
        assert second.test_client().get(f"/events/{event.slug}/calendar.ics").get_data() == body
    finally:
        cache_one.clear()


def test_apps_with_redis_backend_share_rendered_event_pages(
    app, make_app, make_event, make_session, redis_url
):
    event = make_event(status=EventStatus.PUBLISHED, start_date=date(2026, 12, 1))
    make_session(event, title="Opening keynote")
    settings = {"REDIS_URL": redis_url, "FEED_CACHE_BACKEND": "redis", "FEED_CACHE_PREFIX": "roadshow-test:"}
    first = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **settings)
    second = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **settings)
    cache_one, cache_two = page_cache(first), page_cache(second)
    assert isinstance(cache_one, shared_cache.RedisCache)
    assert cache_one.prefix.startswith(shared_cache.PAGE_PREFIX)
    try:
        one = first.test_client().get(f"/events/{event.slug}")
        assert "Opening keynote" in one.get_data(as_text=True)
        assert len(list(cache_one.client.scan_iter(match=cache_one.prefix + "*"))) == 2  # page, programme
        # The other "process" serves the page from Redis, byte for byte.
        assert len(cache_two) == 0
        two = second.test_client().get(f"/events/{event.slug}")
        assert len(cache_two) == 1  # fetched from Redis into its local LRU, not rendered
        assert one.get_data() == two.get_data()
        assert CSRF_INPUT.search(two.get_data(as_text=True)) is None  # a visitor's page holds no token
    finally:
        cache_one.clear()


def test_shared_page_cache_keys_name_the_release(app, make_app, redis_url):
    settings = {"REDIS_URL": redis_url, "FEED_CACHE_BACKEND": "redis"}
    cache = page_cache(make_app(app.config["SQLALCHEMY_DATABASE_URI"], **settings))
    assert cache.prefix.endswith(f":{release_digest()}:")
    assert shared_cache.decode_text(shared_cache.encode_text("中文 page")) == "中文 page"
    assert shared_cache.decode_text(shared_cache.encode_text(b"<p>bytes</p>")) == b"<p>bytes</p>"
    assert shared_cache.decode_text(b"xjunk") is None


# --- Token checks kept per process, revoked everywhere at once ------------------------------------------


def _token_world(app, make_app, make_user, redis_url):
    user = make_user("poller@example.org")
    settings = {"REDIS_URL": redis_url, "FEED_HEAD_TTL": 1.0, "FEED_CACHE_BACKEND": "local"}
    first = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **settings)
    second = make_app(app.config["SQLALCHEMY_DATABASE_URI"], **settings)
    with first.app_context():
        token = tokens.issue_token(db.session.get(User, user.id))
        db.session.commit()
    return user, first, second, token


def test_personal_feed_polls_with_redis_need_no_query_until_a_token_is_revoked(
    app, make_app, make_user, redis_url
):
    user, first, second, token = _token_world(app, make_app, make_user, redis_url)
    url = f"/calendar/{token}.ics"
    poller = first.test_client()
    etag = poller.get(url).headers["ETag"]
    statuses: list[int] = []
    poll = lambda: statuses.append(poller.get(url, headers={"If-None-Match": etag}).status_code)  # noqa: E731
    assert count_statements(first, poll) == 0  # token and fingerprint from this process's copies
    # Another process regenerates the link: the first one's next poll is refused, not served its copy.
    with second.app_context():
        tokens.issue_token(db.session.get(User, user.id))
        db.session.commit()
    poll()
    assert statuses == [304, 404]


def test_personal_feed_of_an_account_deleted_elsewhere_is_gone_at_once(app, make_app, make_user, redis_url):
    from roadshow.account import services as account

    user, first, second, token = _token_world(app, make_app, make_user, redis_url)
    poller = first.test_client()
    assert poller.get(f"/calendar/{token}.ics").status_code == 200
    with second.app_context():
        account.delete_account(db.session.get(User, user.id))
        db.session.commit()
    assert poller.get(f"/calendar/{token}.ics").status_code == 404


def test_without_redis_every_poll_checks_the_token(app, make_app, make_user):
    user = make_user("no-redis@example.org")
    plain = make_app(app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=None, FEED_HEAD_TTL=1.0)
    with plain.app_context():
        token = tokens.issue_token(db.session.get(User, user.id))
        db.session.commit()
    client = plain.test_client()
    etag = client.get(f"/calendar/{token}.ics").headers["ETag"]
    assert (
        count_statements(plain, lambda: client.get(f"/calendar/{token}.ics", headers={"If-None-Match": etag}))
        == 1
    )
