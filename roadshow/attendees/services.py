"""Registrations with a capacity and a waiting list, starred sessions and pitches, the agenda.

Every function takes the acting user; none commits (the route does). Capacity is kept under
concurrency by locking the event's row (``SELECT … FOR UPDATE`` on PostgreSQL) before counting the
seats taken, so two registrations for the last seat are decided one after the other: one gets the
seat, the other the waiting list. The same lock serialises cancellations, so the oldest waiting
registration is promoted exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from roadshow import timezones
from roadshow.enums import EventStatus, RegistrationRole, RegistrationStatus, SessionStatus, SlotState
from roadshow.extensions import db
from roadshow.links import external_url
from roadshow.mail.outbox import queue_email
from roadshow.models import (
    Event,
    OutboxMessage,
    PitchApplication,
    PitchSlot,
    ProgrammeSession,
    Registration,
    User,
    session_stars,
    utcnow,
)
from roadshow.models.registration import slot_stars
from roadshow.permissions import PUBLIC_EVENT_STATUSES

# Pitch slots an attendee can see and star: those of a published pitch programme holding a company.
VISIBLE_SLOT_STATES = (SlotState.PUBLISHED, SlotState.CONFIRMED)
ACTIVE_STATUSES = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
ROLE_LABELS = {RegistrationRole.ATTENDEE: _l("Attendee"), RegistrationRole.INVESTOR: _l("Investor")}
STATUS_LABELS = {
    RegistrationStatus.REGISTERED: _l("Registered"),
    RegistrationStatus.WAITLISTED: _l("On the waiting list"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}
# The day grid: one row per quarter hour, at most this many side-by-side columns.
GRID_MINUTES = 15
MAX_GRID_LANES = 8


class RegistrationRefusedError(Exception):
    """A registration (or a star) the event's state does not allow; the message says why."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = str(message)


@dataclass(frozen=True)
class RegistrationOutcome:
    """What register() did: ``registered``, ``waitlisted``, ``role_changed`` or ``unchanged``."""

    registration: Registration
    result: str


# --- Loading -------------------------------------------------------------------------------------------


def public_event_or_none(slug: str) -> Event | None:
    """The event with *slug* when it is public (published, cancelled or archived); never a draft."""
    return db.session.scalar(
        sa.select(Event).where(Event.slug == slug, Event.status.in_(tuple(PUBLIC_EVENT_STATUSES)))
    )


def registration_of(user: User, event: Event) -> Registration | None:
    """*user*'s registration for *event*, in whatever state, if any."""
    return db.session.scalar(
        sa.select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id)
    )


def own_registration_or_none(user: User, registration_id: int) -> Registration | None:
    """Registration *registration_id* when it is *user*'s and its event is public; else None."""
    return db.session.scalar(
        sa.select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.id == registration_id,
            Registration.user_id == user.id,
            Event.status.in_(tuple(PUBLIC_EVENT_STATUSES)),
        )
    )


def _sqlite_write_lock(table: sa.Table) -> None:
    """SQLite ignores ``FOR UPDATE``: begin its single write transaction now instead (a write that
    changes no row), so concurrent writers queue here and each then reads what the one before it
    committed. A no-op on PostgreSQL, whose row locks do this."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(table).where(sa.false()).values({table.c.id: table.c.id}))


def _lock_event(event: Event) -> Event:
    """Lock *event*'s row until the transaction ends (on SQLite: the database's one write lock)."""
    _sqlite_write_lock(Event.__table__)
    return db.session.scalars(
        sa.select(Event)
        .where(Event.id == event.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def seats_taken(event: Event) -> int:
    """How many registrations hold a seat at *event*."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.REGISTERED)
    )


def seat_counts(event: Event) -> tuple[int, int]:
    """How many registrations hold a seat at *event*, and how many wait for one (one query)."""
    counts = dict(
        db.session.execute(
            sa.select(Registration.status, sa.func.count())
            .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES))
            .group_by(Registration.status)
        ).all()
    )
    return counts.get(RegistrationStatus.REGISTERED, 0), counts.get(RegistrationStatus.WAITLISTED, 0)


def waitlist_position(registration: Registration) -> int | None:
    """1 for the next registration to get a seat, 2 for the one after …; None when not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            sa.or_(
                Registration.created_at < registration.created_at,
                sa.and_(
                    Registration.created_at == registration.created_at, Registration.id < registration.id
                ),
            ),
        )
    )
    return ahead + 1


def event_is_over(event: Event, now: datetime | None = None) -> bool:
    """True once *event*'s last day has passed in its own zone."""
    return event.end_date < timezones.local_date(now or utcnow(), event.timezone)


# --- Registering and cancelling ------------------------------------------------------------------------


def _refuse_unless_open(event: Event) -> None:
    if event.status == EventStatus.CANCELLED:
        raise RegistrationRefusedError(_l("This event has been cancelled; registration is closed."))
    if event.status != EventStatus.PUBLISHED or event_is_over(event):
        raise RegistrationRefusedError(_l("This event is over; registration is closed."))


def _is_full(event: Event) -> bool:
    return event.capacity is not None and seats_taken(event) >= event.capacity


def register(user: User, event: Event, role: RegistrationRole) -> RegistrationOutcome:
    """Register *user* for *event* as *role*: a seat while there is one, else the waiting list.

    A cancelled registration is reused (and goes to the back of the queue); an active one only
    changes its role. Raises RegistrationRefusedError when the event is not open for registration.
    """
    event = _lock_event(event)
    _refuse_unless_open(event)
    # Seats freed by a larger capacity go to those already waiting before anyone new.
    promote_waitlisted(event)
    registration = registration_of(user, event)
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        if registration.role == role:
            return RegistrationOutcome(registration, "unchanged")
        registration.role = role
        db.session.flush()
        return RegistrationOutcome(registration, "role_changed")
    status = RegistrationStatus.WAITLISTED if _is_full(event) else RegistrationStatus.REGISTERED
    if registration is None:
        registration = Registration(event_id=event.id, user_id=user.id, role=role, status=status)
        db.session.add(registration)
    else:
        registration.role = role
        registration.status = status
        # The waiting list is served oldest first: coming back means queueing again.
        registration.created_at = utcnow()
    db.session.flush()
    return RegistrationOutcome(registration, status.value)


def cancel(user: User, registration: Registration) -> list[Registration]:
    """Cancel *user*'s *registration*; a freed seat goes to the oldest waiting registration.

    Returns the registrations promoted (each e-mailed in its owner's language). Cancelling twice
    changes nothing.
    """
    if registration.user_id != user.id:
        raise PermissionError("another user's registration")
    event = _lock_event(registration.event)
    db.session.refresh(registration)  # its state as of the lock, not as first read
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    held_seat = registration.status == RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.CANCELLED
    db.session.flush()
    return promote_waitlisted(event) if held_seat else []


def promote_waitlisted(event: Event) -> list[Registration]:
    """Give free seats of *event* to waiting registrations, oldest first, and e-mail each of them.

    The caller must hold the event's row lock (register() and cancel() do); call it too after
    raising or removing an event's capacity. A cancelled or past event promotes nobody.
    """
    if event.status != EventStatus.PUBLISHED or event_is_over(event):
        return []
    statement = (
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.created_at, Registration.id)
        .options(selectinload(Registration.user))
    )
    if event.capacity is not None:
        free = event.capacity - seats_taken(event)
        if free <= 0:
            return []
        statement = statement.limit(free)
    promoted = list(db.session.scalars(statement))
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
    db.session.flush()
    for registration in promoted:
        queue_promotion_email(registration, event)
    return promoted


def fill_free_seats(event: Event) -> list[Registration]:
    """Lock *event* and give any free seats to those waiting: call after changing its capacity."""
    return promote_waitlisted(_lock_event(event))


def queue_promotion_email(registration: Registration, event: Event) -> OutboxMessage:
    """Tell the owner of *registration*, in their language, that they now have a seat at *event*."""
    user = registration.user
    context = {
        "user": user,
        "event": event,
        "registration": registration,
        "event_url": external_url("attendees.register", slug=event.slug),
        "agenda_url": external_url("attendees.agenda"),
    }
    with force_locale(user.locale or "en"):
        subject = render_template("attendees/promoted_email.subject.txt", **context).strip()
        body_text = render_template("attendees/promoted_email.txt", **context)
        body_html = render_template("attendees/promoted_email.html", **context)
    return queue_email(
        user.email, subject, body_text, body_html, dedupe_key=f"registration-promoted-{registration.id}"
    )


# --- Stars ---------------------------------------------------------------------------------------------


def _insert_ignoring_duplicates(table: sa.Table, values: dict[str, int]) -> bool:
    """INSERT a row unless it is there already (two clicks at once star once, without an error);
    True when the row was inserted."""
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:  # pragma: no cover - only PostgreSQL and SQLite are supported
        statement = sa.insert(table).values(**values)
    else:
        statement = insert(table).values(**values).on_conflict_do_nothing()
    return db.session.execute(statement).rowcount > 0


def _refuse_unless_active(registration: Registration) -> None:
    if registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationRefusedError(
            _l("Your registration is cancelled. Register again to build your agenda.")
        )


def session_of_registration(registration: Registration, session_id: int) -> ProgrammeSession | None:
    """Session *session_id* when it belongs to *registration*'s event."""
    return db.session.scalar(
        sa.select(ProgrammeSession).where(
            ProgrammeSession.id == session_id, ProgrammeSession.event_id == registration.event_id
        )
    )


def visible_slot_of_registration(registration: Registration, slot_id: int) -> PitchSlot | None:
    """Pitch slot *slot_id* when it belongs to *registration*'s event and is published."""
    return db.session.scalar(
        sa.select(PitchSlot)
        .join(ProgrammeSession, ProgrammeSession.id == PitchSlot.session_id)
        .where(
            PitchSlot.id == slot_id,
            ProgrammeSession.event_id == registration.event_id,
            PitchSlot.state.in_(VISIBLE_SLOT_STATES),
            PitchSlot.application_id.is_not(None),
        )
    )


def set_session_star(
    user: User, registration: Registration, session: ProgrammeSession, starred: bool
) -> bool:
    """Star (or unstar) *session* in *user*'s agenda; True when that changed anything.

    A cancelled session can be unstarred but not starred; a cancelled registration neither.
    """
    if registration.user_id != user.id or session.event_id != registration.event_id:
        raise PermissionError("session or registration of another user or event")
    _refuse_unless_active(registration)
    key = {"registration_id": registration.id, "session_id": session.id}
    if not starred:
        result = db.session.execute(
            sa.delete(session_stars).where(
                session_stars.c.registration_id == registration.id, session_stars.c.session_id == session.id
            )
        )
        return result.rowcount > 0
    if session.status == SessionStatus.CANCELLED:
        raise RegistrationRefusedError(_l("This session has been cancelled."))
    return _insert_ignoring_duplicates(session_stars, key)


def set_slot_star(user: User, registration: Registration, slot: PitchSlot, starred: bool) -> bool:
    """Star (or unstar) a published pitch *slot* in *user*'s agenda; True when that changed anything."""
    if registration.user_id != user.id:
        raise PermissionError("another user's registration")
    _refuse_unless_active(registration)
    if not starred:
        result = db.session.execute(
            sa.delete(slot_stars).where(
                slot_stars.c.registration_id == registration.id, slot_stars.c.slot_id == slot.id
            )
        )
        return result.rowcount > 0
    return _insert_ignoring_duplicates(slot_stars, {"registration_id": registration.id, "slot_id": slot.id})


def starred_ids(registration: Registration | None) -> tuple[set[int], set[int]]:
    """The ids of the sessions and of the pitch slots *registration* starred (one query)."""
    if registration is None:
        return set(), set()
    rows = db.session.execute(
        sa.union_all(
            sa.select(session_stars.c.session_id, sa.literal(0).label("is_slot")).where(
                session_stars.c.registration_id == registration.id
            ),
            sa.select(slot_stars.c.slot_id, sa.literal(1).label("is_slot")).where(
                slot_stars.c.registration_id == registration.id
            ),
        )
    ).all()
    sessions = {item_id for item_id, slot in rows if not slot}
    slots = {item_id for item_id, slot in rows if slot}
    return sessions, slots


# --- The programme to choose from, and the agenda ------------------------------------------------------


def event_programme(event: Event) -> list[ProgrammeSession]:
    """*event*'s sessions in time order, each with its published pitch slots loaded."""
    return list(
        db.session.scalars(
            sa.select(ProgrammeSession)
            .where(ProgrammeSession.event_id == event.id)
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.track, ProgrammeSession.id)
        )
    )


def visible_slots(event: Event) -> dict[int, list[PitchSlot]]:
    """*event*'s published pitch slots by session id, in time order, with their companies loaded."""
    slots = db.session.scalars(
        sa.select(PitchSlot)
        .join(ProgrammeSession, ProgrammeSession.id == PitchSlot.session_id)
        .where(
            ProgrammeSession.event_id == event.id,
            PitchSlot.state.in_(VISIBLE_SLOT_STATES),
            PitchSlot.application_id.is_not(None),
        )
        .order_by(PitchSlot.starts_at, PitchSlot.id)
        .options(selectinload(PitchSlot.application).selectinload(PitchApplication.organisation))
    )
    by_session: dict[int, list[PitchSlot]] = {}
    for slot in slots:
        by_session.setdefault(slot.session_id, []).append(slot)
    return by_session


def user_registrations(user: User) -> list[Registration]:
    """*user*'s registrations for public events (cancelled ones too), soonest event first."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .join(Event, Event.id == Registration.event_id)
            .where(Registration.user_id == user.id, Event.status.in_(tuple(PUBLIC_EVENT_STATUSES)))
            .order_by(Event.start_date, Event.id)
            .options(selectinload(Registration.event))
        )
    )


@dataclass(frozen=True)
class AgendaItem:
    """One starred session or pitch in a user's agenda."""

    kind: str  # "session" or "pitch"
    starts_at: datetime
    ends_at: datetime
    event: Event
    registration_id: int
    session: ProgrammeSession
    slot: PitchSlot | None = None

    @property
    def cancelled(self) -> bool:
        """True when the session (or its whole event) has been cancelled."""
        return self.session.status == SessionStatus.CANCELLED or self.event.status == EventStatus.CANCELLED

    @property
    def item_id(self) -> int:
        """The session's id, or the pitch slot's."""
        return self.slot.id if self.slot is not None else self.session.id


def agenda(user: User) -> list[AgendaItem]:
    """What *user* starred in the public events they are (still) registered for, in time order.

    Three queries whatever the number of items: the starred sessions, the starred published pitch
    slots (each with its block, company and event), and nothing per item.
    """
    active = sa.and_(
        Registration.user_id == user.id,
        Registration.status.in_(ACTIVE_STATUSES),
        Event.status.in_(tuple(PUBLIC_EVENT_STATUSES)),
    )
    session_rows = db.session.execute(
        sa.select(ProgrammeSession, Registration.id)
        .join(session_stars, session_stars.c.session_id == ProgrammeSession.id)
        .join(Registration, Registration.id == session_stars.c.registration_id)
        .join(Event, Event.id == Registration.event_id)
        .where(active, ProgrammeSession.event_id == Registration.event_id)
        .options(selectinload(ProgrammeSession.event))
    ).all()
    slot_rows = db.session.execute(
        sa.select(PitchSlot, Registration.id)
        .join(slot_stars, slot_stars.c.slot_id == PitchSlot.id)
        .join(Registration, Registration.id == slot_stars.c.registration_id)
        .join(Event, Event.id == Registration.event_id)
        .join(ProgrammeSession, ProgrammeSession.id == PitchSlot.session_id)
        .where(
            active,
            ProgrammeSession.event_id == Registration.event_id,
            PitchSlot.state.in_(VISIBLE_SLOT_STATES),
            PitchSlot.application_id.is_not(None),
        )
        .options(
            selectinload(PitchSlot.session).selectinload(ProgrammeSession.event),
            selectinload(PitchSlot.application).selectinload(PitchApplication.organisation),
        )
    ).all()
    items = [
        AgendaItem("session", s.starts_at, s.ends_at, s.event, registration_id, s)
        for s, registration_id in session_rows
    ] + [
        AgendaItem(
            "pitch", slot.starts_at, slot.ends_at, slot.session.event, registration_id, slot.session, slot
        )
        for slot, registration_id in slot_rows
    ]
    items.sort(key=lambda item: (item.starts_at, item.ends_at, item.kind != "session", item.item_id))
    return items


def group_by_day(items: Iterable[Any], tz_name: str) -> list[tuple[date, list[Any]]]:
    """Items (anything with ``starts_at``), already in time order, grouped by their local day in *tz_name*."""
    return [
        (day, list(group))
        for day, group in groupby(items, key=lambda item: timezones.local_date(item.starts_at, tz_name))
    ]


# --- The day grid --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridItem:
    """An agenda item placed on the day grid: its first row, how many rows it spans, its column."""

    item: AgendaItem
    row: int  # 1-based, one row per GRID_MINUTES from the grid's first hour
    span: int
    lane: int  # 0-based column among items that overlap
    starts_before: bool  # began on an earlier day
    ends_after: bool  # goes on past the end of the day


@dataclass(frozen=True)
class GridHour:
    """An hour line of the day grid: its instant and its row."""

    instant: datetime
    row: int


@dataclass(frozen=True)
class DayGrid:
    """One local day of the agenda as rows of GRID_MINUTES; hours are instants, so a day with a
    daylight-saving change has 23 or 25 of them (the repeated hour is shown twice)."""

    day: date
    tz_name: str
    hours: list[GridHour]
    items: list[GridItem]
    lanes: int


def _rows_between(start: datetime, end: datetime) -> int:
    return int((end - start) / timedelta(minutes=GRID_MINUTES))


def day_grid(items: Iterable[AgendaItem], day: date, tz_name: str) -> DayGrid:
    """Lay out the *items* that touch local *day* in *tz_name* on a grid of quarter hours.

    The grid runs from the whole hour before the first item to the whole hour after the last one
    (clipped to the day); overlapping items are put side by side in lanes (at most MAX_GRID_LANES).
    """
    day_start, day_end = timezones.local_day_bounds(day, tz_name)
    touching = [item for item in items if item.starts_at < day_end and item.ends_at > day_start]
    if not touching:
        return DayGrid(day, tz_name, [], [], 0)
    first = max(min(item.starts_at for item in touching), day_start)
    last = min(max(item.ends_at for item in touching), day_end)
    # Whole hours from the start of the local day (elapsed time, so DST days stay exact).
    hour = timedelta(hours=1)
    top = day_start + hour * ((first - day_start) // hour)
    bottom = day_start + hour * -((day_start - last) // hour)
    hours = []
    instant = top
    while instant < bottom:
        hours.append(GridHour(instant, _rows_between(top, instant) + 1))
        instant += hour
    lane_ends: list[datetime] = []
    placed = []
    for item in sorted(touching, key=lambda i: (i.starts_at, i.ends_at)):
        start, end = max(item.starts_at, top), min(item.ends_at, bottom)
        lane = next((i for i, lane_end in enumerate(lane_ends) if lane_end <= start), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        row = _rows_between(top, start) + 1
        span = max(1, -(-(end - start) // timedelta(minutes=GRID_MINUTES)))
        placed.append(
            GridItem(
                item=item,
                row=row,
                span=span,
                lane=min(lane, MAX_GRID_LANES - 1),
                starts_before=item.starts_at < day_start,
                ends_after=item.ends_at > day_end,
            )
        )
    return DayGrid(day, tz_name, hours, placed, min(len(lane_ends), MAX_GRID_LANES))


def grid_days(items: Iterable[AgendaItem], tz_name: str) -> list[date]:
    """Every local day in *tz_name* that an agenda item touches, in order."""
    days: set[date] = set()
    for item in items:
        day = timezones.local_date(item.starts_at, tz_name)
        last = timezones.local_date(item.ends_at - timedelta(microseconds=1), tz_name)
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return sorted(days)
