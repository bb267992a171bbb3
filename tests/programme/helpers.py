"""Helpers for the pitch-programme tests: the world they start from, URLs, and database reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from roadshow.extensions import db
from roadshow.models import (
    AuditLogEntry,
    Base,
    Event,
    Organisation,
    OutboxMessage,
    PitchApplication,
    PitchProgrammeRelease,
    PitchSlot,
    ProgrammeSession,
    User,
)

NNBSP = "\u202f"  # Babel writes a narrow no-break space before AM/PM
# 1 December 2026: Brussels is UTC+1, Berlin UTC+1, Shanghai UTC+8.
DAY = datetime(2026, 12, 1, tzinfo=UTC)


def utc(hour: int, minute: int = 0, day: datetime = DAY) -> datetime:
    """An instant on *day* (UTC)."""
    return day.replace(hour=hour, minute=minute)


@dataclass
class World:
    """Roadshow A (organiser, one pitch block 09:00–10:00 Brussels, empty) and roadshow B (its own
    organiser, one block with one slot); three companies with their members; an outsider."""

    event: Event
    other_event: Event
    organiser: User
    other_organiser: User
    block: ProgrammeSession
    other_block: ProgrammeSession
    other_slot: PitchSlot
    acme: Organisation  # DE, member: anna
    dragon: Organisation  # CN, member: li (reads Chinese)
    nordic: Organisation  # SE, member: sven
    anna: User
    li: User
    sven: User
    outsider: User


def page(response) -> str:
    """A response's HTML with Babel's narrow no-break spaces made plain."""
    return response.get_data(as_text=True).replace(NNBSP, " ")


def manage(world: World, path: str = "", event: Event | None = None) -> str:
    """``/manage/events/<id>/pitches/<path>`` for the world's event (or *event*)."""
    return f"/manage/events/{(event or world.event).id}/pitches/{path}"


def slots_of(app: Flask, event_id: int) -> list[dict[str, Any]]:
    """Every pitch slot of the event as plain values, in time order."""
    with app.app_context():
        rows = db.session.scalars(
            sa.select(PitchSlot)
            .join(ProgrammeSession)
            .where(ProgrammeSession.event_id == event_id)
            .order_by(PitchSlot.starts_at, PitchSlot.id)
        ).all()
        return [
            {
                "id": s.id,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "application": s.application_id,
                "state": s.state.value,
                "locked": s.locked,
                "sequence": s.sequence,
                "session": s.session_id,
            }
            for s in rows
        ]


def holders(app: Flask, event_id: int) -> dict[int, int | None]:
    """Slot id → application id for the event's pitch slots."""
    return {s["id"]: s["application"] for s in slots_of(app, event_id)}


def add_slots(app: Flask, block: ProgrammeSession, starts: list[datetime], minutes: int = 10) -> list[int]:
    """Create slots of *minutes* in *block* at *starts*; returns their ids."""
    with app.app_context():
        slots = [
            PitchSlot(session_id=block.id, starts_at=start, ends_at=start + timedelta(minutes=minutes))
            for start in starts
        ]
        db.session.add_all(slots)
        db.session.commit()
        return [s.id for s in slots]


def set_slot(app: Flask, slot_id: int, **values: Any) -> None:
    """Write columns of a slot directly (to set up a state)."""
    with app.app_context():
        slot = db.session.get(PitchSlot, slot_id)
        for name, value in values.items():
            setattr(slot, name, value)
        db.session.commit()


def programme_version(app: Flask, event_id: int) -> int:
    """The event's programme version."""
    with app.app_context():
        return db.session.get(Event, event_id).programme_version


def releases_of(app: Flask, event_id: int) -> list[PitchProgrammeRelease]:
    """The event's releases, detached, oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            sa.select(PitchProgrammeRelease)
            .where(PitchProgrammeRelease.event_id == event_id)
            .order_by(PitchProgrammeRelease.number)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def outbox(app: Flask) -> list[OutboxMessage]:
    """Every queued e-mail, detached, in order."""
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def audit_actions(app: Flask, event_id: int) -> list[str]:
    """The audit actions recorded for the event, in order."""
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditLogEntry.action)
                .where(AuditLogEntry.event_id == event_id)
                .order_by(AuditLogEntry.id)
            )
        )


def db_state(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, to compare before and after a request that must change nothing."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(table.select())), key=repr)
            for table in Base.metadata.sorted_tables
        }


def set_status(app: Flask, application_id: int, status: Any) -> None:
    """Change an application's status directly."""
    with app.app_context():
        db.session.get(PitchApplication, application_id).status = status
        db.session.commit()
