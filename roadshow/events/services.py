"""Organiser operations: events, their programme sessions, publication and co-organisers.

Every operation takes the acting user, refuses it (PermissionError) unless that user may manage the
event, validates the domain rules (raising InvalidChangeError with messages keyed by form field),
records the change in the audit log, flushes and never commits: the route commits.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from roadshow import permissions, timezones
from roadshow.attendees.services import fill_free_seats
from roadshow.audit import ACTION_LABELS, record_change
from roadshow.enums import EventKind, EventStatus, SessionKind, SessionStatus, SlotState
from roadshow.extensions import db
from roadshow.i18n import EVENT_STATUS_LABELS
from roadshow.invitations import InvalidInvitationError, sign_invitation
from roadshow.invitations import read_invitation as read_signed_invitation
from roadshow.links import external_url
from roadshow.mail.outbox import queue_templated_email
from roadshow.models import (
    AuditLogEntry,
    Event,
    EventOrganiser,
    PitchApplication,
    ProgrammeSession,
    Registration,
    User,
)

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
SLUG_MAX_LENGTH = 80
DEFAULT_TIMEZONE = "Europe/Brussels"
INVITATION_SALT = "organiser-invitation"
# Dates outside this range are typing mistakes, and would overflow time-zone arithmetic near year 9999.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
MAX_CAPACITY = 1_000_000
MAX_SLOT_MINUTES = 480
MAX_CHANGEOVER_MINUTES = 120

EVENT_FIELDS = (
    "slug",
    "kind",
    "title",
    "title_zh",
    "description",
    "description_zh",
    "timezone",
    "start_date",
    "end_date",
    "join_url",
    "contact_email",
    "application_deadline",
    "capacity",
)
SESSION_FIELDS = (
    "kind",
    "status",
    "title",
    "title_zh",
    "description",
    "description_zh",
    "starts_at",
    "ends_at",
    "track",
    "join_url",
    "capacity",
    "slot_minutes",
    "changeover_minutes",
)
# A change to any of these is a change calendar clients must apply (iCalendar SEQUENCE).
SEQUENCE_FIELDS = ("starts_at", "ends_at", "track", "join_url", "status")

# action → (statuses it may start from, status it leads to)
STATUS_ACTIONS: dict[str, tuple[frozenset[EventStatus], EventStatus]] = {
    "publish": (frozenset({EventStatus.DRAFT}), EventStatus.PUBLISHED),
    "unpublish": (frozenset({EventStatus.PUBLISHED}), EventStatus.DRAFT),
    "cancel": (frozenset({EventStatus.PUBLISHED}), EventStatus.CANCELLED),
    "archive": (frozenset({EventStatus.PUBLISHED, EventStatus.CANCELLED}), EventStatus.ARCHIVED),
}


class InvalidChangeError(Exception):
    """Refused input: messages keyed by form field name (None for the form as a whole)."""

    def __init__(self, problems: dict[str | None, list[str]]) -> None:
        super().__init__("; ".join(message for messages in problems.values() for message in messages))
        self.problems = problems

    @classmethod
    def single(cls, message: Any, field: str | None = None) -> InvalidChangeError:
        """One problem, on *field* or on the whole form."""
        return cls({field: [str(message)]})


class _Problems:
    """Collects problems so that a form shows all of them at once."""

    def __init__(self) -> None:
        self.found: dict[str | None, list[str]] = defaultdict(list)

    def add(self, field: str | None, message: Any) -> None:
        self.found[field].append(str(message))

    def raise_if_any(self) -> None:
        if self.found:
            raise InvalidChangeError(dict(self.found))


@dataclass(frozen=True)
class EventDetails:
    """What an organiser enters about an event (local deadline date and time in the event's zone)."""

    kind: EventKind
    title: str
    timezone: str
    start_date: date
    end_date: date
    title_zh: str | None = None
    description: str = ""
    description_zh: str | None = None
    slug: str | None = None
    join_url: str | None = None
    contact_email: str | None = None
    deadline_date: date | None = None
    deadline_time: time | None = None
    capacity: int | None = None


@dataclass(frozen=True)
class SessionDetails:
    """What an organiser enters about a session: a local day and local times in the event's zone."""

    kind: SessionKind
    title: str
    day: date
    start_time: time
    end_time: time
    title_zh: str | None = None
    description: str = ""
    description_zh: str | None = None
    track: str = ""
    join_url: str | None = None
    capacity: int | None = None
    slot_minutes: int | None = None
    changeover_minutes: int | None = None


@dataclass(frozen=True)
class Invitation:
    """The contents of a valid organiser invitation link."""

    event_id: int
    email: str
    issued_at: datetime


@dataclass(frozen=True)
class AuditRow:
    """One audit entry ready for display: who, when, what, and each changed value."""

    created_at: datetime
    actor_name: str | None
    action: str
    action_label: str
    target_type: str
    target_id: int | None
    changes: list[tuple[str, Any, Any]]


# --- Small pure helpers ---------------------------------------------------------------------------


def slugify(text: str) -> str:
    """An ASCII slug of *text* (``EU–China Summit 2026`` → ``eu-china-summit-2026``); may be empty."""
    # Accents fall away (é → e); every other character that is not an ASCII letter or digit
    # (dashes, punctuation, CJK) separates words.
    decomposed = unicodedata.normalize("NFKD", text.lower())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", kept).strip("-")
    return slug[:60].rstrip("-")


def is_http_url(value: str) -> bool:
    """True for an absolute http(s) URL with a host and no spaces or control characters."""
    if not value or len(value) > 500 or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


def _clean(text: str | None) -> str | None:
    """Stripped text, or None when nothing is left."""
    text = (text or "").strip()
    return text or None


def _local_time_problem(exc: ValueError, tz_name: str) -> Any:
    if isinstance(exc, timezones.NonexistentLocalTimeError):
        return _l(
            "This time does not exist on that day in %(zone)s: the clocks move forward for daylight "
            "saving time. Choose another time.",
            zone=tz_name,
        )
    return _l(
        "This time happens twice on that day in %(zone)s because the clocks go back. "
        "Choose a time outside the repeated hour.",
        zone=tz_name,
    )


def _to_utc(day: date, wall_time: time, tz_name: str, field: str, problems: _Problems) -> datetime | None:
    """local_to_utc, with a skipped or repeated wall-clock time turned into a form problem."""
    try:
        return timezones.local_to_utc(day, wall_time, tz_name)
    except (timezones.NonexistentLocalTimeError, timezones.AmbiguousLocalTimeError) as exc:
        problems.add(field, _local_time_problem(exc, tz_name))
        return None


def _date_in_range(value: date) -> bool:
    return EARLIEST_DATE <= value <= LATEST_DATE


def _session_local_days(session: ProgrammeSession, tz_name: str) -> tuple[date, date]:
    """The local dates on which *session* starts and ends (an end at midnight belongs to the day before)."""
    first = timezones.local_date(session.starts_at, tz_name)
    last = timezones.local_date(session.ends_at - timedelta(microseconds=1), tz_name)
    return first, last


# --- Loading and guarding ---------------------------------------------------------------------------


def _require_manager(actor: Any, event: Event) -> None:
    if not permissions.can_manage_event(actor, event):
        raise PermissionError("user may not manage this event")


def _sqlite_write_lock(table: sa.Table) -> None:
    """SQLite ignores ``FOR UPDATE``: begin its single write transaction now instead (a write that
    changes no row), so concurrent writers queue here and each then reads what the one before it
    committed. A no-op on PostgreSQL, whose row locks do this."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(table).where(sa.false()).values({table.c.id: table.c.id}))


def _lock(event: Event) -> Event:
    """Lock the event's row for this transaction (PostgreSQL) and reload it, so that concurrent
    programme changes are applied one after the other (overlap checks, version counters)."""
    _sqlite_write_lock(Event.__table__)
    locked = db.session.scalars(
        sa.select(Event)
        .where(Event.id == event.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return locked


def _refuse_if_archived(event: Event) -> None:
    if event.status == EventStatus.ARCHIVED:
        raise InvalidChangeError.single(_l("This event is archived; it can no longer be changed."))


def _bump_programme(event: Event) -> None:
    event.programme_version = (event.programme_version or 1) + 1


def organised_events(user: Any) -> list[Event]:
    """The events *user* may manage (every event for an admin), the latest first."""
    statement = sa.select(Event).order_by(Event.start_date.desc(), Event.id.desc())
    if not permissions.is_admin(user):
        statement = statement.join(EventOrganiser, EventOrganiser.event_id == Event.id).where(
            EventOrganiser.user_id == user.id
        )
    return list(db.session.scalars(statement).all())


def session_of_event(event: Event, session_id: int) -> ProgrammeSession | None:
    """The session *session_id* when it belongs to *event*; None otherwise."""
    session = db.session.get(ProgrammeSession, session_id)
    if session is None or session.event_id != event.id:
        return None
    return session


def sessions_by_day(event: Event) -> list[tuple[date, list[ProgrammeSession]]]:
    """All of *event*'s sessions (cancelled ones too) grouped by local day in the event's zone."""
    sessions = db.session.scalars(
        sa.select(ProgrammeSession)
        .where(ProgrammeSession.event_id == event.id)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.track, ProgrammeSession.id)
    ).all()
    return [
        (day, list(items))
        for day, items in groupby(sessions, key=lambda s: timezones.local_date(s.starts_at, event.timezone))
    ]


# --- Events -------------------------------------------------------------------------------------------


def _slug_taken(slug: str, exclude_event_id: int | None = None) -> bool:
    statement = sa.select(Event.id).where(Event.slug == slug)
    if exclude_event_id is not None:
        statement = statement.where(Event.id != exclude_event_id)
    return db.session.scalar(statement.limit(1)) is not None


def unique_slug(title: str) -> str:
    """A free slug made from *title* (``event`` when it has no ASCII letters), numbered if needed."""
    base = slugify(title) or "event"
    candidate, number = base, 2
    while _slug_taken(candidate):
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def _validate_event(details: EventDetails, event: Event | None, problems: _Problems) -> datetime | None:
    """Check *details*; returns the application deadline as a UTC instant (or None)."""
    if not details.title.strip():
        problems.add("title", _l("Enter a title."))
    if details.slug is not None:
        if not SLUG_RE.match(details.slug) or len(details.slug) > SLUG_MAX_LENGTH:
            problems.add(
                "slug",
                _l(
                    "Use only lower-case letters a–z, digits and hyphens, starting and ending with a "
                    "letter or digit (at most %(n)d characters).",
                    n=SLUG_MAX_LENGTH,
                ),
            )
        elif _slug_taken(details.slug, event.id if event is not None else None):
            problems.add("slug", _l("Another event already uses this address; choose another."))
    zone_ok = timezones.is_valid_timezone(details.timezone)
    if not zone_ok:
        problems.add("timezone", _l("Choose a time zone from the list."))
    dates_ok = True
    for field, value in (("start_date", details.start_date), ("end_date", details.end_date)):
        if not _date_in_range(value):
            problems.add(field, _l("Choose a date between 2000 and 2100."))
            dates_ok = False
    if dates_ok and details.end_date < details.start_date:
        problems.add("end_date", _l("The last day cannot be before the first day."))
        dates_ok = False
    if details.join_url is not None and not is_http_url(details.join_url):
        problems.add("join_url", _l("Enter a full web address starting with https:// or http://."))
    deadline = None
    if (details.deadline_date is None) != (details.deadline_time is None):
        problems.add("deadline_time", _l("Enter both the date and the time of the deadline, or neither."))
    elif details.deadline_date is not None and details.deadline_time is not None:
        if not _date_in_range(details.deadline_date):
            problems.add("deadline_date", _l("Choose a date between 2000 and 2100."))
        elif zone_ok:
            deadline = _to_utc(
                details.deadline_date, details.deadline_time, details.timezone, "deadline_time", problems
            )
    if event is not None and zone_ok and dates_ok:
        outside = [
            session
            for session in event.sessions
            if not all(
                details.start_date <= day <= details.end_date
                for day in _session_local_days(session, details.timezone)
            )
        ]
        if outside:
            problems.add(
                None,
                _l(
                    "With these dates and time zone, %(n)d session(s) would fall outside the event "
                    "(%(titles)s). Move or delete them first.",
                    n=len(outside),
                    titles=", ".join(session.title for session in outside[:5]),
                ),
            )
    return deadline


def _event_values(details: EventDetails, deadline: datetime | None) -> dict[str, Any]:
    return {
        "kind": EventKind(details.kind),
        "title": details.title.strip(),
        "title_zh": _clean(details.title_zh),
        "description": (details.description or "").strip(),
        "description_zh": _clean(details.description_zh),
        "timezone": details.timezone,
        "start_date": details.start_date,
        "end_date": details.end_date,
        "join_url": _clean(details.join_url),
        "contact_email": _clean(details.contact_email.lower() if details.contact_email else None),
        "application_deadline": deadline,
        "capacity": details.capacity,
    }


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The values of *fields* on *obj*, for the audit log."""
    return {name: getattr(obj, name) for name in fields}


def _differences(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [name for name in after if before.get(name) != after[name]]
    return {name: before.get(name) for name in changed}, {name: after[name] for name in changed}


def create_event(actor: User, details: EventDetails) -> Event:
    """Create a draft event from *details*; *actor* becomes its first organiser."""
    if not permissions.can_create_event(actor):
        raise PermissionError("user may not create events")
    problems = _Problems()
    deadline = _validate_event(details, None, problems)
    problems.raise_if_any()
    values = _event_values(details, deadline)
    event = Event(slug=details.slug or unique_slug(values["title"]), status=EventStatus.DRAFT, **values)
    db.session.add(event)
    db.session.flush()
    db.session.add(EventOrganiser(event_id=event.id, user_id=actor.id))
    record_change(actor, "event.created", event, event=event, after=snapshot(event, EVENT_FIELDS))
    db.session.flush()
    return event


def update_event(actor: User, event: Event, details: EventDetails) -> Event:
    """Change *event*'s details; sessions must still fall inside its (possibly new) dates and zone."""
    _require_manager(actor, event)
    event = _lock(event)
    _refuse_if_archived(event)
    problems = _Problems()
    deadline = _validate_event(details, event, problems)
    problems.raise_if_any()
    values = _event_values(details, deadline)
    values["slug"] = details.slug or event.slug
    before, after = _differences(snapshot(event, EVENT_FIELDS), values)
    if not after:
        return event
    for name, value in after.items():
        setattr(event, name, value)
    if "join_url" in after:
        # Sessions without a link of their own use the event's: their link changed too.
        for session in event.sessions:
            if session.join_url is None:
                session.sequence += 1
    if "capacity" in after:
        # More seats (or no limit any more): those waiting get them first, oldest first.
        fill_free_seats(event)
    _bump_programme(event)
    record_change(actor, "event.updated", event, event=event, before=before, after=after)
    db.session.flush()
    return event


def available_status_actions(event: Event) -> list[str]:
    """The status actions (publish, unpublish, cancel, archive) open to *event* now."""
    return [action for action, (sources, _target) in STATUS_ACTIONS.items() if event.status in sources]


def change_event_status(actor: User, event: Event, action: str) -> Event:
    """Publish, unpublish, cancel or archive *event*; refuses moves its status does not allow.

    Publishing needs at least one scheduled session; going back from published to draft is allowed
    only while nobody has registered or applied (afterwards people rely on the published event, and
    it can only be cancelled). Cancelling raises the sequence of every scheduled session, since
    calendar feeds then show them as cancelled.
    """
    _require_manager(actor, event)
    if action not in STATUS_ACTIONS:
        raise InvalidChangeError.single(_l("Unknown action."))
    event = _lock(event)
    sources, target = STATUS_ACTIONS[action]
    if event.status not in sources:
        raise InvalidChangeError.single(
            _l(
                "This cannot be done to an event whose status is “%(status)s”.",
                status=EVENT_STATUS_LABELS[event.status],
            )
        )
    scheduled = [s for s in event.sessions if s.status == SessionStatus.SCHEDULED]
    if action == "publish" and not scheduled:
        raise InvalidChangeError.single(_l("Add at least one session before publishing the event."))
    if action == "unpublish" and _has_participants(event):
        raise InvalidChangeError.single(
            _l(
                "People have already registered or applied for this event, so it cannot go back to "
                "draft. Cancel it instead."
            )
        )
    if action == "cancel":
        for session in scheduled:
            session.sequence += 1
    before = {"status": event.status}
    event.status = target
    _bump_programme(event)
    record_change(actor, f"event.{action}", event, event=event, before=before, after={"status": target})
    db.session.flush()
    return event


def _has_participants(event: Event) -> bool:
    registered = db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration).where(Registration.event_id == event.id)
    )
    applied = db.session.scalar(
        sa.select(sa.func.count()).select_from(PitchApplication).where(PitchApplication.event_id == event.id)
    )
    return bool(registered or applied)


# --- Sessions -----------------------------------------------------------------------------------------


def _overlapping(
    event: Event, track: str, starts_at: datetime, ends_at: datetime, exclude_id: int | None
) -> ProgrammeSession | None:
    """A scheduled session of *event* in *track* that overlaps [starts_at, ends_at) (touching is fine)."""
    statement = sa.select(ProgrammeSession).where(
        ProgrammeSession.event_id == event.id,
        sa.func.lower(ProgrammeSession.track) == track.lower(),
        ProgrammeSession.status == SessionStatus.SCHEDULED,
        ProgrammeSession.starts_at < ends_at,
        ProgrammeSession.ends_at > starts_at,
    )
    if exclude_id is not None:
        statement = statement.where(ProgrammeSession.id != exclude_id)
    return db.session.scalars(statement.order_by(ProgrammeSession.starts_at).limit(1)).first()


def _check_placement(
    event: Event,
    starts_at: datetime,
    ends_at: datetime,
    track: str,
    session: ProgrammeSession | None,
    problems: _Problems,
) -> None:
    """Inside the event's dates, and no clash with another scheduled session in the same track."""
    first = timezones.local_date(starts_at, event.timezone)
    last = timezones.local_date(ends_at - timedelta(microseconds=1), event.timezone)
    if first < event.start_date or last > event.end_date:
        problems.add(
            "day",
            _l(
                "The session must take place between %(start)s and %(end)s (the event's dates in %(zone)s).",
                start=event.start_date.isoformat(),
                end=event.end_date.isoformat(),
                zone=event.timezone,
            ),
        )
    if session is not None and session.status == SessionStatus.CANCELLED:
        return  # a cancelled session blocks nobody and may stay where it was
    clash = _overlapping(event, track, starts_at, ends_at, session.id if session is not None else None)
    if clash is not None:
        local_start = timezones.utc_to_local(clash.starts_at, event.timezone)
        local_end = timezones.utc_to_local(clash.ends_at, event.timezone)
        problems.add(
            "start_time",
            _l(
                "This overlaps “%(title)s” (%(day)s %(start)s–%(end)s) in the same track.",
                title=clash.title,
                day=local_start.date().isoformat(),
                start=local_start.strftime("%H:%M"),
                end=local_end.strftime("%H:%M"),
            ),
        )


def _check_slots_fit(session: ProgrammeSession, starts_at: datetime, ends_at: datetime, problems: _Problems):
    if session.slots and any(slot.starts_at < starts_at or slot.ends_at > ends_at for slot in session.slots):
        problems.add(
            None,
            _l(
                "This pitch block has pitch slots outside the new times. Use “Move” to shift the "
                "whole block, or change its slots first."
            ),
        )


def _session_values(event: Event, details: SessionDetails, problems: _Problems) -> dict[str, Any]:
    """Validate *details* and turn them into column values (instants in UTC)."""
    kind = SessionKind(details.kind)
    if not details.title.strip():
        problems.add("title", _l("Enter a title."))
    starts_at = ends_at = None
    if not _date_in_range(details.day):
        problems.add("day", _l("Choose a date between 2000 and 2100."))
    else:
        starts_at = _to_utc(details.day, details.start_time, event.timezone, "start_time", problems)
        ends_at = _to_utc(details.day, details.end_time, event.timezone, "end_time", problems)
        if details.end_time <= details.start_time:
            problems.add("end_time", _l("The session must end after it starts."))
            ends_at = None
    if details.join_url is not None and not is_http_url(details.join_url):
        problems.add("join_url", _l("Enter a full web address starting with https:// or http://."))
    if details.capacity is not None and not 0 < details.capacity <= MAX_CAPACITY:
        problems.add("capacity", _l("The capacity must be a number of seats above zero."))
    slot_minutes = changeover_minutes = None
    if kind == SessionKind.PITCH_BLOCK:
        slot_minutes, changeover_minutes = details.slot_minutes, details.changeover_minutes
        if slot_minutes is None or not 0 < slot_minutes <= MAX_SLOT_MINUTES:
            problems.add(
                "slot_minutes",
                _l("A pitch block needs the length of one pitch, 1 to %(n)d minutes.", n=MAX_SLOT_MINUTES),
            )
        if changeover_minutes is None or not 0 <= changeover_minutes <= MAX_CHANGEOVER_MINUTES:
            problems.add(
                "changeover_minutes",
                _l("A pitch block needs the changeover between pitches, 0 to %(n)d minutes.", n=120),
            )
    return {
        "kind": kind,
        "title": details.title.strip(),
        "title_zh": _clean(details.title_zh),
        "description": (details.description or "").strip(),
        "description_zh": _clean(details.description_zh),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "track": (details.track or "").strip(),
        "join_url": _clean(details.join_url),
        "capacity": details.capacity,
        "slot_minutes": slot_minutes,
        "changeover_minutes": changeover_minutes,
    }


def add_session(actor: User, event: Event, details: SessionDetails) -> ProgrammeSession:
    """Add a scheduled session to *event* from *details*."""
    _require_manager(actor, event)
    event = _lock(event)
    _refuse_if_archived(event)
    problems = _Problems()
    values = _session_values(event, details, problems)
    if values["starts_at"] is not None and values["ends_at"] is not None:
        _check_placement(event, values["starts_at"], values["ends_at"], values["track"], None, problems)
    problems.raise_if_any()
    session = ProgrammeSession(event_id=event.id, status=SessionStatus.SCHEDULED, sequence=0, **values)
    db.session.add(session)
    db.session.flush()
    _bump_programme(event)
    record_change(actor, "session.created", session, event=event, after=snapshot(session, SESSION_FIELDS))
    db.session.flush()
    return session


def _apply_session_change(
    actor: User, event: Event, session: ProgrammeSession, values: dict[str, Any], action: str
) -> ProgrammeSession:
    """Write the changed *values*, raise the sequence when clients must update, bump and record."""
    before, after = _differences(snapshot(session, SESSION_FIELDS), values)
    if not after:
        return session
    for name, value in after.items():
        setattr(session, name, value)
    if any(name in after for name in SEQUENCE_FIELDS):
        session.sequence += 1
    _bump_programme(event)
    record_change(actor, action, session, event=event, before=before, after=after)
    db.session.flush()
    return session


def update_session(
    actor: User, event: Event, session: ProgrammeSession, details: SessionDetails
) -> ProgrammeSession:
    """Change *session* from *details*; its sequence rises when time, track, link or status change."""
    _require_manager(actor, event)
    event = _lock(event)
    _refuse_if_archived(event)
    problems = _Problems()
    values = _session_values(event, details, problems)
    if values["starts_at"] is not None and values["ends_at"] is not None:
        _check_placement(event, values["starts_at"], values["ends_at"], values["track"], session, problems)
        if session.kind == SessionKind.PITCH_BLOCK:
            _check_slots_fit(session, values["starts_at"], values["ends_at"], problems)
    if session.slots and values["kind"] != SessionKind.PITCH_BLOCK:
        problems.add("kind", _l("This pitch block has pitch slots; remove them before changing its kind."))
    problems.raise_if_any()
    return _apply_session_change(actor, event, session, values, "session.updated")


def move_session(
    actor: User, event: Event, session: ProgrammeSession, day: date, start_time: time, track: str
) -> ProgrammeSession:
    """Move *session* to a new local day, start time and track, keeping its length (and its slots')."""
    _require_manager(actor, event)
    event = _lock(event)
    _refuse_if_archived(event)
    problems = _Problems()
    track = (track or "").strip()
    starts_at = None
    if not _date_in_range(day):
        problems.add("day", _l("Choose a date between 2000 and 2100."))
    else:
        starts_at = _to_utc(day, start_time, event.timezone, "start_time", problems)
    if starts_at is not None:
        ends_at = starts_at + (session.ends_at - session.starts_at)
        _check_placement(event, starts_at, ends_at, track, session, problems)
    problems.raise_if_any()
    shift = starts_at - session.starts_at
    if shift:
        for slot in session.slots:
            slot.starts_at += shift
            slot.ends_at += shift
            slot.sequence += 1
    values = {"starts_at": starts_at, "ends_at": session.ends_at + shift, "track": track}
    return _apply_session_change(actor, event, session, values, "session.moved")


def cancel_session(actor: User, event: Event, session: ProgrammeSession) -> ProgrammeSession:
    """Mark *session* cancelled: it stays in the programme and feeds, shown as cancelled."""
    _require_manager(actor, event)
    event = _lock(event)
    _refuse_if_archived(event)
    if session.status == SessionStatus.CANCELLED:
        raise InvalidChangeError.single(_l("This session is already cancelled."))
    return _apply_session_change(
        actor, event, session, {"status": SessionStatus.CANCELLED}, "session.cancelled"
    )


def delete_session(actor: User, event: Event, session: ProgrammeSession) -> None:
    """Remove *session* (and its pitch slots) from the programme; recorded, also once published."""
    _require_manager(actor, event)
    event = _lock(event)
    _refuse_if_archived(event)
    if any(slot.application_id is not None and slot.state != SlotState.PROPOSED for slot in session.slots):
        raise InvalidChangeError.single(
            _l(
                "Companies have been told their pitch slots in this block. Move or unassign them on "
                "the pitch board before deleting it."
            )
        )
    record_change(
        actor,
        "session.deleted",
        session,
        event=event,
        before={**snapshot(session, SESSION_FIELDS), "event_status": event.status},
    )
    db.session.delete(session)
    _bump_programme(event)
    db.session.flush()


# --- Organisers ---------------------------------------------------------------------------------------


def event_organisers(event: Event) -> list[EventOrganiser]:
    """*event*'s organisers with their accounts loaded, in the order they joined."""
    return list(
        db.session.scalars(
            sa.select(EventOrganiser)
            .where(EventOrganiser.event_id == event.id)
            .options(selectinload(EventOrganiser.user))
            .order_by(EventOrganiser.added_at, EventOrganiser.user_id)
        ).all()
    )


def invitation_token(event: Event, email: str) -> str:
    """A signed, timestamped token naming *event* and the invited *email*."""
    return sign_invitation(INVITATION_SALT, "event", event.id, email)


def read_invitation(token: str) -> Invitation:
    """Check an invitation token's signature and age; InvalidInvitationError when it is not good."""
    signed = read_signed_invitation(INVITATION_SALT, "event", token)
    return Invitation(event_id=signed.target_id, email=signed.email, issued_at=signed.issued_at)


def add_organiser(actor: User, event: Event, email: str) -> str:
    """Add the account with *email* as an organiser now (and tell them), or e-mail an invitation.

    Returns ``"added"`` or ``"invited"``.
    """
    _require_manager(actor, event)
    email = email.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        raise InvalidChangeError.single(_l("Enter a valid e-mail address."), "email")
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        token = invitation_token(event, email)
        queue_templated_email(
            email,
            "organiser_invitation",
            actor.locale or "en",
            event=event,
            inviter=actor,
            accept_url=external_url("events.invitation", token=token),
            max_age_days=max(1, current_app.config["INVITATION_MAX_AGE"] // 86400),
        )
        record_change(actor, "organiser.invited", event, event=event, after={"email": email})
        db.session.flush()
        return "invited"
    if db.session.get(EventOrganiser, (event.id, user.id)) is not None:
        raise InvalidChangeError.single(_l("%(email)s already organises this event.", email=email), "email")
    db.session.add(EventOrganiser(event_id=event.id, user_id=user.id))
    queue_templated_email(
        user.email,
        "organiser_invitation",
        user.locale or "en",
        event=event,
        inviter=actor,
        accept_url=None,
        manage_url=external_url("events.overview", event_id=event.id),
    )
    record_change(actor, "organiser.added", user, event=event, after={"email": user.email})
    db.session.flush()
    return "added"


def invitation_problem(user: User, invitation: Invitation) -> str | None:
    """Why *user* cannot accept *invitation* (None when they can)."""
    if user.email.lower() != invitation.email:
        return str(
            _l("This invitation was sent to another e-mail address. Log in with the address it was sent to.")
        )
    removed_since = db.session.scalar(
        sa.select(AuditLogEntry.id)
        .where(
            AuditLogEntry.event_id == invitation.event_id,
            AuditLogEntry.action == "organiser.removed",
            AuditLogEntry.target_type == "User",
            AuditLogEntry.target_id == user.id,
            AuditLogEntry.created_at >= invitation.issued_at.astimezone(UTC),
        )
        .limit(1)
    )
    if removed_since is not None:
        return str(_l("You were removed from this event's organisers after this invitation was sent."))
    return None


def accept_invitation(user: User, invitation: Invitation) -> Event:
    """Make *user* an organiser of the invited event; InvalidChangeError when the invitation is not theirs."""
    event = db.session.get(Event, invitation.event_id)
    if event is None:
        raise InvalidInvitationError("event gone")
    problem = invitation_problem(user, invitation)
    if problem is not None:
        raise InvalidChangeError.single(problem)
    if db.session.get(EventOrganiser, (event.id, user.id)) is None:
        db.session.add(EventOrganiser(event_id=event.id, user_id=user.id))
        record_change(user, "organiser.joined", user, event=event, after={"email": user.email})
        db.session.flush()
    return event


def remove_organiser(actor: User, event: Event, user_id: int) -> User:
    """Remove the organiser *user_id* from *event*; the last organiser stays. Returns the user."""
    _require_manager(actor, event)
    event = _lock(event)
    membership = db.session.get(EventOrganiser, (event.id, user_id))
    if membership is None:
        raise LookupError("not an organiser of this event")
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(EventOrganiser).where(EventOrganiser.event_id == event.id)
    )
    if count <= 1:
        raise InvalidChangeError.single(_l("An event needs at least one organiser; add another one first."))
    user = membership.user
    db.session.delete(membership)
    record_change(actor, "organiser.removed", user, event=event, before={"email": user.email})
    db.session.flush()
    return user


# --- Audit log ------------------------------------------------------------------------------------------


def audit_rows(event: Event, limit: int = 500) -> list[AuditRow]:
    """*event*'s audit entries, newest first, with the actors' names and each changed value."""
    entries = db.session.scalars(
        sa.select(AuditLogEntry)
        .where(AuditLogEntry.event_id == event.id)
        .order_by(AuditLogEntry.created_at.desc(), AuditLogEntry.id.desc())
        .limit(limit)
    ).all()
    actor_ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    names = (
        dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(actor_ids))).tuples().all())
        if actor_ids
        else {}
    )
    rows = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        fields = list(dict.fromkeys([*before, *after]))
        rows.append(
            AuditRow(
                created_at=entry.created_at,
                actor_name=names.get(entry.actor_id),
                action=entry.action,
                action_label=str(ACTION_LABELS.get(entry.action, entry.action)),
                target_type=entry.target_type,
                target_id=entry.target_id,
                changes=[
                    (name, before.get(name), after.get(name))
                    for name in fields
                    if before.get(name) != after.get(name)
                ],
            )
        )
    return rows
