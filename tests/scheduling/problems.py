"""Small builders for scheduling problems in tests: times on a 15-minute grid, slots, companies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from roadshow.scheduling import Company, LockedPair, Problem, Slot, Window

BASE = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
UNIT = timedelta(minutes=15)


def at(units: float) -> datetime:
    """The instant *units* quarter-hours after 2026-12-01 08:00 UTC."""
    return BASE + units * UNIT


def slot(slot_id: str, start: float, length: float = 1, block: str | None = "am") -> Slot:
    """A slot starting *start* units after BASE, *length* units long."""
    return Slot(id=slot_id, start=at(start), end=at(start + length), block=block)


def company(
    company_id: str,
    *windows: tuple[float, float],
    priority: int = 1,
    sector: str | None = None,
) -> Company:
    """A company available in the given (start, end) unit windows."""
    return Company(
        id=company_id,
        availability=tuple(Window(at(a), at(b)) for a, b in windows),
        priority=priority,
        sector=sector,
    )


def problem(slots: list[Slot], companies: list[Company], locked: list[tuple[str, str]] = ()) -> Problem:
    """A Problem from lists, with locked pairs given as (company id, slot id)."""
    return Problem(
        slots=tuple(slots),
        companies=tuple(companies),
        locked=tuple(LockedPair(company=c, slot=s) for c, s in locked),
    )
