"""Publishing, unpublishing, cancelling and archiving events."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from roadshow.enums import EventStatus, SessionStatus
from roadshow.extensions import db
from roadshow.models import AuditLogEntry, Event, ProgrammeSession, Registration
from tests.conftest import fetch, post_form
from tests.events.helpers import db_state, load, page


def _set_status(app, event_id: int, status: EventStatus) -> None:
    with app.app_context():
        db.session.get(Event, event_id).status = status
        db.session.commit()


def _post(client, world, action: str):
    return post_form(client, f"/manage/events/{world.event.id}/{action}", follow_redirects=True)


def test_publish_draft_with_sessions_publishes_bumps_version_and_records(app, client, world, login):
    login(world.organiser)
    response = _post(client, world, "publish")
    assert "The event is published." in page(response)
    event = load(app, Event, world.event.id)
    assert event.status == EventStatus.PUBLISHED
    assert event.programme_version == 2
    [entry] = fetch(app, sa.select(AuditLogEntry).where(AuditLogEntry.action == "event.publish"))
    assert (entry.before, entry.after) == ({"status": "draft"}, {"status": "published"})
    assert entry.actor_id == world.organiser.id
    assert client.get("/events/event-a").status_code == 200


def test_publish_without_sessions_is_refused_with_a_message(app, client, login, make_user, make_event):
    organiser = make_user()
    event = make_event(organiser=organiser)
    login(organiser)
    before = db_state(app)
    response = post_form(client, f"/manage/events/{event.id}/publish", follow_redirects=True)
    assert "Add at least one session before publishing the event." in page(response)
    assert db_state(app) == before


def test_publish_with_only_cancelled_sessions_is_refused(app, client, world, login):
    login(world.organiser)
    post_form(client, f"/manage/events/{world.event.id}/sessions/{world.session.id}/cancel")
    before = db_state(app)
    response = _post(client, world, "publish")
    assert "Add at least one session before publishing the event." in page(response)
    assert db_state(app) == before


def test_cancel_published_event_raises_session_sequences(app, client, world, login):
    _set_status(app, world.event.id, EventStatus.PUBLISHED)
    login(world.organiser)
    response = _post(client, world, "cancel")
    assert "The event is cancelled." in page(response)
    event = load(app, Event, world.event.id)
    assert event.status == EventStatus.CANCELLED
    assert event.programme_version == 2
    session = load(app, ProgrammeSession, world.session.id)
    assert session.sequence == 1
    assert session.status == SessionStatus.SCHEDULED


@pytest.mark.parametrize("start", [EventStatus.PUBLISHED, EventStatus.CANCELLED])
def test_archive_published_or_cancelled_event(app, client, world, login, start):
    _set_status(app, world.event.id, start)
    login(world.organiser)
    _post(client, world, "archive")
    event = load(app, Event, world.event.id)
    assert event.status == EventStatus.ARCHIVED
    assert event.programme_version == 2
    [entry] = fetch(app, sa.select(AuditLogEntry).where(AuditLogEntry.action == "event.archive"))
    assert entry.before == {"status": start.value}


def test_unpublish_without_registrations_returns_to_draft(app, client, world, login):
    _set_status(app, world.event.id, EventStatus.PUBLISHED)
    login(world.organiser)
    _post(client, world, "unpublish")
    event = load(app, Event, world.event.id)
    assert event.status == EventStatus.DRAFT
    assert event.programme_version == 2


def test_unpublish_with_a_registration_is_refused(app, client, world, login):
    _set_status(app, world.event.id, EventStatus.PUBLISHED)
    with app.app_context():
        db.session.add(Registration(event_id=world.event.id, user_id=world.attendee.id))
        db.session.commit()
    login(world.organiser)
    before = db_state(app)
    response = _post(client, world, "unpublish")
    assert "People have already registered or applied for this event" in page(response)
    assert db_state(app) == before


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (EventStatus.DRAFT, "cancel"),
        (EventStatus.DRAFT, "archive"),
        (EventStatus.DRAFT, "unpublish"),
        (EventStatus.PUBLISHED, "publish"),
        (EventStatus.CANCELLED, "publish"),
        (EventStatus.ARCHIVED, "publish"),
        (EventStatus.ARCHIVED, "cancel"),
    ],
)
def test_status_change_not_allowed_from_the_current_status_is_refused(
    app, client, world, login, start, action
):
    _set_status(app, world.event.id, start)
    login(world.organiser)
    before = db_state(app)
    response = _post(client, world, action)
    assert "This cannot be done to an event whose status is" in page(response)
    assert db_state(app) == before


def test_overview_offers_only_the_allowed_status_actions(app, client, world, login):
    _set_status(app, world.event.id, EventStatus.PUBLISHED)
    login(world.organiser)
    html = page(client.get(f"/manage/events/{world.event.id}"))
    base = f"/manage/events/{world.event.id}"
    assert f'action="{base}/cancel"' in html
    assert f'action="{base}/archive"' in html
    assert f'action="{base}/unpublish"' in html
    assert f'action="{base}/publish"' not in html
