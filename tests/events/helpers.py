"""Helpers for the organiser-area tests: form data, database snapshots, fresh rows, page text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask

from roadshow.extensions import db
from roadshow.models import Base, Event, ProgrammeSession, User

NNBSP = "\u202f"  # Babel writes a narrow no-break space before AM/PM


@dataclass
class World:
    """Two events with one session each, their organisers, an attendee and an admin."""

    organiser: User
    co_organiser: User
    event: Event
    session: ProgrammeSession
    other_organiser: User
    other_event: Event
    other_session: ProgrammeSession
    attendee: User
    admin: User


def event_form(**overrides: Any) -> dict[str, Any]:
    """A valid event form submission (a two-day summit in Brussels time), with *overrides*."""
    data = {
        "kind": "summit",
        "title": "EU–China Parks Summit",
        "title_zh": "",
        "description": "Science parks meet online.",
        "description_zh": "",
        "slug": "",
        "timezone": "Europe/Brussels",
        "start_date": "2026-12-01",
        "end_date": "2026-12-02",
        "join_url": "",
        "contact_email": "",
        "deadline_date": "",
        "deadline_time": "",
    }
    data.update(overrides)
    return data


def session_form(**overrides: Any) -> dict[str, Any]:
    """A valid session form submission (10:00–11:00 local on 1 December 2026), with *overrides*."""
    data = {
        "kind": "keynote",
        "title": "Welcome address",
        "title_zh": "",
        "description": "",
        "description_zh": "",
        "day": "2026-12-01",
        "start_time": "10:00",
        "end_time": "11:00",
        "track": "",
        "join_url": "",
        "capacity": "",
        "slot_minutes": "",
        "changeover_minutes": "",
    }
    data.update(overrides)
    return data


def db_state(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, to compare before and after a request that must change nothing."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(table.select())), key=repr)
            for table in Base.metadata.sorted_tables
        }


def load(app: Flask, model: type, key: Any) -> Any:
    """A fresh, detached copy of one row (None when it is gone)."""
    with app.app_context():
        row = db.session.get(model, key)
        if row is not None:
            db.session.expunge(row)
        return row


def page(response) -> str:
    """A response's HTML, with Babel's narrow no-break spaces made plain."""
    return response.get_data(as_text=True).replace(NNBSP, " ")
