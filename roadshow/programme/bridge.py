"""Between the database and the solver: rows become a scheduling Problem, a Solution becomes a plan.

This is the only module that knows both sides. ``roadshow.scheduling`` sees plain ids (strings), UTC
instants and priorities; the services see ``PitchSlot`` and ``PitchApplication`` rows. The ids given
to the solver carry the organisation's name and the slot's number, so that the solver's one-line
error messages (e.g. a locked pair the company cannot take) can be shown to organisers as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from roadshow.enums import ApplicationStatus, SlotState
from roadshow.models import PitchApplication, PitchSlot
from roadshow.scheduling import (
    Company,
    LockedPair,
    Problem,
    Slot,
    Solution,
    Unplaced,
    Window,
    can_take,
    check_problem,
)

# Accepted companies first; waitlisted ones only fill the gaps (the solver is priority-then-count).
PRIORITY: dict[ApplicationStatus, int] = {ApplicationStatus.ACCEPTED: 2, ApplicationStatus.WAITLISTED: 1}
SCHEDULABLE = frozenset(PRIORITY)
Span = tuple[datetime, datetime]
# Slots whose holder the company has been told about (kept when proposing, if the organiser asks).
PUBLISHED_STATES = frozenset({SlotState.PUBLISHED, SlotState.CONFIRMED})


def company_key(application: PitchApplication) -> str:
    """The solver's id for *application*: its organisation's name and its number (unique)."""
    return f"{application.organisation.name} #{application.id}"


def slot_key(slot: PitchSlot) -> str:
    """The solver's id for *slot*: its number (unique)."""
    return f"slot #{slot.id}"


def scheduling_slot(slot: PitchSlot) -> Slot:
    """*slot* as the solver sees it: its instants, grouped by its pitch block."""
    return Slot(id=slot_key(slot), start=slot.starts_at, end=slot.ends_at, block=f"block #{slot.session_id}")


def scheduling_company(application: PitchApplication, declined: Sequence[Span] = ()) -> Company:
    """*application* as the solver sees it: availability (UTC instants), priority, sector, region, zone.

    The *declined* spans (slots the company gave back) are cut out of its availability, so that the
    solver never offers a company the time it declined.
    """
    windows = [Window(w.starts_at, w.ends_at) for w in application.availability]
    return Company(
        id=company_key(application),
        availability=tuple(without_spans(windows, declined)),
        priority=PRIORITY.get(application.status, 1),
        sector=application.sector.slug if application.sector is not None else None,
        region=application.organisation.region.value,
        timezone=application.timezone,
    )


def without_spans(windows: Sequence[Window], spans: Sequence[Span]) -> list[Window]:
    """*windows* with every one of *spans* cut out (a window may split in two)."""
    result = list(windows)
    for start, end in spans:
        cut = []
        for window in result:
            if end <= window.start or window.end <= start:
                cut.append(window)
                continue
            if window.start < start:
                cut.append(Window(window.start, start))
            if end < window.end:
                cut.append(Window(end, window.end))
        result = cut
    return result


def overlaps_any(slot: PitchSlot, spans: Sequence[Span]) -> bool:
    """Whether *slot* overlaps one of *spans*."""
    return any(start < slot.ends_at and slot.starts_at < end for start, end in spans)


def fits(application: PitchApplication, slot: PitchSlot) -> bool:
    """Whether *slot* lies wholly inside one of *application*'s (merged) availability windows."""
    return can_take(scheduling_company(application), scheduling_slot(slot))


def check_lockable(application: PitchApplication, slot: PitchSlot) -> None:
    """Raise the solver's ProblemError when locking *application* to *slot* would be refused by it."""
    company = scheduling_company(application)
    check_problem(
        Problem(
            slots=(scheduling_slot(slot),),
            companies=(company,),
            locked=(LockedPair(company=company.id, slot=slot_key(slot)),),
        )
    )


@dataclass
class ProblemMapping:
    """A problem built from rows, and the way back from the solver's ids to the rows' ids.

    ``fixed`` holds the slots left out of the problem and kept exactly as they are (slot id →
    application id or None): locked slots whose holder can no longer be scheduled, and published
    slots the company cannot take any more when published slots are kept.
    """

    problem: Problem
    slot_ids: dict[str, int]
    application_ids: dict[str, int]
    fixed: dict[int, int | None] = field(default_factory=dict)
    kept: set[int] = field(default_factory=set)  # slot ids locked in the problem (by hand or kept)


def build_problem(
    slots: Iterable[PitchSlot],
    applications: Iterable[PitchApplication],
    *,
    keep_published: bool = True,
    declined: Mapping[int, Sequence[Span]] | None = None,
) -> ProblemMapping:
    """The scheduling problem of an event's pitch slots and its accepted and waitlisted applications.

    Args:
        slots: the slots of the event's scheduled pitch blocks, with ``application`` loaded.
        applications: the event's applications; only accepted (priority 2) and waitlisted (priority
            1) ones take part, with their availability, sector and organisation loaded.
        keep_published: keep every slot whose company was told (published or confirmed) as a locked
            pair, so a proposal never moves a company that has been informed.
        declined: application id → the spans of slots it declined; they are cut out of its
            availability (except for a company locked or kept in its slot, whose pair must stay valid).

    Returns:
        The problem (locked pairs: the slots an organiser locked, and the published ones when kept)
        and the mapping back to row ids. A locked slot whose holder is no longer accepted or
        waitlisted, or a kept published slot the company cannot take, is left out and kept as is.
    """
    companies = {a.id: a for a in applications if a.status in SCHEDULABLE}
    problem_slots: list[Slot] = []
    locked: list[LockedPair] = []
    mapping = ProblemMapping(problem=Problem(slots=(), companies=()), slot_ids={}, application_ids={})
    taken: set[int] = set()
    held_fixed: set[int] = set()  # companies locked or kept in their slot: their availability stays whole
    for slot in slots:
        holder = companies.get(slot.application_id) if slot.application_id is not None else None
        keep = slot.locked or (keep_published and slot.state in PUBLISHED_STATES and holder is not None)
        if keep and (holder is None or (not slot.locked and not fits(holder, slot))):
            mapping.fixed[slot.id] = slot.application_id
            if holder is not None:
                taken.add(holder.id)
            continue
        problem_slots.append(scheduling_slot(slot))
        mapping.slot_ids[slot_key(slot)] = slot.id
        if keep and holder is not None:
            locked.append(LockedPair(company=company_key(holder), slot=slot_key(slot)))
            mapping.kept.add(slot.id)
            held_fixed.add(holder.id)
    problem_companies = []
    for application in companies.values():
        if application.id in taken:
            continue
        spans = () if application.id in held_fixed else (declined or {}).get(application.id, ())
        company = scheduling_company(application, spans)
        problem_companies.append(company)
        mapping.application_ids[company.id] = application.id
    mapping.problem = Problem(
        slots=tuple(problem_slots), companies=tuple(problem_companies), locked=tuple(locked)
    )
    return mapping


@dataclass(frozen=True)
class ProposedPlan:
    """What a solution means for the rows: each slot in the problem → application id (or None)."""

    holders: dict[int, int | None]
    unplaced: dict[int, Unplaced]


def plan_from_solution(mapping: ProblemMapping, solution: Solution) -> ProposedPlan:
    """Turn *solution* back into slot ids → application ids; slots it leaves empty map to None."""
    holders: dict[int, int | None] = dict.fromkeys(mapping.slot_ids.values())
    for assignment in solution.assignments:
        holders[mapping.slot_ids[assignment.slot]] = mapping.application_ids[assignment.company]
    unplaced = {mapping.application_ids[u.company]: u for u in solution.unplaced}
    return ProposedPlan(holders=holders, unplaced=unplaced)
