"""Fixtures for the attendee tests: a published summit with sessions, a roadshow with published
pitches, and helpers to register, star and read what the database holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from roadshow.enums import (
    ApplicationStatus,
    EventKind,
    EventStatus,
    RegistrationRole,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
    SlotState,
)
from roadshow.extensions import db
from roadshow.models import (
    Event,
    OutboxMessage,
    PitchSlot,
    ProgrammeSession,
    Registration,
    User,
    session_stars,
)
from roadshow.models.registration import slot_stars

NNBSP = "\u202f"  # Babel writes a narrow no-break space before AM/PM


def utc(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    """An instant in 2030 (UTC): far enough ahead that the events are never over."""
    return datetime(2030, month, day, hour, minute, tzinfo=UTC)


def page(response: Any) -> str:
    """A response's body as text."""
    return response.get_data(as_text=True)


@dataclass
class Summit:
    """A published summit in Brussels (1–2 December 2030) with a keynote, a panel and a cancelled
    talk; a published roadshow in Shanghai with a pitch block holding one published and one proposed
    slot; a draft event; an organiser."""

    event: Event
    keynote: ProgrammeSession
    panel: ProgrammeSession
    cancelled_talk: ProgrammeSession
    roadshow: Event
    block: ProgrammeSession
    published_slot: PitchSlot
    proposed_slot: PitchSlot
    draft: Event
    draft_session: ProgrammeSession
    organiser: User


@pytest.fixture
def summit(app: Flask, make_user, make_event, make_session, make_organisation, make_application) -> Summit:
    """The events every attendee test starts from (see Summit)."""
    organiser = make_user("olga@example.org", name="Olga Organiser")
    event = make_event(
        organiser=organiser,
        slug="summit",
        title="Science Parks Summit",
        status=EventStatus.PUBLISHED,
        timezone="Europe/Brussels",
        start_date=date(2030, 12, 1),
        end_date=date(2030, 12, 2),
    )
    # 09:00–10:00 and 10:30–12:00 Brussels (UTC+1) on 1 December; a talk on the 2nd, cancelled.
    keynote = make_session(event, starts_at=utc(1, 8), minutes=60, title="Opening keynote")
    panel = make_session(
        event, starts_at=utc(1, 9, 30), minutes=90, kind=SessionKind.PANEL, title="Parks panel", track="A"
    )
    cancelled_talk = make_session(
        event, starts_at=utc(2, 8), minutes=30, title="Withdrawn talk", status=SessionStatus.CANCELLED
    )
    roadshow = make_event(
        organiser=organiser,
        slug="roadshow",
        title="Projects Roadshow",
        kind=EventKind.ROADSHOW,
        status=EventStatus.PUBLISHED,
        timezone="Asia/Shanghai",
        start_date=date(2030, 12, 3),
        end_date=date(2030, 12, 3),
    )
    # 16:00–17:00 Shanghai (UTC+8) on 3 December = 08:00–09:00 UTC.
    block = make_session(
        roadshow,
        starts_at=utc(3, 8),
        minutes=60,
        kind=SessionKind.PITCH_BLOCK,
        title="Afternoon pitches",
        slot_minutes=10,
        changeover_minutes=5,
    )
    acme = make_organisation("Acme Robotics GmbH", "DE")
    dragon = make_organisation("Dragon Med", "CN", city="Qingdao")
    acme_application = make_application(
        roadshow, acme, title="Rehab exoskeleton", status=ApplicationStatus.ACCEPTED
    )
    dragon_application = make_application(
        roadshow, dragon, title="Big data clinic", status=ApplicationStatus.ACCEPTED
    )
    with app.app_context():
        published = PitchSlot(
            session_id=block.id,
            starts_at=utc(3, 8),
            ends_at=utc(3, 8, 10),
            application_id=acme_application.id,
            state=SlotState.PUBLISHED,
        )
        proposed = PitchSlot(
            session_id=block.id,
            starts_at=utc(3, 8, 15),
            ends_at=utc(3, 8, 25),
            application_id=dragon_application.id,
            state=SlotState.PROPOSED,
        )
        db.session.add_all([published, proposed])
        db.session.commit()
        for slot in (published, proposed):
            db.session.refresh(slot)
            db.session.expunge(slot)
    draft = make_event(organiser=organiser, slug="draft", title="Draft Summit", status=EventStatus.DRAFT)
    draft_session = make_session(draft, starts_at=utc(1, 8), title="Draft keynote")
    return Summit(
        event=event,
        keynote=keynote,
        panel=panel,
        cancelled_talk=cancelled_talk,
        roadshow=roadshow,
        block=block,
        published_slot=published,
        proposed_slot=proposed,
        draft=draft,
        draft_session=draft_session,
        organiser=organiser,
    )


@pytest.fixture
def make_registration(app: Flask) -> Callable[..., Registration]:
    """Factory: ``make_registration(event, user, status=registered, role=attendee, **columns)``."""

    def factory(
        event: Event,
        user: User,
        status: RegistrationStatus = RegistrationStatus.REGISTERED,
        role: RegistrationRole = RegistrationRole.ATTENDEE,
        **columns: Any,
    ) -> Registration:
        with app.app_context():
            registration = Registration(
                event_id=event.id, user_id=user.id, status=status, role=role, **columns
            )
            db.session.add(registration)
            db.session.commit()
            db.session.refresh(registration)
            db.session.expunge(registration)
        return registration

    return factory


def set_capacity(app: Flask, event: Event, capacity: int | None) -> None:
    """Give *event* a capacity (None: unlimited)."""
    with app.app_context():
        db.session.get(Event, event.id).capacity = capacity
        db.session.commit()


def registrations(app: Flask, event: Event) -> dict[int, tuple[str, str]]:
    """*event*'s registrations: user id → (status, role)."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Registration.user_id, Registration.status, Registration.role).where(
                Registration.event_id == event.id
            )
        ).all()
        return {user_id: (status.value, role.value) for user_id, status, role in rows}


def registration_ids(app: Flask, event: Event) -> dict[int, int]:
    """*event*'s registrations: user id → registration id."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Registration.user_id, Registration.id).where(Registration.event_id == event.id)
        ).all()
        return dict(rows)


def starred_sessions(app: Flask, registration_id: int) -> set[int]:
    """Ids of the sessions a registration starred."""
    with app.app_context():
        return set(
            db.session.scalars(
                sa.select(session_stars.c.session_id).where(
                    session_stars.c.registration_id == registration_id
                )
            )
        )


def starred_slots(app: Flask, registration_id: int) -> set[int]:
    """Ids of the pitch slots a registration starred."""
    with app.app_context():
        return set(
            db.session.scalars(
                sa.select(slot_stars.c.slot_id).where(slot_stars.c.registration_id == registration_id)
            )
        )


def star(
    app: Flask, registration_id: int, *, sessions: tuple[int, ...] = (), slots: tuple[int, ...] = ()
) -> None:
    """Star sessions and slots directly in the database."""
    with app.app_context():
        for session_id in sessions:
            db.session.execute(
                sa.insert(session_stars).values(registration_id=registration_id, session_id=session_id)
            )
        for slot_id in slots:
            db.session.execute(sa.insert(slot_stars).values(registration_id=registration_id, slot_id=slot_id))
        db.session.commit()


def outbox(app: Flask) -> list[tuple[str, str, str, str]]:
    """Every queued e-mail: (recipient, subject, text body, HTML body), oldest first."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                OutboxMessage.recipient,
                OutboxMessage.subject,
                OutboxMessage.body_text,
                OutboxMessage.body_html,
            ).order_by(OutboxMessage.id)
        ).all()
        return [tuple(row) for row in rows]


def logged_in_client(app: Flask, login: Callable[..., Any], user: User) -> FlaskClient:
    """A new test client signed in as *user*."""
    client = app.test_client()
    login(user, on=client)
    return client
