"""The pitch-slot scheduling problem: slots, companies and locked pairs, parsed from JSON and checked.

Plain Python (no numpy, no Flask): the web app builds a :class:`Problem` from its rows, the command
line builds one from a file with :func:`parse_problem`. Every error is a :class:`ProblemError` whose
message is one line naming the culprit (an id where one is known, else a JSON path such as
``slots[3]``). The file format is described in ``shared/formats/scheduling.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


class ProblemError(ValueError):
    """A problem that cannot be solved as given; the message is one line naming the culprit."""


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of time, between two aware instants, in which a company can pitch."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Slot:
    """A pitch slot from *start* to *end*; slots sharing a *block* are consecutive parts of one session."""

    id: str
    start: datetime
    end: datetime
    block: str | None = None


@dataclass(frozen=True, slots=True)
class Company:
    """A company to place: when it can pitch, how important it is, and what it is about."""

    id: str
    availability: tuple[Window, ...] = ()
    priority: int = 1
    sector: str | None = None
    region: str | None = None
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class LockedPair:
    """A company an organiser fixed to a slot by hand; the solver keeps it exactly."""

    company: str
    slot: str


@dataclass(frozen=True, slots=True)
class Problem:
    """Everything the solver needs: the slots, the companies, and the pairs locked by hand."""

    slots: tuple[Slot, ...]
    companies: tuple[Company, ...]
    locked: tuple[LockedPair, ...] = ()


# --- reading JSON -------------------------------------------------------------------------------

_JSON_TYPE_NAMES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "number",
    float: "number",
    type(None): "null",
}


def parse_problem(raw: Any) -> Problem:
    """Build a checked :class:`Problem` from decoded JSON (the dict ``json.load`` returns).

    Args:
        raw: the decoded problem document: an object with ``slots`` and ``companies`` (arrays) and an
            optional ``locked`` array. Unknown keys anywhere are ignored.

    Returns:
        The problem, with every time an aware ``datetime`` and every check of :func:`check_problem`
        passed.

    Raises:
        ProblemError: with a one-line message for a missing key, a value of the wrong type, a time that
            is not RFC 3339 or has no UTC offset, and everything :func:`check_problem` rejects.
    """
    if not isinstance(raw, dict):
        raise ProblemError(f"the problem must be a JSON object, got {_json_type(raw)}")
    slots = tuple(_parse_slot(item, f"slots[{i}]") for i, item in enumerate(_array(raw, "slots", None)))
    companies = tuple(
        _parse_company(item, f"companies[{i}]") for i, item in enumerate(_array(raw, "companies", None))
    )
    locked_raw = raw.get("locked")
    locked_items = [] if locked_raw is None else _array(raw, "locked", None)
    locked = tuple(_parse_locked(item, f"locked[{i}]") for i, item in enumerate(locked_items))
    problem = Problem(slots=slots, companies=companies, locked=locked)
    check_problem(problem)
    return problem


def _parse_slot(item: Any, path: str) -> Slot:
    """One element of ``slots``."""
    _require_object(item, path)
    slot_id = _identifier(item, "id", path)
    where = f"slot {quote(slot_id)}"
    block = _optional_string(item, "block", where)
    return Slot(
        id=slot_id,
        start=_instant(item, "start", where),
        end=_instant(item, "end", where),
        block=block,
    )


def _parse_company(item: Any, path: str) -> Company:
    """One element of ``companies``."""
    _require_object(item, path)
    company_id = _identifier(item, "id", path)
    where = f"company {quote(company_id)}"
    windows = []
    for i, window in enumerate(_array(item, "availability", where)):
        window_where = f"{where} availability[{i}]"
        _require_object(window, window_where)
        windows.append(
            Window(start=_instant(window, "start", window_where), end=_instant(window, "end", window_where))
        )
    # The priority's range is checked by check_problem, so both entry points say the same thing.
    priority = item.get("priority", 1)
    return Company(
        id=company_id,
        availability=tuple(windows),
        priority=priority,
        sector=_optional_string(item, "sector", where),
        region=_optional_string(item, "region", where),
        timezone=_optional_string(item, "timezone", where),
    )


def _parse_locked(item: Any, path: str) -> LockedPair:
    """One element of ``locked``."""
    _require_object(item, path)
    return LockedPair(company=_identifier(item, "company", path), slot=_identifier(item, "slot", path))


def _require_object(item: Any, where: str) -> None:
    """ProblemError unless *item* is a JSON object."""
    if not isinstance(item, dict):
        raise ProblemError(f"{where} must be an object, got {_json_type(item)}")


def _missing(key: str, where: str | None) -> ProblemError:
    """The error for a required key that is absent."""
    return ProblemError(
        f"missing key {quote(key)}" if where is None else f"{where}: missing key {quote(key)}"
    )


def _array(item: Mapping[str, Any], key: str, where: str | None) -> list[Any]:
    """The array under *key*; ProblemError when absent or not an array."""
    if key not in item:
        raise _missing(key, where)
    value = item[key]
    if not isinstance(value, list):
        prefix = "" if where is None else f"{where}: "
        raise ProblemError(f"{prefix}{quote(key)} must be an array, got {_json_type(value)}")
    return value


def _identifier(item: Mapping[str, Any], key: str, where: str) -> str:
    """The non-empty string under *key*."""
    if key not in item:
        raise _missing(key, where)
    value = item[key]
    if not isinstance(value, str) or not value:
        raise ProblemError(f"{where}: {quote(key)} must be a non-empty string, got {_shown(value)}")
    return value


def _optional_string(item: Mapping[str, Any], key: str, where: str) -> str | None:
    """The string under *key*, or None when the key is absent or null."""
    value = item.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ProblemError(f"{where}: {quote(key)} must be a string, got {_shown(value)}")


def _instant(item: Mapping[str, Any], key: str, where: str) -> datetime:
    """The RFC 3339 instant (with a UTC offset) under *key*, as an aware datetime."""
    if key not in item:
        raise _missing(key, where)
    text = item[key]
    if not isinstance(text, str):
        raise ProblemError(f"{where}: {key} must be an RFC 3339 time string, got {_shown(text)}")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ProblemError(f"{where}: {key} {quote(text)} is not an RFC 3339 time") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ProblemError(f"{where}: {key} {quote(text)} has no UTC offset (add Z or one like +08:00)")
    return value


def _json_type(value: Any) -> str:
    """The JSON name of a decoded value's type."""
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    """A short one-line rendering of a decoded value for an error message."""
    if isinstance(value, dict | list):
        return _json_type(value)
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def quote(text: str) -> str:
    """*text* in double quotes, with newlines and quotes escaped so a message stays on one line."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'  # the common case, without the cost of json.dumps
    return json.dumps(text, ensure_ascii=False)


def format_instant(value: datetime) -> str:
    """An aware instant as RFC 3339 in UTC, e.g. ``2026-12-01T08:00:00Z``."""
    text = value.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


# --- checking ----------------------------------------------------------------------------------


def check_problem(problem: Problem) -> None:
    """Raise ProblemError unless *problem* can be solved as given.

    Args:
        problem: the problem, however it was built (from JSON or by the web app).

    Raises:
        ProblemError: with a one-line message for an empty or repeated id, a naive time (no UTC
            offset), an end not after its start, two slots of the same block overlapping in time, a
            priority that is not a positive integer, a locked pair naming an unknown company or slot,
            a second lock on one slot or one company, and a locked pair the company cannot take.
            A company's own availability windows may overlap (they are merged); slots without a block,
            or in different blocks, may overlap (they are parallel rooms).
    """
    slots_by_id: dict[str, Slot] = {}
    for slot in problem.slots:
        _check_id(slot.id, "slot")
        if slot.id in slots_by_id:
            raise ProblemError(f"duplicate slot id {quote(slot.id)}")
        slots_by_id[slot.id] = slot
        if not _interval_ok(slot.start, slot.end):
            _check_interval(slot.start, slot.end, f"slot {quote(slot.id)}")
        if slot.block is not None and not isinstance(slot.block, str):
            raise ProblemError(f"slot {quote(slot.id)}: block must be a string, got {_shown(slot.block)}")
    _check_blocks(problem.slots)

    companies_by_id: dict[str, Company] = {}
    for company in problem.companies:
        _check_id(company.id, "company")
        if company.id in companies_by_id:
            raise ProblemError(f"duplicate company id {quote(company.id)}")
        companies_by_id[company.id] = company
        priority = company.priority
        if isinstance(priority, bool) or not isinstance(priority, int) or priority < 1:
            raise ProblemError(
                f"company {quote(company.id)}: priority must be a positive integer, got {_shown(priority)}"
            )
        for i, window in enumerate(company.availability):
            if not _interval_ok(window.start, window.end):
                _check_interval(window.start, window.end, f"company {quote(company.id)} availability[{i}]")

    _check_locked(problem.locked, slots_by_id, companies_by_id)


def _check_id(value: Any, kind: str) -> None:
    """ProblemError unless *value* is a non-empty string."""
    if not isinstance(value, str) or not value:
        raise ProblemError(f"a {kind} id must be a non-empty string, got {_shown(value)}")


def _interval_ok(start: Any, end: Any) -> bool:
    """Whether *start* and *end* are aware datetimes with end after start (the fast, silent check)."""
    return (
        isinstance(start, datetime)
        and isinstance(end, datetime)
        and start.utcoffset() is not None
        and end.utcoffset() is not None
        and end > start
    )


def _check_interval(start: Any, end: Any, where: str) -> None:
    """ProblemError unless *start* and *end* are aware datetimes with end after start."""
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime):
            raise ProblemError(f"{where}: {name} must be a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ProblemError(f"{where}: {name} {value.isoformat()} has no UTC offset")
    if end <= start:
        raise ProblemError(f"{where}: end {format_instant(end)} is not after start {format_instant(start)}")


def _check_blocks(slots: Iterable[Slot]) -> None:
    """ProblemError when two slots of the same block overlap in time."""
    by_block: dict[str, list[Slot]] = {}
    for slot in slots:
        if slot.block is not None:
            by_block.setdefault(slot.block, []).append(slot)
    for block, members in by_block.items():
        members.sort(key=lambda s: (s.start, s.end))
        latest = members[0]  # the member seen so far that ends last
        for slot in members[1:]:
            if slot.start < latest.end:
                raise ProblemError(
                    f"slots {quote(latest.id)} and {quote(slot.id)} of block {quote(block)} overlap"
                )
            if slot.end > latest.end:
                latest = slot


def _check_locked(
    locked: Iterable[LockedPair], slots_by_id: dict[str, Slot], companies_by_id: dict[str, Company]
) -> None:
    """ProblemError for a locked pair that is unknown, repeated or impossible."""
    slot_locked_at: dict[str, int] = {}
    company_locked_at: dict[str, int] = {}
    for i, pair in enumerate(locked):
        where = f"locked[{i}]"
        _check_id(pair.company, "locked company")
        _check_id(pair.slot, "locked slot")
        company = companies_by_id.get(pair.company)
        if company is None:
            raise ProblemError(f"{where}: unknown company {quote(pair.company)}")
        slot = slots_by_id.get(pair.slot)
        if slot is None:
            raise ProblemError(f"{where}: unknown slot {quote(pair.slot)}")
        if pair.slot in slot_locked_at:
            raise ProblemError(
                f"{where}: slot {quote(pair.slot)} is already locked in locked[{slot_locked_at[pair.slot]}]"
            )
        if pair.company in company_locked_at:
            earlier = company_locked_at[pair.company]
            raise ProblemError(
                f"{where}: company {quote(pair.company)} is already locked in locked[{earlier}]"
            )
        slot_locked_at[pair.slot] = i
        company_locked_at[pair.company] = i
        if not can_take(company, slot):
            raise ProblemError(
                f"{where}: company {quote(company.id)} cannot take slot {quote(slot.id)} "
                f"({format_instant(slot.start)} to {format_instant(slot.end)}): "
                "no availability window covers it"
            )


# --- windows -----------------------------------------------------------------------------------


def merged_windows(windows: Iterable[Window]) -> list[Window]:
    """The union of *windows* as sorted, disjoint windows; windows that overlap or touch are joined."""
    merged: list[Window] = []
    for window in sorted(windows, key=lambda w: (w.start, w.end)):
        if merged and window.start <= merged[-1].end:
            if window.end > merged[-1].end:
                merged[-1] = Window(merged[-1].start, window.end)
        else:
            merged.append(window)
    return merged


def can_take(company: Company, slot: Slot) -> bool:
    """Whether *company* can take *slot*: the slot lies wholly inside its (merged) availability.

    Args:
        company: the company, with aware availability windows.
        slot: the slot, with aware start and end.

    Returns:
        True when one merged availability window starts at or before the slot's start and ends at or
        after the slot's end. Windows that touch count as one, so a slot may straddle their seam.
    """
    return any(w.start <= slot.start and slot.end <= w.end for w in merged_windows(company.availability))


# --- writing JSON ------------------------------------------------------------------------------


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The JSON-ready form of *problem* (the file format), e.g. to plan offline or reproduce a run.

    Args:
        problem: the problem to write; its times are written as RFC 3339 instants in UTC.

    Returns:
        A dict that ``json.dumps`` can write and :func:`parse_problem` reads back to an equal problem
        (up to the UTC offset the times are written with).
    """

    def company_dict(company: Company) -> dict[str, Any]:
        """One company in the file format, leaving out empty optional fields."""
        entry: dict[str, Any] = {"id": company.id}
        for key in ("region", "timezone", "sector"):
            if getattr(company, key) is not None:
                entry[key] = getattr(company, key)
        entry["priority"] = company.priority
        entry["availability"] = [
            {"start": format_instant(w.start), "end": format_instant(w.end)} for w in company.availability
        ]
        return entry

    def slot_dict(slot: Slot) -> dict[str, Any]:
        """One slot in the file format."""
        entry: dict[str, Any] = {
            "id": slot.id,
            "start": format_instant(slot.start),
            "end": format_instant(slot.end),
        }
        if slot.block is not None:
            entry["block"] = slot.block
        return entry

    return {
        "slots": [slot_dict(s) for s in problem.slots],
        "companies": [company_dict(c) for c in problem.companies],
        "locked": [{"company": p.company, "slot": p.slot} for p in problem.locked],
    }
