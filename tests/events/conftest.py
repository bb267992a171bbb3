"""Fixtures for the organiser area: a world of two events with their organisers, an attendee, an admin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask

from roadshow.extensions import db
from roadshow.models import EventOrganiser
from tests.events.helpers import World


@pytest.fixture
def world(app: Flask, make_user, make_event, make_session) -> World:
    """Event A (organiser + co-organiser, one session) and event B (its own organiser, one session)."""
    organiser = make_user("alice@example.org", name="Alice Organiser")
    co_organiser = make_user("carol@example.org", name="Carol Coorganiser")
    other_organiser = make_user("bob@example.org", name="Bob Otherevent")
    attendee = make_user("dora@example.org", name="Dora Attendee")
    admin = make_user("root@example.org", name="Site Admin", is_admin=True)
    event = make_event(organiser=organiser, slug="event-a", title="Event A")
    with app.app_context():
        db.session.add(EventOrganiser(event_id=event.id, user_id=co_organiser.id))
        db.session.commit()
    other_event = make_event(organiser=other_organiser, slug="event-b", title="Event B")
    session = make_session(event, title="Session A", starts_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    other_session = make_session(
        other_event, title="Session B", starts_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    )
    return World(
        organiser=organiser,
        co_organiser=co_organiser,
        event=event,
        session=session,
        other_organiser=other_organiser,
        other_event=other_event,
        other_session=other_session,
        attendee=attendee,
        admin=admin,
    )
