"""The pitch programme: slots of pitch blocks, the proposed schedule, the board, releases, answers.

Operations take the acting user, refuse (PermissionError) users who may not act, refuse bad input
with a ProgrammeError whose message is shown to the user (its ``status`` is the HTTP status to
answer with), record the change in the audit log, flush and never commit: the route commits.

Double-booking is impossible by construction: ``pitch_slots.application_id`` is one UNIQUE column
(a slot holds at most one application, an application at most one slot). Every write first locks
the slot rows it touches (``SELECT … FOR UPDATE``, in id order) and re-reads them, so that a second
organiser acting on the same slot waits, then sees the first one's change and gets a conflict; an
application claimed for two slots at once loses on the UNIQUE constraint (IntegrityError), which the
routes turn into the same conflict.

Slot states: a slot holding a company the company has not been told about is ``proposed``;
publishing makes it ``published``; the company then ``confirmed`` it, or declined it, which frees
the slot and marks it ``declined`` (empty) until an organiser gives it to someone else. The
``sequence`` of a slot rises each time the time or the holder a company was told about changes:
at once when an organiser changes a slot that was already published, and at publication for
anything that changed since the previous release and was not counted yet.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import selectinload

from roadshow import permissions, timezones
from roadshow.audit import record_change
from roadshow.enums import (
    ApplicationStatus,
    EventStatus,
    MembershipStatus,
    Region,
    SessionKind,
    SessionStatus,
    SlotState,
)
from roadshow.extensions import db
from roadshow.feeds.invitations import queue_slot_invitation
from roadshow.i18n import format_clock, format_day
from roadshow.links import external_url
from roadshow.mail.outbox import queue_email
from roadshow.models import (
    AuditLogEntry,
    Event,
    Membership,
    PitchApplication,
    PitchProgrammeRelease,
    PitchSlot,
    ProgrammeSession,
    User,
    utcnow,
)
from roadshow.programme import bridge
from roadshow.scheduling import ProblemError, Window, merged_windows

PROPOSAL_SALT = "pitch-proposal"
PROPOSAL_MAX_AGE = 24 * 3600  # a proposal left open longer is computed again
MAX_GENERATED_SLOTS = 500
MAX_WINDOWS_SHOWN = 6

REGION_LABELS = {Region.EU: _l("EU"), Region.CN: _l("China"), Region.OTHER: _l("Other")}
STATE_LABELS = {
    SlotState.PROPOSED: _l("Not published"),
    SlotState.PUBLISHED: _l("Published, awaiting answer"),
    SlotState.CONFIRMED: _l("Confirmed"),
    SlotState.DECLINED: _l("Freed (declined)"),
}
UNPLACED_LABELS = {
    "no_availability": _l("No availability given."),
    "no_overlap": _l("No availability window overlaps any slot."),
    "partial_overlap": _l("Its availability overlaps slots but covers none of them from start to end."),
    "locked_out": _l("Every slot it can take is locked to another company."),
    "outcompeted": _l("Every slot it can take went to a company of higher or equal priority."),
}
KEPT_OUT_REASON = _l(
    "Every slot it can take is locked or already published to another company. Untick “Keep slots "
    "already published” to let the proposal move companies that were told their slot."
)

CONFLICT_MESSAGE = _l(
    "This slot or company was just taken by another organiser; reload the board and try again."
)


class ProgrammeError(Exception):
    """Refused input or action, with a message for the user and the HTTP status to answer with."""

    status = 400

    def __init__(self, message: Any, status: int | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if status is not None:
            self.status = status


class SlotConflictError(ProgrammeError):
    """Someone else changed the slot or the company first; nothing was changed."""

    status = 409

    def __init__(self, message: Any = None) -> None:
        super().__init__(message or CONFLICT_MESSAGE)


@dataclass(frozen=True)
class Outcome:
    """What a board action did: done, or waiting for a confirmation because of *warnings*."""

    done: bool
    warnings: tuple[str, ...] = ()


# --- Small helpers ----------------------------------------------------------------------------------


def _require_manager(actor: Any, event: Event) -> None:
    if not permissions.can_manage_event(actor, event):
        raise PermissionError("user may not manage this event")


def _refuse_if_archived(event: Event) -> None:
    if event.status == EventStatus.ARCHIVED:
        raise ProgrammeError(_l("This event is archived; it can no longer be changed."))


def _bump_programme(event: Event) -> None:
    """Raise the event's programme version in the database (atomic, so concurrent bumps all count)."""
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event.id)
        .values(programme_version=Event.programme_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(event, ["programme_version"])


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat()


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def span_text(start: datetime, end: datetime, zone: str) -> str:
    """``09:00–11:00 Europe/Berlin on 1 Dec 2026``: a span in *zone*, in the reader's language."""
    return str(
        _l(
            "%(start)s–%(end)s %(zone)s on %(day)s",
            start=format_clock(start, zone),
            end=format_clock(end, zone),
            zone=zone,
            day=format_day(start, zone, "medium"),
        )
    )


def slot_text(slot: PitchSlot, zone: str) -> str:
    """A slot's span in *zone* (see span_text)."""
    return span_text(slot.starts_at, slot.ends_at, zone)


def own_zone(application: PitchApplication, event: Event) -> str:
    """The company's own zone (its application's), or the event's if that is not a known zone."""
    return application.timezone if timezones.is_valid_timezone(application.timezone) else event.timezone


def region_label(application: PitchApplication) -> str:
    """EU / China / Other, from the applying organisation's country."""
    return str(REGION_LABELS.get(application.organisation.region, application.organisation.region))


def state_label(state: SlotState) -> str:
    """A slot state for people."""
    return str(STATE_LABELS[state])


def unplaced_reason(code: str, reason: str) -> str:
    """The solver's reason in English; its translation (by code) in other languages."""
    if str(get_locale()).startswith("en") or code not in UNPLACED_LABELS:
        return reason
    return str(UNPLACED_LABELS[code])


def availability_problem(event: Event, application: PitchApplication, slot: PitchSlot) -> str | None:
    """Why *slot* lies outside *application*'s availability, in the company's own zone (None if it fits)."""
    if bridge.fits(application, slot):
        return None
    zone = own_zone(application, event)
    name = application.organisation.name
    here = slot_text(slot, zone)
    if zone != event.timezone:
        here = str(_l("%(own)s (%(event_time)s)", own=here, event_time=slot_text(slot, event.timezone)))
    windows = merged_windows(Window(w.starts_at, w.ends_at) for w in application.availability)
    if not windows:
        return str(_l("%(company)s gave no availability; this slot is %(slot)s.", company=name, slot=here))
    shown = [span_text(w.start, w.end, zone) for w in windows[:MAX_WINDOWS_SHOWN]]
    if len(windows) > MAX_WINDOWS_SHOWN:
        shown.append("…")
    return str(
        _l(
            "%(company)s is available %(windows)s; this slot is %(slot)s.",
            company=name,
            windows=", ".join(shown),
            slot=here,
        )
    )


# --- Loading ----------------------------------------------------------------------------------------


def _slot_options() -> list[Any]:
    application = selectinload(PitchSlot.application)
    return [
        selectinload(PitchSlot.session),
        application.selectinload(PitchApplication.organisation),
        application.selectinload(PitchApplication.availability),
        application.selectinload(PitchApplication.sector),
    ]


def _application_options() -> list[Any]:
    return [
        selectinload(PitchApplication.organisation),
        selectinload(PitchApplication.availability),
        selectinload(PitchApplication.sector),
    ]


def _event_slots_statement(event: Event, *, scheduled_only: bool = False) -> sa.Select:
    statement = (
        sa.select(PitchSlot)
        .join(ProgrammeSession, ProgrammeSession.id == PitchSlot.session_id)
        .where(ProgrammeSession.event_id == event.id, ProgrammeSession.kind == SessionKind.PITCH_BLOCK)
        .order_by(PitchSlot.starts_at, ProgrammeSession.track, PitchSlot.id)
    )
    if scheduled_only:
        statement = statement.where(ProgrammeSession.status == SessionStatus.SCHEDULED)
    return statement


def event_slots(event: Event, *, scheduled_only: bool = False, refresh: bool = False) -> list[PitchSlot]:
    """Every pitch slot of *event* in time order, with session, holder, organisation and availability
    (*refresh*: overwrite what this transaction already loaded with what is in the database now)."""
    statement = _event_slots_statement(event, scheduled_only=scheduled_only).options(*_slot_options())
    if refresh:
        statement = statement.execution_options(populate_existing=True)
    return list(db.session.scalars(statement))


def schedulable_applications(event: Event) -> list[PitchApplication]:
    """*event*'s accepted and waitlisted applications, accepted first, with what scheduling needs."""
    rows = db.session.scalars(
        sa.select(PitchApplication)
        .where(PitchApplication.event_id == event.id, PitchApplication.status.in_(bridge.SCHEDULABLE))
        .options(*_application_options())
        .order_by(PitchApplication.id)
    ).all()
    return sorted(rows, key=lambda a: (-bridge.PRIORITY[a.status], a.id))


def pitch_slot_of_event(event: Event, slot_id: int) -> PitchSlot | None:
    """The slot *slot_id* when it belongs to one of *event*'s pitch blocks; None otherwise."""
    return db.session.scalars(
        _event_slots_statement(event).where(PitchSlot.id == slot_id).options(*_slot_options())
    ).first()


def application_of_event(event: Event, application_id: int) -> PitchApplication | None:
    """The application *application_id* when it was made to *event*; None otherwise."""
    return db.session.scalar(
        sa.select(PitchApplication)
        .where(PitchApplication.id == application_id, PitchApplication.event_id == event.id)
        .options(*_application_options())
    )


def declined_spans(event: Event) -> dict[int, list[bridge.Span]]:
    """Application id → the spans of the slots its company declined (from the audit log)."""
    spans: dict[int, list[bridge.Span]] = {}
    rows = db.session.execute(
        sa.select(AuditLogEntry.target_id, AuditLogEntry.before).where(
            AuditLogEntry.event_id == event.id,
            AuditLogEntry.action == "pitch.declined",
            AuditLogEntry.target_type == "PitchApplication",
        )
    )
    for application_id, before in rows:
        starts_at, ends_at = (
            _instant((before or {}).get("starts_at")),
            _instant((before or {}).get("ends_at")),
        )
        if application_id is not None and starts_at is not None and ends_at is not None:
            spans.setdefault(application_id, []).append((starts_at, ends_at))
    return spans


def declined_problem(event: Event, application: PitchApplication, slot: PitchSlot) -> str | None:
    """A warning when *application*'s company already declined (a slot at the time of) *slot*."""
    if not bridge.overlaps_any(slot, declined_spans(event).get(application.id, [])):
        return None
    return str(
        _l(
            "%(company)s declined a slot at this time (%(slot)s).",
            company=application.organisation.name,
            slot=slot_text(slot, event.timezone),
        )
    )


def _warnings(event: Event, pairs: Iterable[tuple[PitchApplication, PitchSlot]]) -> tuple[str, ...]:
    """Why each (company, slot) pair needs the organiser's confirmation: outside its availability, or
    a time it declined."""
    found = []
    for application, slot in pairs:
        for problem in (
            availability_problem(event, application, slot),
            declined_problem(event, application, slot),
        ):
            if problem is not None:
                found.append(problem)
    return tuple(found)


def session_of_event(event: Event, session_id: int) -> ProgrammeSession | None:
    """The session *session_id* when it belongs to *event*; None otherwise."""
    session = db.session.get(ProgrammeSession, session_id)
    if session is None or session.event_id != event.id:
        return None
    return session


def _sqlite_write_lock(table: sa.Table) -> None:
    """SQLite ignores ``FOR UPDATE``: begin its single write transaction now instead (a write that
    changes no row), so concurrent writers queue here and each then reads what the one before it
    committed. A no-op on PostgreSQL, whose row locks do this."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(table).where(sa.false()).values({table.c.id: table.c.id}))


def _lock_slots(slot_ids: Iterable[int]) -> dict[int, PitchSlot]:
    """Lock the slot rows (in id order, so two writers never wait for each other in a circle) and
    reload them, so that what this transaction checks is what is in the database now."""
    ids = sorted(set(slot_ids))
    _sqlite_write_lock(PitchSlot.__table__)
    rows = db.session.scalars(
        sa.select(PitchSlot)
        .where(PitchSlot.id.in_(ids))
        .order_by(PitchSlot.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {row.id: row for row in rows}


def _lock_application(application: PitchApplication) -> None:
    """Lock the application row, so two organisers placing the same company act one after the other.

    ``FOR NO KEY UPDATE``: it excludes the other organiser's same lock but not the key-share lock a
    plain write of ``pitch_slots.application_id`` takes; such a writer is stopped by the UNIQUE
    constraint instead.
    """
    _sqlite_write_lock(PitchApplication.__table__)
    db.session.execute(
        sa.select(PitchApplication.id)
        .where(PitchApplication.id == application.id)
        .with_for_update(key_share=True)
    )


def _slot_holding(application_id: int) -> PitchSlot | None:
    return db.session.scalar(sa.select(PitchSlot).where(PitchSlot.application_id == application_id))


def _event_slots_for_update(event: Event) -> list[PitchSlot]:
    """Lock every pitch slot of *event* (id order) and return them freshly loaded."""
    ids = list(db.session.scalars(_event_slots_statement(event).with_only_columns(PitchSlot.id)))
    _lock_slots(ids)
    return event_slots(event, refresh=True)


def _lock_event(event: Event) -> Event:
    _sqlite_write_lock(Event.__table__)
    return db.session.scalars(
        sa.select(Event)
        .where(Event.id == event.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _set_holder(slot: PitchSlot, application: PitchApplication | None) -> None:
    """Give *slot* to *application* (or empty it), as an organiser's not yet published change."""
    if slot.state != SlotState.PROPOSED:
        slot.sequence += 1  # the company was told about this slot: its calendar entry changes
    slot.application = application
    slot.state = SlotState.PROPOSED
    slot.responded_at = None
    slot.locked = False


def _slot_summary(slot: PitchSlot, application: PitchApplication | None = None) -> dict[str, Any]:
    holder = application if application is not None else slot.application
    return {
        "slot": slot.id,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "application": holder.id if holder is not None else None,
        "organisation": holder.organisation.name if holder is not None else None,
    }


def _holder_name(slot: PitchSlot) -> str:
    return slot.application.organisation.name if slot.application is not None else ""


# --- Pitch blocks and their slots -------------------------------------------------------------------


@dataclass
class PitchBlock:
    """A pitch block and its slots, for the slots page."""

    session: ProgrammeSession
    slots: list[PitchSlot]

    @property
    def all_empty(self) -> bool:
        """True when no slot of the block holds a company (so the slots may be generated again)."""
        return all(slot.application_id is None for slot in self.slots)


def pitch_blocks(event: Event) -> list[PitchBlock]:
    """*event*'s pitch blocks in time order, each with its slots (holders loaded)."""
    sessions = db.session.scalars(
        sa.select(ProgrammeSession)
        .where(ProgrammeSession.event_id == event.id, ProgrammeSession.kind == SessionKind.PITCH_BLOCK)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.track, ProgrammeSession.id)
    ).all()
    by_session: dict[int, list[PitchSlot]] = {s.id: [] for s in sessions}
    for slot in event_slots(event):
        by_session[slot.session_id].append(slot)
    return [PitchBlock(session=s, slots=by_session[s.id]) for s in sessions]


def slot_times(session: ProgrammeSession) -> list[tuple[datetime, datetime]]:
    """The slots that fill *session* from its start: slot_minutes long, changeover_minutes apart;
    the last one ends by the block's end."""
    length = timedelta(minutes=session.slot_minutes or 0)
    if length <= timedelta(0):
        return []
    period = length + timedelta(minutes=session.changeover_minutes or 0)
    times = []
    start = session.starts_at
    while start + length <= session.ends_at and len(times) < MAX_GENERATED_SLOTS:
        times.append((start, start + length))
        start += period
    return times


def generate_slots(actor: User, event: Event, session: ProgrammeSession) -> list[PitchSlot]:
    """Fill pitch block *session* with slots from its start (replacing its slots, all of them empty)."""
    _require_manager(actor, event)
    _refuse_if_archived(event)
    if session.kind != SessionKind.PITCH_BLOCK:
        raise ProgrammeError(_l("Only a pitch block has pitch slots."))
    if session.status == SessionStatus.CANCELLED:
        raise ProgrammeError(_l("This pitch block is cancelled."))
    if not session.slot_minutes:
        raise ProgrammeError(_l("Set the length of one pitch on the pitch block first."))
    existing = _lock_slots(slot.id for slot in session.slots)
    held = [slot for slot in existing.values() if slot.application_id is not None]
    if held:
        raise ProgrammeError(
            _l(
                "%(n)d slot(s) of this block hold a company. Slots can be generated again only while "
                "all of them are empty.",
                n=len(held),
            )
        )
    times = slot_times(session)
    if not times:
        raise ProgrammeError(_l("The block is shorter than one pitch; no slot fits."))
    for slot in existing.values():
        db.session.delete(slot)
    db.session.flush()
    db.session.expire(session, ["slots"])
    created = [PitchSlot(session_id=session.id, starts_at=start, ends_at=end) for start, end in times]
    db.session.add_all(created)
    record_change(
        actor,
        "pitch.slots_generated",
        session,
        event=event,
        before={"slots": len(existing)},
        after={"slots": len(created), "slot_minutes": session.slot_minutes},
    )
    db.session.flush()
    return created


def _editable_slot(slot: PitchSlot) -> PitchSlot:
    """Lock *slot* and refuse unless it is empty and not published."""
    locked = _lock_slots([slot.id]).get(slot.id)
    if locked is None:
        raise SlotConflictError(_l("This slot no longer exists; reload the page."))
    if locked.application_id is not None:
        raise ProgrammeError(
            _l(
                "This slot holds %(company)s; only empty slots can be changed. Take the company off the "
                "slot on the board first.",
                company=locked.application.organisation.name,
            )
        )
    if locked.state in bridge.PUBLISHED_STATES:
        raise ProgrammeError(_l("This slot is published; it cannot be changed."))
    return locked


def _local_instant(event: Event, slot: PitchSlot, wall_time: time) -> datetime:
    """*wall_time* on the slot's local day in the event's zone, as a UTC instant."""
    day = timezones.local_date(slot.starts_at, event.timezone)
    try:
        return timezones.local_to_utc(day, wall_time, event.timezone)
    except timezones.NonexistentLocalTimeError:
        raise ProgrammeError(
            _l(
                "This time does not exist on that day in %(zone)s (the clocks move forward).",
                zone=event.timezone,
            )
        ) from None
    except timezones.AmbiguousLocalTimeError:
        raise ProgrammeError(
            _l("This time happens twice on that day in %(zone)s (the clocks go back).", zone=event.timezone)
        ) from None


def shorten_slot(actor: User, event: Event, slot: PitchSlot, new_end: time) -> PitchSlot:
    """Make empty *slot* end earlier, at *new_end* (local time in the event's zone, same day)."""
    _require_manager(actor, event)
    _refuse_if_archived(event)
    slot = _editable_slot(slot)
    ends_at = _local_instant(event, slot, new_end)
    if not slot.starts_at < ends_at < slot.ends_at:
        raise ProgrammeError(
            _l(
                "The new end must be after the slot's start (%(start)s) and before its end (%(end)s).",
                start=format_clock(slot.starts_at, event.timezone),
                end=format_clock(slot.ends_at, event.timezone),
            )
        )
    before = {"ends_at": slot.ends_at}
    slot.ends_at = ends_at
    record_change(actor, "pitch.slot_shortened", slot, event=event, before=before, after={"ends_at": ends_at})
    db.session.flush()
    return slot


def split_slot(actor: User, event: Event, slot: PitchSlot, at: time | None) -> tuple[PitchSlot, PitchSlot]:
    """Split empty *slot* in two at local time *at* (the middle, to the minute, when None)."""
    _require_manager(actor, event)
    _refuse_if_archived(event)
    slot = _editable_slot(slot)
    if at is None:
        middle = slot.starts_at + (slot.ends_at - slot.starts_at) / 2
        split_at = middle.replace(second=0, microsecond=0)
    else:
        split_at = _local_instant(event, slot, at)
    if not slot.starts_at < split_at < slot.ends_at:
        raise ProgrammeError(
            _l(
                "Split the slot at a time between its start (%(start)s) and its end (%(end)s).",
                start=format_clock(slot.starts_at, event.timezone),
                end=format_clock(slot.ends_at, event.timezone),
            )
        )
    second = PitchSlot(session_id=slot.session_id, starts_at=split_at, ends_at=slot.ends_at)
    before = {"ends_at": slot.ends_at}
    slot.ends_at = split_at
    db.session.add(second)
    db.session.flush()
    record_change(
        actor,
        "pitch.slot_split",
        slot,
        event=event,
        before=before,
        after={"ends_at": split_at, "new_slot": second.id},
    )
    db.session.flush()
    return slot, second


def delete_slot(actor: User, event: Event, slot: PitchSlot) -> None:
    """Delete empty *slot*."""
    _require_manager(actor, event)
    _refuse_if_archived(event)
    slot = _editable_slot(slot)
    record_change(
        actor,
        "pitch.slot_deleted",
        slot,
        event=event,
        before={"starts_at": slot.starts_at, "ends_at": slot.ends_at, "session": slot.session_id},
    )
    db.session.delete(slot)
    db.session.flush()


# --- The board ----------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    """The company that should take a freed slot, and why."""

    application: PitchApplication
    why: str


@dataclass
class BoardRow:
    """One slot of the board: its time, its holder (if any) and what the organiser can do."""

    slot: PitchSlot
    application: PitchApplication | None
    own_zone: str | None
    region: str | None
    fits: bool
    suggestion: Suggestion | None = None


@dataclass
class Board:
    """The board: every slot of the event's pitch blocks, and the companies still without a slot."""

    rows: list[BoardRow]
    unplaced: list[PitchApplication]
    counts: dict[str, int] = field(default_factory=dict)


def board(event: Event) -> Board:
    """Everything the board shows, in a fixed number of queries whatever the number of slots."""
    slots = event_slots(event)
    applications = schedulable_applications(event)
    placed = {slot.application_id for slot in slots if slot.application_id is not None}
    unplaced = [a for a in applications if a.id not in placed]
    empty = [
        slot
        for slot in slots
        if slot.application_id is None and slot.session.status == SessionStatus.SCHEDULED
    ]
    declined = declined_spans(event) if any(slot.state == SlotState.DECLINED for slot in slots) else {}
    rows = []
    for slot in slots:
        holder = slot.application
        row = BoardRow(
            slot=slot,
            application=holder,
            own_zone=own_zone(holder, event) if holder is not None else None,
            region=region_label(holder) if holder is not None else None,
            fits=bridge.fits(holder, slot) if holder is not None else True,
        )
        if holder is None and slot.state == SlotState.DECLINED:
            row.suggestion = suggest_for_slot(event, slot, unplaced, empty, declined)
        rows.append(row)
    counts = {
        "slots": len(slots),
        "held": len(placed),
        "accepted_unplaced": sum(1 for a in unplaced if a.status == ApplicationStatus.ACCEPTED),
        "waitlisted_unplaced": sum(1 for a in unplaced if a.status == ApplicationStatus.WAITLISTED),
    }
    return Board(rows=rows, unplaced=unplaced, counts=counts)


def suggest_for_slot(
    event: Event,
    slot: PitchSlot,
    unplaced: Sequence[PitchApplication],
    empty: Sequence[PitchSlot],
    declined: Mapping[int, Sequence[bridge.Span]] | None = None,
) -> Suggestion | None:
    """The best company without a slot that can take *slot*: by priority (accepted, then waitlisted),
    then the one with the fewest other free slots it could take (the hardest to place), then the
    earliest application. A company is never suggested for a time it declined."""
    candidates = []
    for application in unplaced:
        if not bridge.fits(application, slot):
            continue
        if bridge.overlaps_any(slot, (declined or {}).get(application.id, ())):
            continue
        options = sum(1 for other in empty if bridge.fits(application, other))
        candidates.append((-bridge.PRIORITY[application.status], options, application.id, application))
    if not candidates:
        return None
    _priority, options, _id, best = min(candidates, key=lambda c: c[:3])
    zone = own_zone(best, event)
    windows = merged_windows(Window(w.starts_at, w.ends_at) for w in best.availability)
    inside = next((w for w in windows if w.start <= slot.starts_at and slot.ends_at <= w.end), None)
    status = (
        _l("Accepted and not placed yet")
        if best.status == ApplicationStatus.ACCEPTED
        else _l("Highest on the waiting list that can take it")
    )
    why = str(
        _l(
            "%(status)s; available %(window)s; can take %(n)d free slot(s).",
            status=status,
            window=span_text(inside.start, inside.end, zone) if inside else "",
            n=options,
        )
    )
    return Suggestion(application=best, why=why)


@dataclass
class SlotChoices:
    """What the slot page offers: companies to give an empty slot, slots to move or swap a holder to."""

    applications: list[tuple[PitchApplication, bool]]  # (company without a slot, fits this slot)
    empty_slots: list[tuple[PitchSlot, bool]]  # (empty slot, the holder fits it)
    held_slots: list[PitchSlot]


def slot_choices(event: Event, slot: PitchSlot) -> SlotChoices:
    """The choices for the slot page of *slot*."""
    slots = event_slots(event, scheduled_only=True)
    holder = slot.application
    placed = {s.application_id for s in slots if s.application_id is not None}
    if slot.application_id is not None:
        placed.add(slot.application_id)
    applications = [(a, bridge.fits(a, slot)) for a in schedulable_applications(event) if a.id not in placed]
    empty = [
        (s, bridge.fits(holder, s) if holder is not None else True)
        for s in slots
        if s.application_id is None and s.id != slot.id
    ]
    held = [s for s in slots if s.application_id is not None and s.id != slot.id and not s.locked]
    return SlotChoices(applications=applications, empty_slots=empty, held_slots=held)


def _check_expected(slot: PitchSlot, expected_application_id: int | None) -> None:
    """Conflict when the slot's holder is no longer the one the organiser saw."""
    if expected_application_id is not None and slot.application_id != expected_application_id:
        raise SlotConflictError()


def _refuse_locked(slot: PitchSlot) -> None:
    if slot.locked:
        raise ProgrammeError(_l("This slot is locked; unlock it first."))


def _refuse_cancelled(slot: PitchSlot) -> None:
    if slot.session.status == SessionStatus.CANCELLED:
        raise ProgrammeError(_l("This pitch block is cancelled; choose a slot of another block."))


def _require_schedulable(application: PitchApplication) -> None:
    if application.status not in bridge.SCHEDULABLE:
        raise ProgrammeError(
            _l(
                "%(company)s's application is not accepted or waitlisted, so it cannot have a slot.",
                company=application.organisation.name,
            )
        )


def assign(
    actor: User, event: Event, slot: PitchSlot, application: PitchApplication, *, confirmed: bool = False
) -> Outcome:
    """Give empty *slot* to *application* (accepted or waitlisted, without a slot yet).

    Outside the company's availability nothing is done unless *confirmed*: the outcome then carries
    the reason, for the organiser to confirm.
    """
    _require_manager(actor, event)
    _refuse_if_archived(event)
    _require_schedulable(application)
    _refuse_cancelled(slot)
    slot = _lock_slots([slot.id])[slot.id]
    _lock_application(application)
    if slot.application_id is not None:
        raise SlotConflictError()
    _refuse_locked(slot)
    current = _slot_holding(application.id)
    if current is not None:
        raise SlotConflictError(
            _l(
                "%(company)s already holds the slot at %(time)s; reload the board and move it from there.",
                company=application.organisation.name,
                time=slot_text(current, event.timezone),
            )
        )
    warnings = _warnings(event, [(application, slot)])
    if warnings and not confirmed:
        return Outcome(done=False, warnings=warnings)
    _set_holder(slot, application)
    record_change(actor, "pitch.assigned", slot, event=event, after=_slot_summary(slot, application))
    db.session.flush()
    return Outcome(done=True)


def move(
    actor: User,
    event: Event,
    slot: PitchSlot,
    target: PitchSlot,
    *,
    expected_application_id: int | None = None,
    confirmed: bool = False,
) -> Outcome:
    """Move the holder of *slot* to the empty slot *target*."""
    _require_manager(actor, event)
    _refuse_if_archived(event)
    if target.id == slot.id:
        raise ProgrammeError(_l("Choose another slot to move to."))
    _refuse_cancelled(target)
    locked = _lock_slots([slot.id, target.id])
    slot, target = locked[slot.id], locked[target.id]
    _check_expected(slot, expected_application_id)
    if slot.application_id is None:
        raise ProgrammeError(_l("This slot is empty; there is nobody to move."))
    if target.application_id is not None:
        raise SlotConflictError()
    _refuse_locked(slot)
    application = slot.application
    warnings = _warnings(event, [(application, target)])
    if warnings and not confirmed:
        return Outcome(done=False, warnings=warnings)
    before = _slot_summary(slot)
    _set_holder(slot, None)
    db.session.flush()  # free the company before it takes the other slot (UNIQUE application_id)
    _set_holder(target, application)
    record_change(actor, "pitch.moved", target, event=event, before=before, after=_slot_summary(target))
    db.session.flush()
    return Outcome(done=True)


def swap(
    actor: User,
    event: Event,
    slot: PitchSlot,
    other: PitchSlot,
    *,
    expected_application_id: int | None = None,
    expected_other_id: int | None = None,
    confirmed: bool = False,
) -> Outcome:
    """Exchange the holders of *slot* and *other* (both holding a company, neither locked)."""
    _require_manager(actor, event)
    _refuse_if_archived(event)
    if other.id == slot.id:
        raise ProgrammeError(_l("Choose another slot to swap with."))
    locked = _lock_slots([slot.id, other.id])
    slot, other = locked[slot.id], locked[other.id]
    _check_expected(slot, expected_application_id)
    _check_expected(other, expected_other_id)
    if slot.application_id is None or other.application_id is None:
        raise ProgrammeError(_l("Both slots must hold a company to swap them; use Move for an empty slot."))
    _refuse_locked(slot)
    _refuse_locked(other)
    _refuse_cancelled(slot)
    _refuse_cancelled(other)
    first, second = slot.application, other.application
    warnings = _warnings(event, [(first, other), (second, slot)])
    if warnings and not confirmed:
        return Outcome(done=False, warnings=warnings)
    before = {"first": _slot_summary(slot), "second": _slot_summary(other)}
    _set_holder(slot, None)
    _set_holder(other, None)
    db.session.flush()
    _set_holder(slot, second)
    _set_holder(other, first)
    record_change(
        actor,
        "pitch.swapped",
        slot,
        event=event,
        before={"first": before["first"]["organisation"], "second": before["second"]["organisation"]},
        after={"first": second.organisation.name, "second": first.organisation.name, "other_slot": other.id},
    )
    db.session.flush()
    return Outcome(done=True)


def unassign(
    actor: User, event: Event, slot: PitchSlot, *, expected_application_id: int | None = None
) -> PitchApplication:
    """Take the holder off *slot*; returns the application that held it."""
    _require_manager(actor, event)
    _refuse_if_archived(event)
    slot = _lock_slots([slot.id])[slot.id]
    _check_expected(slot, expected_application_id)
    if slot.application is None:
        raise ProgrammeError(_l("This slot is already empty."))
    _refuse_locked(slot)
    application = slot.application
    before = _slot_summary(slot)
    _set_holder(slot, None)
    record_change(actor, "pitch.unassigned", slot, event=event, before=before)
    db.session.flush()
    return application


def set_lock(
    actor: User, event: Event, slot: PitchSlot, locked: bool, *, expected_application_id: int | None = None
) -> PitchSlot:
    """Lock *slot* with its holder (the proposer keeps the pair exactly), or unlock it."""
    _require_manager(actor, event)
    _refuse_if_archived(event)
    slot = _lock_slots([slot.id])[slot.id]
    _check_expected(slot, expected_application_id)
    if slot.locked == locked:
        return slot
    if locked:
        if slot.application is None:
            raise ProgrammeError(_l("Only a slot holding a company can be locked."))
        try:
            bridge.check_lockable(slot.application, slot)
        except ProblemError as error:
            raise ProgrammeError(
                _l("This pair cannot be locked: the scheduler refuses it (%(reason)s).", reason=str(error))
            ) from None
    slot.locked = locked
    record_change(
        actor,
        "pitch.locked" if locked else "pitch.unlocked",
        slot,
        event=event,
        before={"locked": not locked},
        after={"locked": locked, "organisation": _holder_name(slot)},
    )
    db.session.flush()
    return slot


# --- Proposing and applying a schedule ----------------------------------------------------------------


def plan_fingerprint(
    event: Event, slots: Sequence[PitchSlot], applications: Sequence[PitchApplication]
) -> str:
    """A digest of everything a proposal depends on: every pitch slot (time, holder, lock, state,
    block status) and every schedulable application (status, availability)."""
    parts = [
        [
            s.id,
            s.session_id,
            s.session.status.value,
            _iso(s.starts_at),
            _iso(s.ends_at),
            s.application_id,
            s.locked,
            s.state.value,
        ]
        for s in sorted(slots, key=lambda s: s.id)
    ]
    parts.append(
        [
            [a.id, a.status.value, sorted([_iso(w.starts_at), _iso(w.ends_at)] for w in a.availability)]
            for a in sorted(applications, key=lambda a: a.id)
        ]
    )
    return hashlib.sha256(json.dumps([event.id, parts]).encode()).hexdigest()[:32]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PROPOSAL_SALT)


@dataclass
class ProposalRow:
    """One slot: who holds it now, who would hold it, and whether it is kept as it is."""

    slot: PitchSlot
    current: PitchApplication | None
    proposed: PitchApplication | None
    kept: bool

    @property
    def changed(self) -> bool:
        """True when the proposal gives the slot to someone else (or empties it)."""
        return (self.current.id if self.current else None) != (self.proposed.id if self.proposed else None)


@dataclass
class UnplacedRow:
    """A company the proposal leaves without a slot, why, and the slot it loses (if it has one now)."""

    application: PitchApplication
    reason: str
    loses: PitchSlot | None


@dataclass
class Proposal:
    """A computed proposal beside the current plan, and the signed token that applies exactly it."""

    rows: list[ProposalRow]
    moved: list[tuple[PitchApplication, PitchSlot, PitchSlot]]
    placed: list[tuple[PitchApplication, PitchSlot]]
    unplaced: list[UnplacedRow]
    dropped: list[tuple[PitchApplication, PitchSlot]]  # holders no longer accepted or waitlisted
    token: str
    keep_published: bool
    seconds: float

    @property
    def changes(self) -> int:
        """How many slots would change holder."""
        return sum(1 for row in self.rows if row.changed)


def propose(actor: User, event: Event, *, keep_published: bool = True) -> Proposal:
    """Compute the optimal schedule for *event* without changing anything, and compare it to the plan.

    Raises ProgrammeError with the solver's message when the problem cannot be solved as given (a
    locked pair the company can no longer take).
    """
    from roadshow.scheduling import solve  # numpy and SciPy load on first use only

    _require_manager(actor, event)
    all_slots = event_slots(event)
    slots = [s for s in all_slots if s.session.status == SessionStatus.SCHEDULED]
    applications = schedulable_applications(event)
    if not slots:
        raise ProgrammeError(_l("There are no pitch slots yet. Generate the slots of a pitch block first."))
    mapping = bridge.build_problem(
        slots, applications, keep_published=keep_published, declined=declined_spans(event)
    )
    try:
        solution = solve(mapping.problem)
    except ProblemError as error:
        raise ProgrammeError(
            _l(
                "The schedule cannot be computed: %(reason)s. Unlock or change that slot first.",
                reason=str(error),
            )
        ) from None
    plan = bridge.plan_from_solution(mapping, solution)
    by_id = {a.id: a for a in applications}
    current_slot = {s.application_id: s for s in all_slots if s.application_id is not None}

    rows = []
    for slot in slots:
        if slot.id in plan.holders:
            proposed_id = plan.holders[slot.id]
            proposed = by_id.get(proposed_id) if proposed_id is not None else None
        else:
            proposed = slot.application
        rows.append(
            ProposalRow(
                slot=slot,
                current=slot.application,
                proposed=proposed,
                kept=slot.id in mapping.kept or slot.id in mapping.fixed,
            )
        )
    new_slot = {row.proposed.id: row.slot for row in rows if row.proposed is not None}
    moved, placed, dropped = [], [], []
    for application_id, slot in new_slot.items():
        old = current_slot.get(application_id)
        if old is None:
            placed.append((by_id[application_id], slot))
        elif old.id != slot.id:
            moved.append((by_id[application_id], old, slot))
    kept_published = any(not s.locked for s in slots if s.id in mapping.kept)
    unplaced = [
        UnplacedRow(
            application=by_id[application_id],
            reason=(
                str(KEPT_OUT_REASON)
                if item.code == "locked_out" and kept_published
                else unplaced_reason(item.code, item.reason)
            ),
            loses=current_slot.get(application_id),
        )
        for application_id, item in plan.unplaced.items()
    ]
    for row in rows:
        holder = row.current
        if holder is not None and holder.id not in by_id and not row.kept and row.changed:
            dropped.append((holder, row.slot))
    token = _serializer().dumps(
        {
            "event": event.id,
            "plan": plan_fingerprint(event, all_slots, applications),
            "holders": sorted([slot_id, app_id] for slot_id, app_id in plan.holders.items()),
            "kept": sorted(mapping.kept),
        }
    )
    return Proposal(
        rows=rows,
        moved=sorted(moved, key=lambda m: (m[2].starts_at, m[2].id)),
        placed=sorted(placed, key=lambda p: (p[1].starts_at, p[1].id)),
        unplaced=unplaced,
        dropped=dropped,
        token=token,
        keep_published=keep_published,
        seconds=solution.stats.seconds,
    )


def _read_proposal(event: Event, token: str) -> dict[str, Any]:
    try:
        payload = _serializer().loads(token, max_age=PROPOSAL_MAX_AGE)
    except BadSignature:
        raise ProgrammeError(_l("This proposal is damaged or too old. Propose the schedule again.")) from None
    if not isinstance(payload, dict) or payload.get("event") != event.id:
        raise ProgrammeError(_l("This proposal is not for this event. Propose the schedule again."))
    holders = payload.get("holders")
    if not isinstance(holders, list) or not all(
        isinstance(pair, list)
        and len(pair) == 2
        and isinstance(pair[0], int)
        and (pair[1] is None or isinstance(pair[1], int))
        for pair in holders
    ):
        raise ProgrammeError(_l("This proposal is damaged or too old. Propose the schedule again."))
    return payload


def _holders_text(holders: dict[int, int | None]) -> str:
    """``slot 3: application 7; slot 4: empty`` for the audit log."""
    return "; ".join(
        f"slot {slot_id}: " + (f"application {app_id}" if app_id is not None else "empty")
        for slot_id, app_id in holders.items()
    )


@dataclass(frozen=True)
class AppliedProposal:
    """What applying a proposal changed."""

    placed: int
    moved: int
    emptied: int


def apply_proposal(actor: User, event: Event, token: str) -> AppliedProposal:
    """Write exactly the proposal signed in *token*, if the plan is still the one it was computed on.

    Every pitch slot of the event is locked first; locked slots are never touched. Raises
    SlotConflictError when anything changed since the proposal was made.
    """
    _require_manager(actor, event)
    _refuse_if_archived(event)
    payload = _read_proposal(event, token)
    slots = _event_slots_for_update(event)
    applications = schedulable_applications(event)
    if plan_fingerprint(event, slots, applications) != payload.get("plan"):
        raise SlotConflictError(
            _l(
                "The plan changed since this proposal was computed (another organiser edited it, or a "
                "company answered). Nothing was applied; propose the schedule again."
            )
        )
    by_slot = {s.id: s for s in slots}
    by_application = {a.id: a for a in applications}
    kept = set(payload.get("kept") or [])
    wanted = {
        slot_id: app_id
        for slot_id, app_id in payload["holders"]
        if slot_id in by_slot and slot_id not in kept and not by_slot[slot_id].locked
    }
    changing = {
        slot_id: app_id for slot_id, app_id in wanted.items() if by_slot[slot_id].application_id != app_id
    }
    incoming = {app_id for app_id in changing.values() if app_id is not None}
    if any(app_id not in by_application for app_id in incoming):
        raise SlotConflictError()
    current_slot = {s.application_id: s for s in slots if s.application_id is not None}
    moved = sum(1 for app_id in incoming if app_id in current_slot)
    # Free every slot that changes, and every slot an incoming company leaves, before filling any
    # (the UNIQUE application_id would otherwise refuse an intermediate state).
    vacate = set(changing) | {current_slot[app_id].id for app_id in incoming if app_id in current_slot}
    if any(by_slot[slot_id].locked for slot_id in vacate):
        raise SlotConflictError()
    before = {slot_id: by_slot[slot_id].application_id for slot_id in sorted(vacate)}
    for slot_id in vacate:
        if by_slot[slot_id].application_id is not None:
            _set_holder(by_slot[slot_id], None)
    db.session.flush()
    for slot_id, app_id in changing.items():
        if app_id is not None:
            _set_holder(by_slot[slot_id], by_application[app_id])
    emptied = sum(
        1 for slot_id in vacate if by_slot[slot_id].application_id is None and before[slot_id] is not None
    )
    result = AppliedProposal(placed=len(incoming) - moved, moved=moved, emptied=emptied)
    record_change(
        actor,
        "pitch.schedule_applied",
        event,
        event=event,
        before={"holders": _holders_text({k: before[k] for k in sorted(vacate)})},
        after={
            "holders": _holders_text({k: by_slot[k].application_id for k in sorted(vacate)}),
            "placed": result.placed,
            "moved": result.moved,
            "emptied": result.emptied,
        },
    )
    db.session.flush()
    return result


# --- Publishing ------------------------------------------------------------------------------------------


def latest_release(event: Event) -> PitchProgrammeRelease | None:
    """*event*'s most recent pitch-programme release, if any."""
    return db.session.scalars(
        sa.select(PitchProgrammeRelease)
        .where(PitchProgrammeRelease.event_id == event.id)
        .order_by(PitchProgrammeRelease.number.desc())
        .limit(1)
    ).first()


def _snapshot(slots: Sequence[PitchSlot]) -> list[dict[str, Any]]:
    return [
        {
            "slot": s.id,
            "session": s.session_id,
            "application": s.application_id,
            "organisation": s.application.organisation.name if s.application is not None else None,
            "starts_at": _iso(s.starts_at),
            "ends_at": _iso(s.ends_at),
            "sequence": s.sequence,
            "state": s.state.value,
        }
        for s in slots
    ]


def changelog(previous: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What changed for companies between two snapshots: added, moved (old → new time), removed."""
    before = {e["application"]: e for e in previous if e.get("application") is not None}
    after = {e["application"]: e for e in current if e.get("application") is not None}
    entries: list[dict[str, Any]] = []
    for application_id, entry in after.items():
        old = before.get(application_id)
        base = {
            "application": application_id,
            "organisation": entry["organisation"],
            "slot": entry["slot"],
            "starts_at": entry["starts_at"],
            "ends_at": entry["ends_at"],
        }
        if old is None:
            entries.append({"kind": "added", **base})
        elif (old["slot"], old["starts_at"], old["ends_at"]) != (
            entry["slot"],
            entry["starts_at"],
            entry["ends_at"],
        ):
            entries.append(
                {
                    "kind": "moved",
                    **base,
                    "old_slot": old["slot"],
                    "old_starts_at": old["starts_at"],
                    "old_ends_at": old["ends_at"],
                }
            )
    for application_id, old in before.items():
        if application_id not in after:
            entries.append(
                {
                    "kind": "removed",
                    "application": application_id,
                    "organisation": old["organisation"],
                    "old_slot": old["slot"],
                    "old_starts_at": old["starts_at"],
                    "old_ends_at": old["ends_at"],
                }
            )
    order = {"added": 0, "moved": 1, "removed": 2}
    entries.sort(
        key=lambda e: (order[e["kind"]], e.get("starts_at") or e.get("old_starts_at"), e["application"])
    )
    return entries


@dataclass
class ChangeView:
    """One changelog entry for display, with its times as instants."""

    kind: str
    organisation: str
    starts_at: datetime | None
    ends_at: datetime | None
    old_starts_at: datetime | None
    old_ends_at: datetime | None
    declined: bool = False


@dataclass
class ReleaseView:
    """A release (or the unpublished changes) for display."""

    number: int | None
    published_at: datetime | None
    published_by: str | None
    changes: list[ChangeView]
    unchanged: int
    held: int


def _change_views(entries: list[dict[str, Any]]) -> list[ChangeView]:
    return [
        ChangeView(
            kind=e["kind"],
            organisation=e.get("organisation") or "",
            starts_at=_instant(e.get("starts_at")),
            ends_at=_instant(e.get("ends_at")),
            old_starts_at=_instant(e.get("old_starts_at")),
            old_ends_at=_instant(e.get("old_ends_at")),
            declined=bool(e.get("declined")),
        )
        for e in entries
    ]


def _held(snapshot: list[dict[str, Any]]) -> int:
    return sum(1 for e in snapshot if e.get("application") is not None)


def _counted_changes(entries: list[dict[str, Any]]) -> int:
    return sum(1 for e in entries if e["kind"] in {"added", "moved"})


def releases(event: Event) -> list[ReleaseView]:
    """*event*'s releases, newest first, with their changelogs."""
    rows = db.session.execute(
        sa.select(PitchProgrammeRelease, User.name)
        .outerjoin(User, User.id == PitchProgrammeRelease.published_by_id)
        .where(PitchProgrammeRelease.event_id == event.id)
        .order_by(PitchProgrammeRelease.number.desc())
    ).all()
    views = []
    for release, name in rows:
        held = _held(release.snapshot or [])
        views.append(
            ReleaseView(
                number=release.number,
                published_at=release.published_at,
                published_by=name,
                changes=_change_views(release.changelog or []),
                unchanged=held - _counted_changes(release.changelog or []),
                held=held,
            )
        )
    return views


def pending_changes(event: Event) -> ReleaseView:
    """What publishing now would tell companies, compared with the latest release."""
    previous = latest_release(event)
    current = _snapshot(event_slots(event, scheduled_only=True))
    entries = changelog(previous.snapshot if previous else [], current)
    held = _held(current)
    return ReleaseView(
        number=None,
        published_at=None,
        published_by=None,
        changes=_change_views(entries),
        unchanged=held - _counted_changes(entries),
        held=held,
    )


def _declined_since(event: Event, application_ids: set[int], since: datetime | None) -> set[int]:
    """The applications among *application_ids* whose company declined its slot since *since*."""
    if not application_ids:
        return set()
    statement = sa.select(AuditLogEntry.target_id).where(
        AuditLogEntry.event_id == event.id,
        AuditLogEntry.action == "pitch.declined",
        AuditLogEntry.target_type == "PitchApplication",
        AuditLogEntry.target_id.in_(application_ids),
    )
    if since is not None:
        statement = statement.where(AuditLogEntry.created_at >= since)
    return set(db.session.scalars(statement))


def publish(actor: User, event: Event) -> PitchProgrammeRelease:
    """Publish *event*'s pitch programme as release n+1 and tell every company whose slot changed.

    Slots holding a company become ``published``, except those already confirmed whose time and
    holder are what the previous release said (they stay confirmed). The sequence of every slot
    whose time or holder changed since the previous release rises (once); the event's programme
    version rises.
    """
    _require_manager(actor, event)
    _refuse_if_archived(event)
    if event.status == EventStatus.CANCELLED:
        raise ProgrammeError(_l("This event is cancelled; its pitch programme cannot be published."))
    event = _lock_event(event)
    _event_slots_for_update(event)
    slots = event_slots(event, scheduled_only=True)
    previous = latest_release(event)
    before = previous.snapshot if previous else []
    before_by_slot = {e["slot"]: e for e in before}
    current = _snapshot(slots)
    entries = changelog(before, current)
    if not any(slot.application_id is not None for slot in slots) and previous is None:
        raise ProgrammeError(_l("No slot holds a company yet; give companies their slots before publishing."))
    if previous is not None and not entries:
        raise ProgrammeError(
            _l("Nothing has changed for any company since release %(n)d.", n=previous.number)
        )
    for slot in slots:
        old = before_by_slot.get(slot.id)
        changed = old is not None and (
            old["application"] != slot.application_id
            or old["starts_at"] != _iso(slot.starts_at)
            or old["ends_at"] != _iso(slot.ends_at)
        )
        if changed and slot.sequence == old.get("sequence", 0):
            slot.sequence += 1
        if slot.application_id is None:
            continue
        if changed or slot.state in {SlotState.PROPOSED, SlotState.DECLINED}:
            slot.state = SlotState.PUBLISHED
            slot.responded_at = None
    removed = {e["application"] for e in entries if e["kind"] == "removed"}
    declined = _declined_since(event, removed, previous.published_at if previous else None)
    for entry in entries:
        if entry["kind"] == "removed" and entry["application"] in declined:
            entry["declined"] = True
    release = PitchProgrammeRelease(
        event_id=event.id,
        number=(previous.number if previous else 0) + 1,
        published_by_id=actor.id,
        published_at=utcnow(),
        snapshot=_snapshot(slots),
        changelog=entries,
    )
    db.session.add(release)
    db.session.flush()
    _bump_programme(event)
    record_change(
        actor,
        "pitch.published",
        release,
        event=event,
        after={
            "number": release.number,
            "added": sum(1 for e in entries if e["kind"] == "added"),
            "moved": sum(1 for e in entries if e["kind"] == "moved"),
            "removed": len(removed),
        },
    )
    applications = {
        a.id: a
        for a in db.session.scalars(
            sa.select(PitchApplication)
            .where(PitchApplication.id.in_({e["application"] for e in entries}))
            .options(selectinload(PitchApplication.organisation))
        )
    }
    for entry in entries:
        application = applications.get(entry["application"])
        if application is None or entry.get("declined"):
            continue
        notify_slot_change(
            event,
            application,
            entry["kind"],
            starts_at=_instant(entry.get("starts_at")),
            ends_at=_instant(entry.get("ends_at")),
            old_starts_at=_instant(entry.get("old_starts_at")),
            old_ends_at=_instant(entry.get("old_ends_at")),
            slot_id=entry.get("slot"),
            old_slot_id=entry.get("old_slot"),
        )
    db.session.flush()
    return release


def company_members(application: PitchApplication) -> list[User]:
    """The active members of the organisation that made *application*."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == application.organisation_id,
                Membership.status == MembershipStatus.ACTIVE,
            )
            .order_by(User.id)
        )
    )


def notify_slot_change(
    event: Event,
    application: PitchApplication,
    change: str,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    old_starts_at: datetime | None = None,
    old_ends_at: datetime | None = None,
    slot_id: int | None = None,
    old_slot_id: int | None = None,
) -> int:
    """Tell every member of *application*'s organisation that its slot was given, moved or withdrawn.

    Each member gets one message in their language, with the times in the event's zone, the
    company's own zone and the member's zone when that differs. When the slot exists it is an iMIP
    calendar invitation (METHOD:REQUEST for a given or moved slot, METHOD:CANCEL for a withdrawn one,
    and a separate CANCEL for the old slot when the company moved to another slot), so the slot lands
    in, moves in, or leaves the member's calendar.

    Args:
        event: the event of the slot.
        application: the company's application.
        change: ``added`` (a slot was given), ``moved`` (old → new time) or ``removed``.
        starts_at, ends_at: the slot now (added, moved).
        old_starts_at, old_ends_at: the slot before (moved, removed).
        slot_id: the slot the company holds now (added, moved).
        old_slot_id: the slot it held before, when that is another slot (moved, removed).

    Returns:
        How many members were told.
    """
    members = company_members(application)
    company_zone = own_zone(application, event)
    url = external_url("programme.my_slots")
    slot = db.session.get(PitchSlot, slot_id) if slot_id is not None else None
    old_slot = db.session.get(PitchSlot, old_slot_id) if old_slot_id not in (None, slot_id) else None
    old_span = (old_starts_at, old_ends_at) if old_starts_at and old_ends_at else None
    for member in members:
        zones = [event.timezone]
        for zone in (company_zone, member.timezone):
            if timezones.is_valid_timezone(zone) and zone not in zones:
                zones.append(zone)
        context = {
            "member": member,
            "event": event,
            "application": application,
            "organisation": application.organisation,
            "change": change,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "old_starts_at": old_starts_at,
            "old_ends_at": old_ends_at,
            "zones": zones,
            "slots_url": url,
        }
        with force_locale(member.locale or "en"):
            subject = render_template("mail/slot_change.subject.txt", **context).strip()
            text = render_template("mail/slot_change.txt", **context)
            html = render_template("mail/slot_change.html", **context)
        message = {"subject": subject, "body_text": text, "body_html": html}
        if slot is not None and change in ("added", "moved"):
            queue_slot_invitation(slot, member, "REQUEST", application=application, **message)
            if old_slot is not None:  # moved to another slot: the old one leaves their calendar
                queue_slot_invitation(old_slot, member, "CANCEL", application=application, span=old_span)
        elif old_slot is not None:
            queue_slot_invitation(
                old_slot, member, "CANCEL", application=application, span=old_span, **message
            )
        else:  # the slot row itself is gone (only empty slots can be deleted): a plain e-mail
            queue_email(member.email, subject, text, html)
    return len(members)


# --- The company side ------------------------------------------------------------------------------------


@dataclass
class CompanySlot:
    """A slot shown to a company: published (to confirm or decline), or being changed by organisers."""

    application: PitchApplication
    event: Event
    slot: PitchSlot | None
    pending: bool = False

    @property
    def can_confirm(self) -> bool:
        """True while the slot waits for the company's confirmation."""
        return self.slot is not None and self.slot.state == SlotState.PUBLISHED

    @property
    def can_decline(self) -> bool:
        """True for a published or confirmed slot."""
        return self.slot is not None and self.slot.state in bridge.PUBLISHED_STATES


def _member_organisation_ids(user: Any) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Membership.organisation_id).where(
                Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE
            )
        )
    )


def company_slots(user: User) -> list[CompanySlot]:
    """The published slots of every organisation *user* belongs to, and slots being rescheduled."""
    organisation_ids = _member_organisation_ids(user)
    if not organisation_ids:
        return []
    applications = db.session.scalars(
        sa.select(PitchApplication)
        .where(PitchApplication.organisation_id.in_(organisation_ids))
        .options(selectinload(PitchApplication.organisation), selectinload(PitchApplication.event))
        .order_by(PitchApplication.id)
    ).all()
    if not applications:
        return []
    by_application = {
        s.application_id: s
        for s in db.session.scalars(
            sa.select(PitchSlot)
            .where(PitchSlot.application_id.in_([a.id for a in applications]))
            .options(selectinload(PitchSlot.session))
        )
    }
    latest: dict[int, PitchProgrammeRelease] = {}
    for release in db.session.scalars(
        sa.select(PitchProgrammeRelease)
        .where(PitchProgrammeRelease.event_id.in_({a.event_id for a in applications}))
        .order_by(PitchProgrammeRelease.number)
    ):
        latest[release.event_id] = release
    shown = []
    for application in applications:
        slot = by_application.get(application.id)
        if slot is None:
            continue  # declined, or taken off by the organisers (the company is told when published)
        if slot.state in bridge.PUBLISHED_STATES:
            shown.append(CompanySlot(application=application, event=application.event, slot=slot))
            continue
        # Given a new time that is not published yet: say so if the company had been told a time.
        release = latest.get(application.event_id)
        if release is not None and any(
            e.get("application") == application.id for e in release.snapshot or []
        ):
            shown.append(
                CompanySlot(application=application, event=application.event, slot=None, pending=True)
            )
    shown.sort(
        key=lambda c: (c.slot.starts_at if c.slot else datetime.max.replace(tzinfo=UTC), c.application.id)
    )
    return shown


def slot_of_member(user: Any, slot_id: int) -> PitchSlot | None:
    """The slot *slot_id* when it holds an application of an organisation *user* belongs to."""
    slot = db.session.scalars(
        sa.select(PitchSlot).where(PitchSlot.id == slot_id).options(*_slot_options())
    ).first()
    if slot is None or slot.application is None:
        return None
    if not permissions.is_organisation_member(user, slot.application.organisation):
        return None
    return slot


def _answerable(user: User, slot: PitchSlot) -> tuple[PitchSlot, PitchApplication, Event]:
    """Lock the event, then *slot* (the order publishing uses, so the two never deadlock), and check
    the slot still holds the member's company."""
    application = slot.application
    if application is None or not permissions.is_organisation_member(user, application.organisation):
        raise PermissionError("not a member of the company holding this slot")
    event = _lock_event(slot.session.event)
    locked = _lock_slots([slot.id]).get(slot.id)
    if locked is None or locked.application_id != application.id:
        raise SlotConflictError(_l("This slot has changed in the meantime; reload the page."))
    return locked, application, event


def confirm_slot(user: User, slot: PitchSlot) -> PitchSlot:
    """The company confirms its published slot."""
    slot, application, event = _answerable(user, slot)
    if slot.state == SlotState.CONFIRMED:
        raise ProgrammeError(_l("You have already confirmed this slot."))
    if slot.state != SlotState.PUBLISHED:
        raise ProgrammeError(_l("This slot is not waiting for your answer."))
    slot.state = SlotState.CONFIRMED
    slot.responded_at = utcnow()
    _bump_programme(event)
    record_change(
        user,
        "pitch.confirmed",
        application,
        event=event,
        before={"state": SlotState.PUBLISHED.value},
        after={"state": SlotState.CONFIRMED.value, **_slot_summary(slot, application)},
    )
    db.session.flush()
    return slot


def decline_slot(user: User, slot: PitchSlot) -> PitchApplication:
    """The company declines its published (or confirmed) slot: the slot is freed for another company.

    The slot keeps the state ``declined`` while empty, so the board can suggest who should take it;
    the history (who declined which slot when) is in the audit log.
    """
    slot, application, event = _answerable(user, slot)
    if slot.state not in bridge.PUBLISHED_STATES:
        raise ProgrammeError(_l("This slot is not waiting for your answer."))
    before = {"state": slot.state.value, **_slot_summary(slot, application)}
    slot.application = None
    slot.state = SlotState.DECLINED
    slot.responded_at = utcnow()
    slot.locked = False
    slot.sequence += 1
    _bump_programme(event)
    record_change(
        user, "pitch.declined", application, event=event, before=before, after={"state": "declined"}
    )
    db.session.flush()
    return application
