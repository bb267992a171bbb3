"""A user's own data: the export of everything held about them, and deleting their account.

Takes the acting user, flushes, never commits (the route does). The export never contains a password
hash, a calendar-token hash or any other secret. Deleting an account is refused while the user is
the last owner of an organisation or the last organiser of an event (someone must stay in charge);
otherwise their calendar tokens (so their feeds stop at once), registrations and stars, memberships
and organiser roles are deleted, and rows that record what they did (audit entries, applications
they submitted, programme releases they published) stay with the user's id set to NULL. SQLite does
not apply ``ON DELETE`` rules unless told to, so every one of those is done here explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from roadshow.attendees import services as attendees
from roadshow.enums import EventStatus, MembershipRole, MembershipStatus, RegistrationStatus
from roadshow.extensions import db
from roadshow.feeds import tokens as feed_tokens
from roadshow.models import (
    AuditLogEntry,
    CalendarToken,
    Event,
    EventOrganiser,
    Membership,
    Organisation,
    PitchApplication,
    PitchProgrammeRelease,
    Registration,
    User,
    utcnow,
)

EXPORT_FORMAT = "roadshow-account-export/1"


def _value(value: Any) -> Any:
    """A JSON-ready form of a column value (instants and dates in ISO 8601, enums by value)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "value"):
        return value.value
    return str(value)


def _event_ref(event: Event | None) -> dict[str, Any] | None:
    if event is None:
        return None
    return {"id": event.id, "slug": event.slug, "title": event.title}


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "locale": user.locale,
        "timezone": user.timezone,
        "is_admin": user.is_admin,
        "created_at": _value(user.created_at),
        "last_login_at": _value(user.last_login_at),
    }


def _memberships(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        sa.select(Membership)
        .where(Membership.user_id == user.id)
        .options(selectinload(Membership.organisation))
        .order_by(Membership.id)
    )
    return [
        {
            "organisation": {"id": m.organisation_id, "name": m.organisation.name},
            "role": _value(m.role),
            "status": _value(m.status),
            "created_at": _value(m.created_at),
        }
        for m in rows
    ]


def _organised_events(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        sa.select(EventOrganiser)
        .where(EventOrganiser.user_id == user.id)
        .options(selectinload(EventOrganiser.event))
        .order_by(EventOrganiser.event_id)
    )
    return [{"event": _event_ref(row.event), "added_at": _value(row.added_at)} for row in rows]


def _registrations(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        sa.select(Registration)
        .where(Registration.user_id == user.id)
        .options(
            selectinload(Registration.event),
            selectinload(Registration.starred_sessions),
            selectinload(Registration.starred_slots),
        )
        .order_by(Registration.id)
    )
    return [
        {
            "event": _event_ref(r.event),
            "role": _value(r.role),
            "status": _value(r.status),
            "created_at": _value(r.created_at),
            "starred_sessions": [
                {"id": s.id, "title": s.title, "starts_at": _value(s.starts_at)}
                for s in sorted(r.starred_sessions, key=lambda s: s.id)
            ],
            "starred_pitch_slots": [
                {"id": s.id, "starts_at": _value(s.starts_at), "ends_at": _value(s.ends_at)}
                for s in sorted(r.starred_slots, key=lambda s: s.id)
            ],
        }
        for r in rows
    ]


APPLICATION_FIELDS = (
    "status",
    "title",
    "title_zh",
    "summary",
    "summary_zh",
    "stage",
    "seeking",
    "investment_amount",
    "investment_currency",
    "timezone",
    "deck_filename",
    "decision_note",
    "created_at",
    "updated_at",
    "decided_at",
)


def _applications(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        sa.select(PitchApplication)
        .where(PitchApplication.submitted_by_id == user.id)
        .options(
            selectinload(PitchApplication.event),
            selectinload(PitchApplication.organisation),
            selectinload(PitchApplication.availability),
        )
        .order_by(PitchApplication.id)
    )
    return [
        {
            "id": a.id,
            "event": _event_ref(a.event),
            "organisation": {"id": a.organisation_id, "name": a.organisation.name},
            **{name: _value(getattr(a, name)) for name in APPLICATION_FIELDS},
            "availability": [
                {"starts_at": _value(w.starts_at), "ends_at": _value(w.ends_at)} for w in a.availability
            ],
        }
        for a in rows
    ]


def _calendar_feeds(user: User) -> list[dict[str, Any]]:
    # Only when each link was made and stopped: the token itself is not recoverable, its hash is secret.
    rows = db.session.execute(
        sa.select(CalendarToken.created_at, CalendarToken.revoked_at)
        .where(CalendarToken.user_id == user.id)
        .order_by(CalendarToken.id)
    )
    return [{"created_at": _value(created), "revoked_at": _value(revoked)} for created, revoked in rows]


def _audit_entries(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(AuditLogEntry, Event.slug)
        .outerjoin(Event, Event.id == AuditLogEntry.event_id)
        .where(AuditLogEntry.actor_id == user.id)
        .order_by(AuditLogEntry.id)
    )
    return [
        {
            "action": entry.action,
            "event": slug,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "before": entry.before,
            "after": entry.after,
            "created_at": _value(entry.created_at),
        }
        for entry, slug in rows
    ]


def export_user_data(user: User) -> dict[str, Any]:
    """Everything Roadshow holds about *user*, as JSON-ready values (never a hash or a token)."""
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _value(utcnow()),
        "profile": _profile(user),
        "memberships": _memberships(user),
        "organised_events": _organised_events(user),
        "registrations": _registrations(user),
        "applications_submitted": _applications(user),
        "calendar_feeds": _calendar_feeds(user),
        "audit_entries": _audit_entries(user),
    }


# --- Deleting the account ---------------------------------------------------------------------------


class AccountDeletionRefusedError(Exception):
    """The account cannot be deleted yet; ``problems`` say what to do first."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class DeletionSummary:
    """What deleting an account removed."""

    calendar_tokens: int
    registrations: int
    memberships: int
    organiser_roles: int


def _sole_owned_organisations(user: User) -> list[Organisation]:
    """Organisations in which *user* is the only active owner."""
    owned = db.session.scalars(
        sa.select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(
            Membership.user_id == user.id,
            Membership.role == MembershipRole.OWNER,
            Membership.status == MembershipStatus.ACTIVE,
        )
        .order_by(Organisation.name, Organisation.id)
    ).all()
    sole = []
    for organisation in owned:
        others = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(
                Membership.organisation_id == organisation.id,
                Membership.user_id != user.id,
                Membership.role == MembershipRole.OWNER,
                Membership.status == MembershipStatus.ACTIVE,
            )
        )
        if not others:
            sole.append(organisation)
    return sole


def _sole_organised_events(user: User) -> list[Event]:
    """Events of which *user* is the only organiser."""
    organised = db.session.scalars(
        sa.select(Event)
        .join(EventOrganiser, EventOrganiser.event_id == Event.id)
        .where(EventOrganiser.user_id == user.id)
        .order_by(Event.title, Event.id)
    ).all()
    sole = []
    for event in organised:
        others = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(EventOrganiser)
            .where(EventOrganiser.event_id == event.id, EventOrganiser.user_id != user.id)
        )
        if not others:
            sole.append(event)
    return sole


def deletion_problems(user: User) -> list[str]:
    """Why *user*'s account cannot be deleted now (empty when it can), as messages for the page."""
    problems = [
        str(
            _l(
                "You are the last owner of %(name)s. Make another member an owner first, or ask the "
                "site administrators to take it over.",
                name=organisation.name,
            )
        )
        for organisation in _sole_owned_organisations(user)
    ]
    problems += [
        str(
            _l(
                "You are the last organiser of %(event)s. Add another organiser first.",
                event=event.title,
            )
        )
        for event in _sole_organised_events(user)
    ]
    return problems


def _release_seats(user: User) -> None:
    """Cancel *user*'s seats at open events first, so the waiting list moves up as for any cancellation."""
    held = db.session.scalars(
        sa.select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.REGISTERED,
            Event.status == EventStatus.PUBLISHED,
        )
        .order_by(Registration.event_id)
    ).all()
    for registration in held:
        attendees.cancel(user, registration)


def delete_account(user: User) -> DeletionSummary:
    """Delete *user*'s account and what belongs to it; AccountDeletionRefusedError when it may not go yet."""
    problems = deletion_problems(user)
    if problems:
        raise AccountDeletionRefusedError(problems)
    _release_seats(user)
    registrations = db.session.scalars(sa.select(Registration).where(Registration.user_id == user.id)).all()
    for registration in registrations:
        db.session.delete(registration)  # its stars go with it (secondary rows)
    db.session.flush()

    def delete_where(model: Any, column: Any) -> int:
        result = db.session.execute(
            sa.delete(model).where(column == user.id).execution_options(synchronize_session=False)
        )
        return result.rowcount or 0

    def keep_without_user(model: Any, column: Any) -> None:
        values: dict[str, Any] = {column.key: None}
        if hasattr(model, "updated_at"):
            values["updated_at"] = model.updated_at  # not a change of the row's content
        db.session.execute(
            sa.update(model)
            .where(column == user.id)
            .values(values)
            .execution_options(synchronize_session=False)
        )

    feed_tokens.note_revocation()  # processes keeping a copy of a token check drop it after commit
    tokens = delete_where(CalendarToken, CalendarToken.user_id)
    memberships = delete_where(Membership, Membership.user_id)
    organiser_roles = delete_where(EventOrganiser, EventOrganiser.user_id)
    keep_without_user(AuditLogEntry, AuditLogEntry.actor_id)
    keep_without_user(PitchApplication, PitchApplication.submitted_by_id)
    keep_without_user(PitchProgrammeRelease, PitchProgrammeRelease.published_by_id)
    db.session.delete(user)
    db.session.flush()
    return DeletionSummary(
        calendar_tokens=tokens,
        registrations=len(registrations),
        memberships=memberships,
        organiser_roles=organiser_roles,
    )
