"""Helpers for the pitch-application tests: a world of two roadshows and three companies, form data,
row counts and page text. Shared with tests/review/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Flask

from roadshow.enums import EventKind, EventStatus
from roadshow.extensions import db
from roadshow.models import (
    AuditLogEntry,
    AvailabilityWindow,
    Base,
    Event,
    Organisation,
    OutboxMessage,
    PitchApplication,
    Sector,
    User,
)

NNBSP = "\u202f"  # Babel writes a narrow no-break space before AM/PM
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# Event A runs on these two days (Europe/Brussels); far enough ahead to stay open for years.
EVENT_DAYS = (date(2030, 6, 10), date(2030, 6, 11))


@dataclass
class World:
    """Roadshow A and B, their organisers, companies A (DE), B (CN) and C (DE), and their people."""

    event: Event
    other_event: Event
    organiser: User
    other_organiser: User
    company: Organisation
    other_company: Organisation
    third_company: Organisation
    member: User  # owner of company A, and member of company C
    colleague: User  # member of company A (reads Chinese)
    other_member: User  # owner of company B
    outsider: User  # belongs to no company
    robotics: Sector
    fintech: Sector


def build_world(app: Flask, make_user, make_event, make_organisation) -> World:
    """Create the world every application and review test starts from."""
    with app.app_context():
        robotics = Sector(slug="robotics", name="Robotics", name_zh="机器人")
        fintech = Sector(slug="fintech", name="Fintech", name_zh="金融科技")
        db.session.add_all([robotics, fintech])
        db.session.commit()
        for sector in (robotics, fintech):
            db.session.refresh(sector)
            db.session.expunge(sector)
    organiser = make_user("olga@example.org", name="Olga Organiser")
    other_organiser = make_user("oscar@example.org", name="Oscar Otherevent")
    member = make_user("anna@example.org", name="Anna Member", timezone="Europe/Berlin")
    colleague = make_user("chen@example.org", name="Chen Colleague", locale="zh", timezone="Asia/Shanghai")
    other_member = make_user("bo@example.org", name="Bo Other", timezone="Asia/Shanghai")
    outsider = make_user("eve@example.org", name="Eve Outsider")
    event = make_event(
        organiser=organiser,
        slug="roadshow-a",
        title="Roadshow A",
        title_zh="路演 A",
        kind=EventKind.ROADSHOW,
        status=EventStatus.PUBLISHED,
        timezone="Europe/Brussels",
        start_date=EVENT_DAYS[0],
        end_date=EVENT_DAYS[1],
    )
    other_event = make_event(
        organiser=other_organiser,
        slug="roadshow-b",
        title="Roadshow B",
        kind=EventKind.ROADSHOW,
        status=EventStatus.PUBLISHED,
        timezone="Asia/Shanghai",
        start_date=EVENT_DAYS[0],
        end_date=EVENT_DAYS[1],
    )
    company = make_organisation("Nordlicht Robotics GmbH", "DE", owner=member, members=(colleague,))
    other_company = make_organisation("海博生物 Haibo Bio", "CN", owner=other_member, city="Qingdao")
    third_company = make_organisation("Zweite Firma AG", "DE", members=(member,))
    return World(
        event=event,
        other_event=other_event,
        organiser=organiser,
        other_organiser=other_organiser,
        company=company,
        other_company=other_company,
        third_company=third_company,
        member=member,
        colleague=colleague,
        other_member=other_member,
        outsider=outsider,
        robotics=robotics,
        fintech=fintech,
    )


def application_form(world: World, organisation: Organisation | None = None, **overrides: Any) -> dict:
    """A valid application form (company A, Berlin time, one window on the event's first day)."""
    data: dict[str, Any] = {
        "organisation": str((organisation or world.company).id),
        "title": "Rehab glove",
        "title_zh": "康复手套",
        "summary": "A soft robotic glove for stroke rehabilitation.",
        "summary_zh": "",
        "sector": str(world.robotics.id),
        "stage": "prototype",
        "seeking": ["investment", "rd_partner"],
        "investment_amount": "250000",
        "investment_currency": "EUR",
        "timezone": "Europe/Berlin",
        "windows-0-day": "2030-06-10",
        "windows-0-start_time": "09:00",
        "windows-0-end_time": "12:00",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def count(app: Flask, model: type[Base]) -> int:
    """How many rows *model*'s table holds."""
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


NOTHING_WRITTEN = {"pitch_applications": 0, "availability_windows": 0, "audit_log": 0, "outbox_messages": 0}


def counts(app: Flask) -> dict[str, int]:
    """Row counts of the tables an application writes to."""
    return {
        model.__tablename__: count(app, model)
        for model in (PitchApplication, AvailabilityWindow, AuditLogEntry, OutboxMessage)
    }


def db_state(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, to compare before and after a request that must change nothing."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(table.select())), key=repr)
            for table in Base.metadata.sorted_tables
        }


def only_application(app: Flask) -> PitchApplication:
    """The one application in the database, with its windows loaded, detached."""
    with app.app_context():
        application = db.session.scalars(sa.select(PitchApplication)).one()
        _ = application.availability
        db.session.expunge_all()
        return application


def windows_of(app: Flask, application_id: int) -> list[tuple[str, str]]:
    """An application's windows as ISO UTC pairs (``2030-06-10T07:00``), in order."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(AvailabilityWindow.starts_at, AvailabilityWindow.ends_at)
            .where(AvailabilityWindow.application_id == application_id)
            .order_by(AvailabilityWindow.starts_at)
        ).all()
        return [(f"{s:%Y-%m-%dT%H:%M}", f"{e:%Y-%m-%dT%H:%M}") for s, e in rows]


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


def plain(html: str) -> str:
    """Page text without tags, with runs of white space made one space."""
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" –", "–").replace("– ", "–")


def with_event(app: Flask, event_id: int, **columns: Any) -> None:
    """Change columns of an event (e.g. move its deadline)."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        for name, value in columns.items():
            setattr(event, name, value)
        db.session.commit()
