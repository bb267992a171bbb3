"""Reads for the public pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from roadshow import permissions, timezones
from roadshow.enums import EventStatus
from roadshow.extensions import db
from roadshow.models import Event, ProgrammeSession, utcnow


def _upcoming_candidates(today: date) -> tuple[sa.ColumnElement[bool], ...]:
    """Published events ending no earlier than yesterday in UTC (every zone's today is within a day)."""
    return (Event.status == EventStatus.PUBLISHED, Event.end_date >= today - timedelta(days=1))


def _not_ended(end_date: date, tz_name: str, now: datetime) -> bool:
    return end_date >= timezones.local_date(now, tz_name)


def upcoming_events(today: date | None = None) -> list[Event]:
    """Published events that have not ended yet (by the event's own calendar), soonest first."""
    now = utcnow()
    candidates = db.session.scalars(
        sa.select(Event)
        .where(*_upcoming_candidates(today or now.date()))
        .order_by(Event.start_date, Event.id)
    ).all()
    return [event for event in candidates if _not_ended(event.end_date, event.timezone, now)]


def upcoming_event_versions() -> list[tuple[int, datetime]]:
    """(id, updated_at) of the events upcoming_events() lists, in its order: one query of four columns.

    Everything the home page shows of an event is a column of its row, and every change of a row
    raises its updated_at, so these pairs change whenever the list would.
    """
    now = utcnow()
    rows = db.session.execute(
        sa.select(Event.id, Event.updated_at, Event.end_date, Event.timezone)
        .where(*_upcoming_candidates(now.date()))
        .order_by(Event.start_date, Event.id)
    )
    return [(row.id, row.updated_at) for row in rows if _not_ended(row.end_date, row.timezone, now)]


def visible_event_or_none(slug: str, user: Any) -> Event | None:
    """The event with *slug* when *user* may see it; None for unknown slugs and others' drafts."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None or not permissions.can_view_event(user, event):
        return None
    return event


def programme_by_day(event: Event) -> list[tuple[date, list[ProgrammeSession]]]:
    """The event's sessions grouped by their local day in the event's zone, in time order."""
    sessions = db.session.scalars(
        sa.select(ProgrammeSession)
        .where(ProgrammeSession.event_id == event.id)
        .options(selectinload(ProgrammeSession.slots))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.track, ProgrammeSession.id)
    ).all()
    return [
        (day, list(items))
        for day, items in groupby(sessions, key=lambda s: timezones.local_date(s.starts_at, event.timezone))
    ]
