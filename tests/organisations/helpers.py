"""Helpers for the organisation tests: form data, image bytes, database snapshots, outbox, page text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from roadshow.extensions import db
from roadshow.models import AuditLogEntry, Base, Membership, Organisation, OutboxMessage, User
from tests.conftest import fetch

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
TWO_MB = 2 * 1024 * 1024
NNBSP = "\u202f"


@dataclass
class World:
    """Organisation A (owner Alice, member Bob) and B (owner Dave); an outsider, an organiser, an admin."""

    owner: User
    member: User
    outsider: User
    other_owner: User
    organiser: User
    admin: User
    organisation: Organisation
    other: Organisation


def organisation_form(**overrides: Any) -> dict[str, Any]:
    """A valid registration form (a Berlin medical-device maker), with *overrides*."""
    data: dict[str, Any] = {
        "name": "Nordlicht Medical GmbH",
        "name_zh": "",
        "country": "DE",
        "city": "Berlin",
        "sectors": ["medical-devices", "robotics"],
        "website": "https://www.nordlicht-medical.de/en",
        "description": "Rehabilitation robots.",
        "description_zh": "",
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


def outbox(app: Flask) -> list[OutboxMessage]:
    """Every queued e-mail, oldest first."""
    return fetch(app, sa.select(OutboxMessage).order_by(OutboxMessage.id))


def audit(app: Flask, action: str) -> list[AuditLogEntry]:
    """The audit entries with *action*, oldest first."""
    return fetch(
        app, sa.select(AuditLogEntry).where(AuditLogEntry.action == action).order_by(AuditLogEntry.id)
    )


def memberships(app: Flask, organisation_id: int) -> list[tuple[int, str, str]]:
    """``(user id, role, status)`` of every membership of an organisation, by user id."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Membership.user_id, Membership.role, Membership.status)
            .where(Membership.organisation_id == organisation_id)
            .order_by(Membership.user_id)
        ).all()
        return [(user_id, role.value, status.value) for user_id, role, status in rows]


def membership_id(app: Flask, organisation_id: int, user_id: int) -> int:
    """The id of a user's membership of an organisation."""
    with app.app_context():
        return db.session.scalar(
            sa.select(Membership.id).where(
                Membership.organisation_id == organisation_id, Membership.user_id == user_id
            )
        )


def organisations(app: Flask) -> list[Organisation]:
    """Every organisation with its sectors loaded, by id (detached)."""
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Organisation).order_by(Organisation.id)))
        for row in rows:
            _ = row.sectors
            db.session.expunge(row)
        return rows


def load(app: Flask, model: type, key: Any) -> Any:
    """A fresh, detached copy of one row, relationships of organisations loaded (None when gone)."""
    with app.app_context():
        row = db.session.get(model, key)
        if row is not None:
            if isinstance(row, Organisation):
                _ = row.sectors
            db.session.expunge(row)
        return row


def page(response) -> str:
    """A response's HTML with Babel's narrow no-break spaces made plain and entities for quotes undone."""
    return response.get_data(as_text=True).replace(NNBSP, " ").replace("&#34;", '"').replace("&#39;", "'")


def link_in(text: str, pattern: str) -> str:
    """The single match of *pattern* (a regex with one group) in *text*."""
    found = re.findall(pattern, text)
    assert len(found) == 1, text
    return found[0]


def stored_files(app: Flask) -> set[str]:
    """Every file under UPLOAD_FOLDER, relative to it."""
    root = Path(app.config["UPLOAD_FOLDER"])
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}
