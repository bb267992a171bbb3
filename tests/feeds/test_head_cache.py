"""Feed polls within FEED_HEAD_TTL are answered from the process's copy of the event's version."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from roadshow.enums import EventStatus
from roadshow.extensions import db
from roadshow.feeds import services
from roadshow.models import Event, session_stars
from tests.conftest import count_statements


def test_poll_within_ttl_costs_no_query_and_change_shows_after_it(app, client, make_event, monkeypatch):
    event = make_event(status=EventStatus.PUBLISHED, start_date=date(2099, 1, 1), end_date=date(2099, 1, 2))
    clock = [1000.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    monkeypatch.setitem(app.config, "FEED_HEAD_TTL", 1.0)
    services._HEAD_CACHE.clear()
    url = f"/events/{event.slug}/calendar.ics"
    etag = client.get(url).headers["ETag"]

    def poll() -> int:
        return client.get(url, headers={"If-None-Match": etag}).status_code

    statuses: list[int] = []
    assert count_statements(app, lambda: statuses.append(poll())) == 0
    assert statuses == [304]

    with app.app_context():
        db.session.execute(sa.update(Event).values(programme_version=Event.programme_version + 1))
        db.session.commit()
    assert poll() == 304  # still within the second: the old version
    clock[0] += 1.5
    assert poll() == 200  # the change reaches the feed once the copy expires
    services._HEAD_CACHE.clear()


def test_unknown_slug_is_remembered_as_absent_too(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "FEED_HEAD_TTL", 1.0)
    services._HEAD_CACHE.clear()
    assert client.get("/events/nowhere/calendar.ics").status_code == 404
    statuses: list[int] = []
    assert (
        count_statements(app, lambda: statuses.append(client.get("/events/nowhere/calendar.ics").status_code))
        == 0
    )
    assert statuses == [404]
    services._HEAD_CACHE.clear()


def test_personal_poll_within_ttl_checks_only_the_token(
    app, client, summit, register, personal_token, monkeypatch
):
    registration = register(summit.event, summit.attendee, starred=(summit.keynote,))
    clock = [5000.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    monkeypatch.setitem(app.config, "FEED_HEAD_TTL", 1.0)
    # Without Redis the token is checked on every poll (with it, see tests/ops/test_shared_cache.py).
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    services._FINGERPRINT_CACHE.clear()
    url = f"/calendar/{personal_token(summit.attendee)}.ics"
    etag = client.get(url).headers["ETag"]

    def poll() -> int:
        return client.get(url, headers={"If-None-Match": etag}).status_code

    statuses: list[int] = []
    assert count_statements(app, lambda: statuses.append(poll())) == 1  # the token, nothing else
    assert statuses == [304]

    with app.app_context():  # a new star: the feed changes, once the process's copy expires
        db.session.execute(
            session_stars.insert().values(registration_id=registration.id, session_id=summit.panel.id)
        )
        db.session.commit()
    assert poll() == 304
    clock[0] += 1.5
    assert poll() == 200
    services._FINGERPRINT_CACHE.clear()


def test_personal_token_revoked_within_ttl_stops_at_once(
    app, client, summit, register, personal_token, monkeypatch
):
    register(summit.event, summit.attendee, starred=(summit.keynote,))
    monkeypatch.setattr(services.time, "monotonic", lambda: 9000.0)  # the copy never expires here
    monkeypatch.setitem(app.config, "FEED_HEAD_TTL", 1.0)
    services._FINGERPRINT_CACHE.clear()
    old = personal_token(summit.attendee)
    etag = client.get(f"/calendar/{old}.ics").headers["ETag"]
    new = personal_token(summit.attendee)  # regenerating revokes the old URL
    assert client.get(f"/calendar/{old}.ics", headers={"If-None-Match": etag}).status_code == 404
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    fresh = client.get(f"/calendar/{new}.ics", headers={"If-None-Match": etag})
    assert fresh.status_code == 200  # a new token is a new feed: the old validators do not match it
    services._FINGERPRINT_CACHE.clear()
