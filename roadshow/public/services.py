"""Reads for the public pages."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from roadshow import permissions, timezones
from roadshow.enums import EventStatus
from roadshow.extensions import db
from roadshow.models import Event, ProgrammeSession, utcnow


def upcoming_events(today: date | None = None) -> list[Event]:
    """Published events that have not ended yet (by the event's own calendar), soonest first."""
    now = utcnow()
    today = today or now.date()
    candidates = db.session.scalars(
        sa.select(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.end_date >= today - timedelta(days=1))
        .order_by(Event.start_date, Event.id)
    ).all()
    return [event for event in candidates if event.end_date >= timezones.local_date(now, event.timezone)]


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
