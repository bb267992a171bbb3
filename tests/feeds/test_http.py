"""HTTP behaviour of feeds: headers, validators, 304s without building, HEAD, caching, query counts."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from werkzeug.http import http_date, parse_date

from roadshow.enums import EventStatus, SessionKind
from roadshow.feeds.cache import feed_cache
from roadshow.models import Event, ProgrammeSession
from tests.conftest import fetch
from tests.feeds.conftest import AFTER_DAY, at

FEED = "/events/eu-china-2026/calendar.ics"


def _event(app, event_id: int) -> Event:
    (event,) = fetch(app, sa.select(Event).where(Event.id == event_id))
    return event


def test_feed_headers_content_type_etag_last_modified_cache_control(app, client, summit):
    response = client.get(FEED)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    event = _event(app, summit.event.id)
    assert parse_date(response.headers["Last-Modified"]) == event.updated_at.replace(microsecond=0)
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert int(response.headers["Content-Length"]) == len(response.get_data())


def test_feed_etag_follows_the_programme_version_not_the_body(app, client, summit, change):
    first = client.get(FEED)
    feed_cache(app).clear()  # a fresh render must give the same validators and the same bytes
    again = client.get(FEED)
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.get_data() == first.get_data()
    change(Event, summit.event.id, programme_version=2)
    assert client.get(FEED).headers["ETag"] != first.headers["ETag"]


def test_feed_etag_differs_by_language(client, summit):
    assert client.get(FEED).headers["ETag"] != client.get(FEED + "?lang=zh").headers["ETag"]


def test_feed_if_none_match_gives_304_without_loading_sessions(client, summit, count_queries):
    etag = client.get(FEED).headers["ETag"]
    with count_queries() as counter:
        response = client.get(FEED, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert counter.count == 1
    assert "programme_sessions" not in counter.statements[0]


def test_feed_if_none_match_weak_or_in_a_list_gives_304(client, summit):
    etag = client.get(FEED).headers["ETag"]
    assert client.get(FEED, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert client.get(FEED, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get(FEED, headers={"If-None-Match": "*"}).status_code == 304


def test_feed_stale_if_none_match_gives_200(client, summit):
    response = client.get(FEED, headers={"If-None-Match": '"0123456789abcdef"'})
    assert response.status_code == 200
    assert response.get_data().startswith(b"BEGIN:VCALENDAR\r\n")


def test_feed_if_modified_since_gives_304_when_not_modified(client, summit, count_queries):
    last_modified = client.get(FEED).headers["Last-Modified"]
    with count_queries() as counter:
        response = client.get(FEED, headers={"If-Modified-Since": last_modified})
    assert response.status_code == 304
    assert counter.count == 1
    earlier = http_date(parse_date(last_modified) - timedelta(seconds=1))
    assert client.get(FEED, headers={"If-Modified-Since": earlier}).status_code == 200


def test_feed_if_none_match_takes_precedence_over_if_modified_since(client, summit):
    last_modified = client.get(FEED).headers["Last-Modified"]
    response = client.get(FEED, headers={"If-None-Match": '"stale"', "If-Modified-Since": last_modified})
    assert response.status_code == 200


def test_feed_head_has_headers_and_no_body(client, summit):
    full = client.get(FEED)
    head = client.head(FEED)
    assert head.status_code == 200
    assert head.get_data() == b""
    for name in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Length"):
        assert head.headers[name] == full.headers[name]
    assert client.head(FEED, headers={"If-None-Match": full.headers["ETag"]}).status_code == 304


def test_feed_is_rendered_once_per_version(client, summit, count_queries):
    with count_queries() as cold:
        first = client.get(FEED)
    with count_queries() as warm:
        second = client.get(FEED)
    assert cold.count == 3  # the event, its sessions, its published slots
    assert warm.count == 1  # the event: the body comes from the cache
    assert first.get_data() == second.get_data()


def _fill(make_session, make_slot, event, sessions: int) -> None:
    for n in range(sessions):
        starts_at = at(AFTER_DAY, 6) + timedelta(minutes=20 * n)
        session = make_session(
            event, starts_at=starts_at, minutes=15, title=f"Session {n}", track=f"T{n % 3}"
        )
        if n % 5 == 0:
            block = make_session(
                event, starts_at=starts_at, minutes=15, kind=SessionKind.PITCH_BLOCK, title=f"Block {n}"
            )
            make_slot(block, starts_at, minutes=15)
        del session


def test_feed_query_count_does_not_grow_with_sessions(
    app, client, make_event, make_session, make_slot, count_queries
):
    small = make_event(slug="small-event", status=EventStatus.PUBLISHED)
    large = make_event(slug="large-event", status=EventStatus.PUBLISHED)
    _fill(make_session, make_slot, small, 1)
    _fill(make_session, make_slot, large, 50)
    with count_queries() as one:
        small_response = client.get("/events/small-event/calendar.ics")
    with count_queries() as fifty:
        large_response = client.get("/events/large-event/calendar.ics")
    assert small_response.get_data().count(b"BEGIN:VEVENT") == 2  # a session and its block (no holder)
    assert large_response.get_data().count(b"BEGIN:VEVENT") == 60
    assert one.count == fifty.count == 3


def test_feed_of_a_draft_answers_404_even_to_a_matching_etag(app, client, summit, change):
    etag = client.get(FEED).headers["ETag"]
    change(Event, summit.event.id, status=EventStatus.DRAFT)
    response = client.get(FEED, headers={"If-None-Match": etag})
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"


def test_download_if_none_match_gives_304(client, summit, count_queries):
    url = f"/events/eu-china-2026/sessions/{summit.keynote.id}.ics"
    etag = client.get(url).headers["ETag"]
    with count_queries() as counter:
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert counter.count == 1


def test_download_etag_changes_with_the_programme(client, summit, change):
    url = f"/events/eu-china-2026/sessions/{summit.keynote.id}.ics"
    etag = client.get(url).headers["ETag"]
    change(ProgrammeSession, summit.keynote.id, bump_event=summit.event.id, title="Renamed")
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert b"SUMMARY:Renamed" in response.get_data()
