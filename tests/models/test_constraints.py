"""Invariants the database itself enforces, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from roadshow.enums import ApplicationStatus, EventKind, ProjectStage, Region, SessionKind
from roadshow.extensions import db
from roadshow.models import (
    AvailabilityWindow,
    Event,
    Organisation,
    PitchApplication,
    PitchSlot,
    ProgrammeSession,
    Registration,
)

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _event(slug: str = "summit") -> Event:
    return Event(
        slug=slug,
        kind=EventKind.ROADSHOW,
        title="Roadshow",
        timezone="Europe/Brussels",
        start_date=date(2026, 12, 1),
        end_date=date(2026, 12, 2),
    )


def _pitch_setup() -> tuple[ProgrammeSession, PitchApplication, PitchApplication]:
    event = _event()
    block = ProgrammeSession(
        event=event,
        kind=SessionKind.PITCH_BLOCK,
        title="Pitches",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        slot_minutes=10,
        changeover_minutes=5,
    )
    applications = []
    for name, country, region in (("Acme GmbH", "DE", Region.EU), ("青岛科技", "CN", Region.CN)):
        organisation = Organisation(name=name, normalised_name=name.lower(), country=country, region=region)
        applications.append(
            PitchApplication(
                event=event,
                organisation=organisation,
                title=f"{name} project",
                summary="A project.",
                stage=ProjectStage.PROTOTYPE,
                timezone="Europe/Berlin",
                status=ApplicationStatus.ACCEPTED,
            )
        )
    db.session.add_all([event, block, *applications])
    db.session.flush()
    return block, applications[0], applications[1]


def _expect_integrity_error() -> None:
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_slug_is_unique(app):
    with app.app_context():
        db.session.add_all([_event("same"), _event("same")])
        _expect_integrity_error()


def test_event_end_date_before_start_is_refused(app):
    with app.app_context():
        event = _event()
        event.end_date = date(2026, 11, 30)
        db.session.add(event)
        _expect_integrity_error()


def test_session_must_end_after_it_starts(app):
    with app.app_context():
        event = _event()
        db.session.add(
            ProgrammeSession(event=event, kind=SessionKind.PANEL, title="x", starts_at=START, ends_at=START)
        )
        _expect_integrity_error()


def test_application_holds_at_most_one_slot(app):
    with app.app_context():
        block, first, _ = _pitch_setup()
        for minutes in (0, 15):
            db.session.add(
                PitchSlot(
                    session=block,
                    starts_at=START + timedelta(minutes=minutes),
                    ends_at=START + timedelta(minutes=minutes + 10),
                    application_id=first.id,
                )
            )
        _expect_integrity_error()


def test_slot_holds_one_application_and_can_be_freed(app):
    with app.app_context():
        block, first, second = _pitch_setup()
        slot = PitchSlot(session=block, starts_at=START, ends_at=START + timedelta(minutes=10))
        db.session.add(slot)
        slot.application_id = first.id
        db.session.flush()
        slot.application_id = second.id  # one column: holding a second one replaces the first
        db.session.flush()
        assert db.session.scalar(sa.select(PitchSlot.application_id)) == second.id


def test_slot_must_end_after_it_starts(app):
    with app.app_context():
        block, _, _ = _pitch_setup()
        db.session.add(PitchSlot(session=block, starts_at=START, ends_at=START - timedelta(minutes=1)))
        _expect_integrity_error()


def test_availability_window_must_end_after_it_starts(app):
    with app.app_context():
        _, first, _ = _pitch_setup()
        db.session.add(AvailabilityWindow(application_id=first.id, starts_at=START, ends_at=START))
        _expect_integrity_error()


def test_one_registration_per_user_and_event(app, make_user):
    user = make_user()
    with app.app_context():
        event = _event()
        db.session.add(event)
        db.session.flush()
        db.session.add_all(
            [
                Registration(event_id=event.id, user_id=user.id),
                Registration(event_id=event.id, user_id=user.id),
            ]
        )
        _expect_integrity_error()


def test_one_application_per_organisation_and_event(app):
    with app.app_context():
        _, first, _ = _pitch_setup()
        db.session.add(
            PitchApplication(
                event_id=first.event_id,
                organisation_id=first.organisation_id,
                title="Second try",
                summary="Again.",
                stage=ProjectStage.IDEA,
                timezone="Europe/Berlin",
            )
        )
        _expect_integrity_error()


def test_unknown_enum_value_is_refused(app):
    with app.app_context():
        event = _event()
        db.session.add(event)
        db.session.flush()
        with pytest.raises((StatementError, LookupError)):
            db.session.execute(sa.update(Event).values(kind="festival"))
        db.session.rollback()


def test_naive_datetime_is_refused(app):
    with app.app_context():
        event = _event()
        db.session.add(
            ProgrammeSession(
                event=event,
                kind=SessionKind.PANEL,
                title="x",
                starts_at=datetime(2026, 12, 1, 8, 0),  # noqa: DTZ001 - the point of the test
                ends_at=datetime(2026, 12, 1, 9, 0),  # noqa: DTZ001
            )
        )
        with pytest.raises(StatementError, match="naive datetime"):
            db.session.flush()
        db.session.rollback()


def test_instants_come_back_aware_in_utc(app):
    shanghai_morning = datetime.fromisoformat("2026-12-01T16:00:00+08:00")
    with app.app_context():
        event = _event()
        db.session.add(
            ProgrammeSession(
                event=event,
                kind=SessionKind.PANEL,
                title="x",
                starts_at=shanghai_morning,
                ends_at=shanghai_morning + timedelta(hours=1),
            )
        )
        db.session.commit()
        db.session.expire_all()
        stored = db.session.scalar(sa.select(ProgrammeSession.starts_at))
    assert stored == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)
