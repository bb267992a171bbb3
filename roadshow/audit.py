"""Recording organiser changes in the audit log (flushed with the change, committed by the route)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from roadshow.extensions import db
from roadshow.models import AuditLogEntry, Event, User

# How each action is named on the audit page.
ACTION_LABELS = {
    "event.created": _l("Event created"),
    "event.updated": _l("Event details changed"),
    "event.publish": _l("Event published"),
    "event.unpublish": _l("Event back to draft"),
    "event.cancel": _l("Event cancelled"),
    "event.archive": _l("Event archived"),
    "session.created": _l("Session added"),
    "session.updated": _l("Session changed"),
    "session.moved": _l("Session moved"),
    "session.cancelled": _l("Session cancelled"),
    "session.deleted": _l("Session deleted"),
    "organiser.added": _l("Organiser added"),
    "organiser.invited": _l("Organiser invited"),
    "organiser.joined": _l("Invitation accepted"),
    "organiser.removed": _l("Organiser removed"),
    "application.submitted": _l("Pitch application submitted"),
    "application.withdrawn": _l("Pitch application withdrawn"),
    "application.accepted": _l("Application accepted"),
    "application.waitlisted": _l("Application put on the waiting list"),
    "application.rejected": _l("Application rejected"),
    "pitch.slots_generated": _l("Pitch slots generated"),
    "pitch.slot_shortened": _l("Pitch slot shortened"),
    "pitch.slot_split": _l("Pitch slot split"),
    "pitch.slot_deleted": _l("Pitch slot deleted"),
    "pitch.assigned": _l("Company given a pitch slot"),
    "pitch.moved": _l("Company moved to another pitch slot"),
    "pitch.swapped": _l("Two pitch slots swapped"),
    "pitch.unassigned": _l("Company taken off a pitch slot"),
    "pitch.locked": _l("Pitch slot locked"),
    "pitch.unlocked": _l("Pitch slot unlocked"),
    "pitch.schedule_applied": _l("Proposed schedule applied"),
    "pitch.published": _l("Pitch programme published"),
    "pitch.confirmed": _l("Company confirmed its pitch slot"),
    "pitch.declined": _l("Company declined its pitch slot"),
}

# Never written to the log, whatever a caller passes.
_SECRET_FIELDS = frozenset({"password", "password_hash", "token", "token_hash", "secret"})


def _clean(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {key: _jsonable(value) for key, value in values.items() if key not in _SECRET_FIELDS}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def record_change(
    actor: User | None,
    action: str,
    target: Any,
    *,
    event: Event | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLogEntry:
    """Add an audit entry for *action* on *target* by *actor*; secrets are dropped from the values."""
    entry = AuditLogEntry(
        event_id=event.id if event is not None else None,
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__name__,
        target_id=getattr(target, "id", None),
        before=_clean(before),
        after=_clean(after),
    )
    db.session.add(entry)
    return entry
