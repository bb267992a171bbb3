"""Fixtures for feed tests: slots, registrations with stars, personal tokens, query counting, and a
published summit with a pitch programme."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from roadshow.enums import ApplicationStatus, EventStatus, SessionKind, SlotState
from roadshow.extensions import db
from roadshow.feeds import tokens
from roadshow.feeds.cache import feed_cache
from roadshow.models import (
    Event,
    Organisation,
    PitchApplication,
    PitchSlot,
    ProgrammeSession,
    Registration,
    User,
    session_stars,
    utcnow,
)


def october_change(year: int) -> date:
    """The day the EU's clocks go back: the last Sunday of October."""
    day = date(year, 10, 31)
    return day - timedelta(days=(day.weekday() - 6) % 7)


# The summit is always next year, so that it is never over (cancelled sessions leave a feed then).
YEAR = utcnow().year + 1
CHANGE_DAY = october_change(YEAR)
BEFORE_DAY = CHANGE_DAY - timedelta(days=1)  # summer time: Brussels is UTC+2
AFTER_DAY = CHANGE_DAY + timedelta(days=1)  # winter time: Brussels is UTC+1


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A UTC instant on *day*."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def stamp(day: date, hour: int, minute: int = 0) -> str:
    """A local date-time as iCalendar writes it (``20271030T100000``)."""
    return f"{day:%Y%m%d}T{hour:02d}{minute:02d}00"


@pytest.fixture(autouse=True)
def _empty_feed_cache(app: Flask) -> Iterator[None]:
    """Every test starts with no rendered feed kept (ids repeat across tests on a fresh schema)."""
    feed_cache(app).clear()  # type: ignore[attr-defined]
    yield


@pytest.fixture
def make_slot(app: Flask) -> Callable[..., PitchSlot]:
    """``make_slot(session, starts_at, minutes=15, application=None, state=PUBLISHED, sequence=0)``."""

    def factory(
        session: ProgrammeSession,
        starts_at: datetime,
        minutes: int = 15,
        application: PitchApplication | None = None,
        state: SlotState = SlotState.PUBLISHED,
        **columns: Any,
    ) -> PitchSlot:
        with app.app_context():
            slot = PitchSlot(
                session_id=session.id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=minutes),
                application_id=application.id if application is not None else None,
                state=state,
                **columns,
            )
            db.session.add(slot)
            db.session.commit()
            db.session.refresh(slot)
            db.session.expunge(slot)
            return slot

    return factory


@pytest.fixture
def register(app: Flask) -> Callable[..., Registration]:
    """``register(event, user, starred=(sessions…), **columns)`` → a saved registration with stars."""

    def factory(event: Event, user: User, starred: tuple[ProgrammeSession, ...] = (), **columns: Any):
        with app.app_context():
            registration = Registration(event_id=event.id, user_id=user.id, **columns)
            db.session.add(registration)
            db.session.flush()
            for session in starred:
                db.session.execute(
                    session_stars.insert().values(registration_id=registration.id, session_id=session.id)
                )
            db.session.commit()
            db.session.refresh(registration)
            db.session.expunge(registration)
            return registration

    return factory


@pytest.fixture
def personal_token(app: Flask) -> Callable[[User], str]:
    """``personal_token(user)`` → a fresh personal feed token (older ones revoked)."""

    def factory(user: User) -> str:
        with app.app_context():
            token = tokens.issue_token(db.session.get(User, user.id))
            db.session.commit()
            return token

    return factory


@pytest.fixture
def change(app: Flask) -> Callable[..., None]:
    """``change(Model, id, bump_event=None, **values)``: update a row (and raise an event's version)."""

    def apply(model: type, row_id: int, bump_event: int | None = None, **values: Any) -> None:
        with app.app_context():
            db.session.execute(sa.update(model).where(model.id == row_id).values(**values))
            if bump_event is not None:
                db.session.execute(
                    sa.update(Event)
                    .where(Event.id == bump_event)
                    .values(programme_version=Event.programme_version + 1)
                )
            db.session.commit()

    return apply


class QueryCounter:
    """Counts the SQL statements an engine runs while active."""

    def __init__(self) -> None:
        """Start at zero."""
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        """Record one statement (a before_cursor_execute listener)."""
        self.statements.append(statement)

    @property
    def count(self) -> int:
        """How many statements ran."""
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], contextlib.AbstractContextManager[QueryCounter]]:
    """``with count_queries() as counter: …`` counts the statements run inside the block."""

    @contextlib.contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)

    return counting


@dataclass
class Summit:
    """A published summit in Brussels next year, with sessions on both sides of the October DST
    change (BEFORE_DAY 10:00 CEST, AFTER_DAY 10:00 CET), a pitch
    block with one published, one confirmed and one proposed slot, and the people around it."""

    event: Event
    organiser: User
    attendee: User
    member: User
    organisation: Organisation
    other_organisation: Organisation
    application: PitchApplication
    other_application: PitchApplication
    keynote: ProgrammeSession
    panel: ProgrammeSession
    block: ProgrammeSession
    published_slot: PitchSlot
    confirmed_slot: PitchSlot
    proposed_slot: PitchSlot


@pytest.fixture
def summit(make_user, make_event, make_session, make_organisation, make_application, make_slot) -> Summit:
    """The Summit world (see the class)."""
    organiser = make_user("organiser@example.org", name="Olga Organiser")
    attendee = make_user("attendee@example.org", name="Ana Attendee")
    member = make_user("li.wei@example.cn", name="Li Wei", locale="zh", timezone="Asia/Shanghai")
    event = make_event(
        organiser=organiser,
        slug="eu-china-2026",
        title="EU–China Innovation Summit",
        title_zh="中欧创新峰会",
        status=EventStatus.PUBLISHED,
        start_date=BEFORE_DAY,
        end_date=AFTER_DAY,
        join_url="https://meet.example.org/summit",
    )
    keynote = make_session(
        event,
        title="Opening keynote, welcome",
        title_zh="开幕主旨演讲, 欢迎",
        starts_at=at(BEFORE_DAY, 8),  # 10:00 CEST
        description="Welcome; the programme\\n",
        track="Main hall",
    )
    panel = make_session(
        event,
        kind=SessionKind.PANEL,
        title="Biomedicine panel",
        starts_at=at(AFTER_DAY, 9),  # 10:00 CET
        join_url="https://meet.example.org/panel",
    )
    block = make_session(
        event,
        kind=SessionKind.PITCH_BLOCK,
        title="Pitches: medical devices",
        starts_at=at(AFTER_DAY, 12),
        minutes=90,
        slot_minutes=15,
        changeover_minutes=0,
    )
    organisation = make_organisation(
        "Qingdao MedTech Co.", country="CN", members=(member,), name_zh="青岛医疗科技"
    )
    other_organisation = make_organisation("Rehab Robotics GmbH", country="DE")
    application = make_application(
        event,
        organisation,
        status=ApplicationStatus.ACCEPTED,
        title="Smart rehab glove",
        title_zh="智能康复手套",
    )
    other_application = make_application(
        event, other_organisation, status=ApplicationStatus.ACCEPTED, title="Exoskeleton"
    )
    third = make_application(
        event, make_organisation("Hidden Co."), status=ApplicationStatus.ACCEPTED, title="Not yet"
    )
    published_slot = make_slot(block, at(AFTER_DAY, 12), application=application)
    confirmed_slot = make_slot(
        block, at(AFTER_DAY, 12, 15), application=other_application, state=SlotState.CONFIRMED
    )
    proposed_slot = make_slot(block, at(AFTER_DAY, 12, 30), application=third, state=SlotState.PROPOSED)
    return Summit(
        event=event,
        organiser=organiser,
        attendee=attendee,
        member=member,
        organisation=organisation,
        other_organisation=other_organisation,
        application=application,
        other_application=other_application,
        keynote=keynote,
        panel=panel,
        block=block,
        published_slot=published_slot,
        confirmed_slot=confirmed_slot,
        proposed_slot=proposed_slot,
    )


# The four independent parsers (icalendar, vobject, ical.js, libical), shared with tests/calendar.
from tests.calendar.conftest import icaljs_ready, libical_binary, read_all  # noqa: E402, F401
