"""The attendee pages run the same number of queries whatever the size of the programme: one session
or twenty, one pitch or twenty (a count that grew with them would be an N+1 query)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from roadshow.enums import ApplicationStatus, EventKind, EventStatus, SessionKind, SlotState
from roadshow.extensions import db
from roadshow.models import Event, PitchSlot, User
from tests.attendees.conftest import logged_in_client, page, star, utc
from tests.conftest import recorded_statements


def _statements(app: Flask, client: FlaskClient, path: str) -> tuple[int, str]:
    """How many SQL statements GET *path* ran, and the page."""
    with recorded_statements(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements), page(response)


def _programme(
    app: Flask, make_event, make_session, make_organisation, make_application, size: int
) -> tuple[str, list[int], str, list[int], date]:
    """A summit with *size* sessions and a roadshow whose pitch block holds *size* published pitches,
    both in 2030; their slugs, the ids of the sessions and of the slots, and the summit's first day."""
    day = date(2030, 12, 1)
    summit = make_event(status=EventStatus.PUBLISHED, start_date=day, end_date=day + timedelta(days=1))
    sessions = [
        make_session(summit, starts_at=utc(1, 8) + timedelta(minutes=30 * n), minutes=25, title=f"Talk {n}")
        for n in range(size)
    ]
    roadshow = make_event(
        kind=EventKind.ROADSHOW,
        status=EventStatus.PUBLISHED,
        timezone="Asia/Shanghai",
        start_date=date(2030, 12, 3),
        end_date=date(2030, 12, 3),
    )
    block = make_session(
        roadshow, starts_at=utc(3, 1), minutes=15 * size, kind=SessionKind.PITCH_BLOCK, title="Pitches"
    )
    applications = [
        make_application(roadshow, make_organisation(), status=ApplicationStatus.ACCEPTED)
        for _ in range(size)
    ]
    with app.app_context():
        slots = [
            PitchSlot(
                session_id=block.id,
                starts_at=utc(3, 1) + timedelta(minutes=15 * n),
                ends_at=utc(3, 1) + timedelta(minutes=15 * n + 10),
                application_id=application.id,
                state=SlotState.PUBLISHED,
            )
            for n, application in enumerate(applications)
        ]
        db.session.add_all(slots)
        db.session.commit()
        slot_ids = [slot.id for slot in slots]
    return summit.slug, [s.id for s in sessions], roadshow.slug, slot_ids, day


def _counts(
    app: Flask,
    login: Callable,
    make_user: Callable[..., User],
    make_registration: Callable,
    factories: tuple,
    size: int,
) -> dict[str, int]:
    """Statements run by each attendee page for a viewer who registered and starred everything."""
    summit_slug, session_ids, roadshow_slug, slot_ids, day = _programme(app, *factories, size)
    viewer = make_user(timezone="America/New_York")
    with app.app_context():
        summit = db.session.scalar(sa.select(Event).where(Event.slug == summit_slug))
        roadshow = db.session.scalar(sa.select(Event).where(Event.slug == roadshow_slug))
    summit_registration = make_registration(summit, viewer)
    roadshow_registration = make_registration(roadshow, viewer)
    star(app, summit_registration.id, sessions=tuple(session_ids))
    star(app, roadshow_registration.id, slots=tuple(slot_ids))
    client = logged_in_client(app, login, viewer)
    counts = {}
    clock = 'class="time-range viewer-clock"'
    for name, path, shown, expected in (
        ("summit registration", f"/events/{summit_slug}/register", "Remove from my agenda", size),
        ("roadshow registration", f"/events/{roadshow_slug}/register", "Remove from my agenda", size),
        ("agenda", "/my/agenda", clock, 2 * size),  # the sessions and the pitches
        ("agenda grid", f"/my/agenda/grid?day={day.isoformat()}", clock, size),  # the summit's first day
    ):
        counts[name], html = _statements(app, client, path)
        assert html.count(shown) == expected, (name, html.count(shown))
    return counts


def test_attendee_pages_run_as_many_queries_for_twenty_sessions_as_for_one(
    app, login, make_user, make_registration, make_event, make_session, make_organisation, make_application
):
    factories = (make_event, make_session, make_organisation, make_application)
    one = _counts(app, login, make_user, make_registration, factories, 1)
    twenty = _counts(app, login, make_user, make_registration, factories, 20)
    assert twenty == one
