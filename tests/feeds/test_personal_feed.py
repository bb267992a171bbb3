"""Personal feeds: what each user sees, the secret URL (no cookie, hashed, revocable), identical
404s, cheap revalidation, query counts, and tokens kept out of logs."""

from __future__ import annotations

import hashlib
import logging
import threading
import urllib.request
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from roadshow.enums import EventStatus, MembershipStatus, RegistrationStatus, SessionKind
from roadshow.extensions import db
from roadshow.feeds import tokens
from roadshow.models import CalendarToken, EventOrganiser, Membership, User
from tests.conftest import fetch
from tests.feeds.conftest import AFTER_DAY, at
from tests.feeds.test_event_feed import uids


def stable_headers(response) -> list[tuple[str, str]]:
    """The response's headers but the per-request id (random for every request, whatever it asks)."""
    return sorted((name, value) for name, value in response.headers.items() if name != "X-Request-ID")


def feed_url(token: str) -> str:
    """The personal feed path of *token*."""
    return f"/calendar/{token}.ics"


def test_personal_feed_holds_starred_sessions_of_registered_events(
    client, summit, register, personal_token, read_all
):
    register(summit.event, summit.attendee, starred=(summit.keynote,))
    response = client.get(feed_url(personal_token(summit.attendee)))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert uids(text) == [f"session-{summit.keynote.id}@roadshow.test"]
    read = read_all(text)
    assert read["events"][0].summary == "Opening keynote, welcome"
    assert "X-WR-CALNAME:My Roadshow calendar" in text


def test_personal_feed_holds_the_published_slots_of_the_users_organisations(
    client, summit, personal_token, read_all
):
    text = client.get(feed_url(personal_token(summit.member))).get_data(as_text=True)
    assert uids(text) == [f"slot-{summit.published_slot.id}@roadshow.test"]
    # Li Wei reads Chinese: the company's and the project's Chinese names.
    (event,) = read_all(text)["events"]
    assert "青岛医疗科技" in event.summary and "智能康复手套" in event.summary


def test_personal_feed_holds_everything_of_organised_events(client, summit, personal_token):
    found = uids(client.get(feed_url(personal_token(summit.organiser))).get_data(as_text=True))
    assert found == [
        f"session-{summit.keynote.id}@roadshow.test",
        f"session-{summit.panel.id}@roadshow.test",
        f"session-{summit.block.id}@roadshow.test",
        f"slot-{summit.published_slot.id}@roadshow.test",
        f"slot-{summit.confirmed_slot.id}@roadshow.test",
    ]


def test_personal_feed_leaves_out_drafts_cancelled_registrations_and_foreign_stars(
    client, summit, make_event, make_session, register, personal_token
):
    draft = make_event(slug="draft-event", status=EventStatus.DRAFT)
    draft_session = make_session(draft, title="Draft session")
    register(draft, summit.attendee, starred=(draft_session,))
    # A star on a session of an event the user is not registered for (only possible by data) counts for
    # nothing; nor does a cancelled registration.
    other = make_event(slug="other-event", status=EventStatus.PUBLISHED)
    other_session = make_session(other, title="Elsewhere")
    register(
        summit.event,
        summit.attendee,
        starred=(other_session, summit.panel),
        status=RegistrationStatus.CANCELLED,
    )
    text = client.get(feed_url(personal_token(summit.attendee))).get_data(as_text=True)
    assert uids(text) == []
    assert text.startswith("BEGIN:VCALENDAR\r\n")


def test_personal_feed_needs_no_cookie_and_sets_none(app, summit, personal_token):
    token = personal_token(summit.member)
    fresh = app.test_client(use_cookies=False)
    response = fresh.get(feed_url(token))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_personal_feed_headers(client, summit, personal_token):
    response = client.get(feed_url(personal_token(summit.member)))
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["ETag"].startswith('"')


def test_personal_feed_token_is_random_256_bits_and_stored_hashed(app, summit, personal_token):
    token = personal_token(summit.member)
    assert tokens.is_well_formed(token)
    assert len(token) == 43  # 32 random bytes, base64url
    (row,) = fetch(app, sa.select(CalendarToken).where(CalendarToken.user_id == summit.member.id))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash
    assert personal_token(summit.attendee) != personal_token(summit.attendee)


@pytest.mark.parametrize(
    "bad",
    [
        "A" * 43,  # well formed, unknown
        "short",
        "A" * 44,
        "A" * 42 + "!",
        "é" * 43,
        "A" * 21 + " " + "A" * 21,
    ],
)
def test_personal_feed_wrong_or_malformed_tokens_give_the_same_404(client, summit, personal_token, bad):
    personal_token(summit.member)
    unknown = client.get(feed_url("B" * 43))
    response = client.get(feed_url(bad))
    assert response.status_code == unknown.status_code == 404
    assert response.get_data() == unknown.get_data() == b"Not found\n"
    assert stable_headers(response) == stable_headers(unknown)
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_personal_feed_revoked_token_gives_the_same_404_as_an_unknown_one(
    app, client, summit, personal_token
):
    old = personal_token(summit.member)
    assert client.get(feed_url(old)).status_code == 200
    new = personal_token(summit.member)  # regenerating revokes the old token at once
    revoked = client.get(feed_url(old))
    unknown = client.get(feed_url("C" * 43))
    assert revoked.status_code == 404
    assert revoked.get_data() == unknown.get_data()
    assert stable_headers(revoked) == stable_headers(unknown)
    assert client.get(feed_url(new)).status_code == 200


def test_personal_feed_of_a_deleted_account_is_gone(app, client, summit, personal_token):
    token = personal_token(summit.attendee)
    with app.app_context():
        db.session.delete(db.session.get(User, summit.attendee.id))
        db.session.commit()
    assert client.get(feed_url(token)).status_code == 404


def test_personal_feed_user_who_loses_a_membership_loses_its_slots(app, client, summit, personal_token):
    token = personal_token(summit.member)
    before = client.get(feed_url(token))
    assert uids(before.get_data(as_text=True)) == [f"slot-{summit.published_slot.id}@roadshow.test"]
    with app.app_context():
        db.session.execute(sa.delete(Membership).where(Membership.user_id == summit.member.id))
        db.session.commit()
    after = client.get(feed_url(token), headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert uids(after.get_data(as_text=True)) == []


def test_personal_feed_membership_request_is_not_membership(app, client, summit, personal_token):
    with app.app_context():
        db.session.execute(
            sa.update(Membership)
            .where(Membership.user_id == summit.member.id)
            .values(status=MembershipStatus.REQUESTED)
        )
        db.session.commit()
    assert uids(client.get(feed_url(personal_token(summit.member))).get_data(as_text=True)) == []


def test_personal_feed_organiser_removed_loses_the_event(app, client, summit, personal_token):
    token = personal_token(summit.organiser)
    etag = client.get(feed_url(token)).headers["ETag"]
    with app.app_context():
        db.session.execute(sa.delete(EventOrganiser).where(EventOrganiser.user_id == summit.organiser.id))
        db.session.commit()
    response = client.get(feed_url(token), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert uids(response.get_data(as_text=True)) == []


def test_personal_feed_unstarring_changes_the_etag(app, client, summit, register, personal_token):
    from roadshow.models import session_stars

    registration = register(summit.event, summit.attendee, starred=(summit.keynote, summit.panel))
    token = personal_token(summit.attendee)
    etag = client.get(feed_url(token)).headers["ETag"]
    with app.app_context():
        db.session.execute(
            sa.delete(session_stars).where(
                session_stars.c.registration_id == registration.id,
                session_stars.c.session_id == summit.panel.id,
            )
        )
        db.session.commit()
    response = client.get(feed_url(token), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert uids(response.get_data(as_text=True)) == [f"session-{summit.keynote.id}@roadshow.test"]


def test_personal_feed_programme_change_changes_the_etag(client, summit, personal_token, change):
    from roadshow.models import Event

    token = personal_token(summit.member)
    etag = client.get(feed_url(token)).headers["ETag"]
    change(Event, summit.event.id, programme_version=5)
    assert client.get(feed_url(token), headers={"If-None-Match": etag}).status_code == 200


def test_personal_feed_304_costs_two_small_queries(client, summit, register, personal_token, count_queries):
    register(summit.event, summit.attendee, starred=(summit.keynote,))
    token = personal_token(summit.attendee)
    etag = client.get(feed_url(token)).headers["ETag"]
    with count_queries() as counter:
        response = client.get(feed_url(token), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert counter.count == 2  # the token (with its user), the fingerprint
    assert not any("FROM programme_sessions" in statement for statement in counter.statements)


def test_personal_feed_if_modified_since_alone_never_gives_304(client, summit, personal_token):
    token = personal_token(summit.member)
    last_modified = client.get(feed_url(token)).headers["Last-Modified"]
    assert client.get(feed_url(token), headers={"If-Modified-Since": last_modified}).status_code == 200


def test_personal_feed_query_count_does_not_grow_with_sessions(
    client,
    make_user,
    make_event,
    make_session,
    make_slot,
    make_organisation,
    make_application,
    register,
    personal_token,
    count_queries,
):
    def world(user, slug: str, count: int) -> None:
        event = make_event(slug=slug, status=EventStatus.PUBLISHED)
        organisation = make_organisation(members=(user,))
        application = make_application(event, organisation)
        block = make_session(event, starts_at=at(AFTER_DAY, 6), kind=SessionKind.PITCH_BLOCK, title="Block")
        make_slot(block, at(AFTER_DAY, 6), application=application)
        starred = [
            make_session(
                event, starts_at=at(AFTER_DAY, 8) + timedelta(minutes=20 * n), minutes=15, title=f"S{n}"
            )
            for n in range(count)
        ]
        register(event, user, starred=tuple(starred))

    one, fifty = make_user(), make_user()
    world(one, "one-session", 1)
    world(fifty, "fifty-sessions", 50)
    one_token, fifty_token = personal_token(one), personal_token(fifty)
    with count_queries() as small:
        small_text = client.get(feed_url(one_token)).get_data(as_text=True)
    with count_queries() as large:
        large_text = client.get(feed_url(fifty_token)).get_data(as_text=True)
    assert len(uids(small_text)) == 2 and len(uids(large_text)) == 51
    assert small.count == large.count == 4  # token, fingerprint, sessions, slots


def test_personal_feed_token_never_reaches_the_logs(app, summit, personal_token, caplog):
    token = personal_token(summit.member)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO):
            for path in (feed_url(token), feed_url(token[:-1] + "x"), f"/calendar/{token}"):
                request = urllib.request.Request(
                    f"http://127.0.0.1:{server.server_port}{path}", headers={"Host": "roadshow.test"}
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
                        response.read()
                except urllib.error.HTTPError as error:
                    assert error.code == 404
            app.logger.error(f"Exception on {feed_url(token)} [GET]")
    finally:
        server.shutdown()
        server.server_close()  # joins the request threads, so every request line is logged
        thread.join(timeout=10)
    messages = [record.getMessage() for record in caplog.records]
    request_lines = [m for m in messages if "GET /calendar/" in m]
    assert len(request_lines) == 3
    assert '"GET /calendar/[redacted].ics HTTP/1.1" 200' in request_lines[0]
    assert "Exception on /calendar/[redacted].ics [GET]" in messages
    for message in messages:
        assert token not in message
        assert token[:-1] not in message


def test_personal_feed_holds_starred_published_slots(app, client, summit, register, personal_token):
    from roadshow.models.registration import slot_stars

    registration = register(summit.event, summit.attendee, starred=(summit.keynote,))
    token = personal_token(summit.attendee)
    etag = client.get(feed_url(token)).headers["ETag"]
    with app.app_context():
        for slot in (summit.confirmed_slot, summit.proposed_slot):
            db.session.execute(slot_stars.insert().values(registration_id=registration.id, slot_id=slot.id))
        db.session.commit()
    response = client.get(feed_url(token), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert uids(response.get_data(as_text=True)) == [
        f"session-{summit.keynote.id}@roadshow.test",
        f"slot-{summit.confirmed_slot.id}@roadshow.test",  # the proposed one is not published
    ]
