"""The one place that converts between local wall-clock times and UTC instants.

Plain Python (no Flask). Every instant in the application is an aware ``datetime`` in UTC; local
times exist only at the edges (forms and display), and pass through these functions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class NonexistentLocalTimeError(ValueError):
    """A wall-clock time skipped by a daylight-saving change (e.g. 02:30 on a spring-forward night)."""


class AmbiguousLocalTimeError(ValueError):
    """A wall-clock time that happens twice (the repeated hour of an autumn change)."""


class UnknownTimezoneError(ValueError):
    """A name that is not an IANA time zone."""


@lru_cache(maxsize=1)
def all_timezone_names() -> tuple[str, ...]:
    """Every IANA zone name known to this system, sorted."""
    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


def is_valid_timezone(name: str | None) -> bool:
    """True when *name* is an IANA zone this system knows."""
    return bool(name) and name in _zone_names_set()


@lru_cache(maxsize=1)
def _zone_names_set() -> frozenset[str]:
    return frozenset(all_timezone_names())


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name; UnknownTimezoneError for anything else."""
    if not is_valid_timezone(name):
        raise UnknownTimezoneError(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - tzdata gone
        raise UnknownTimezoneError(name) from exc


def local_to_utc(day: date, wall_time: time, tz_name: str, *, strict: bool = True) -> datetime:
    """Convert a wall-clock date and time in zone *tz_name* to a UTC instant.

    Args:
        day: the local calendar date.
        wall_time: the local time of day (its tzinfo, if any, is ignored).
        tz_name: IANA zone the time is written in.
        strict: when true, a time skipped by a DST change raises NonexistentLocalTimeError and a time
            that occurs twice raises AmbiguousLocalTimeError; when false, a skipped time moves forward by
            the gap and a repeated time takes its first occurrence (as most calendar apps do).
    """
    tz = zone(tz_name)
    naive = datetime.combine(day, wall_time.replace(tzinfo=None))
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Either the time occurs twice (offset falls) or never (offset rises).
        round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if round_trip != naive:
            if strict:
                raise NonexistentLocalTimeError(f"{naive:%Y-%m-%d %H:%M} does not exist in {tz_name}")
            # fold=0 applies the offset from before the gap, which lands after it: the usual shift.
            return first.astimezone(UTC)
        if strict:
            raise AmbiguousLocalTimeError(f"{naive:%Y-%m-%d %H:%M} occurs twice in {tz_name}")
    return first.astimezone(UTC)


def utc_to_local(instant: datetime, tz_name: str) -> datetime:
    """The aware local datetime in zone *tz_name* for a UTC (or any aware) instant."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime given where an instant is required")
    return instant.astimezone(zone(tz_name))


def local_day_bounds(day: date, tz_name: str) -> tuple[datetime, datetime]:
    """The UTC instants at which local *day* begins and the next local day begins in *tz_name*."""
    tz = zone(tz_name)
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def utc_offset_label(instant: datetime, tz_name: str) -> str:
    """The zone's offset at *instant* as ``UTC+08:00`` / ``UTC+01:00``."""
    offset = utc_to_local(instant, tz_name).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def local_date(instant: datetime, tz_name: str) -> date:
    """The local calendar date of *instant* in *tz_name*."""
    return utc_to_local(instant, tz_name).date()
