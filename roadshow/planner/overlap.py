"""Working hours across time zones on one date, as UTC intervals, and the hours they all share.

Plain Python (no Flask). For a calendar date and a list of IANA zones, each zone's working day
(09:00–18:00 local unless told otherwise) on that *local* date becomes a UTC interval through
roadshow.timezones (the one place that converts local times), so a daylight-saving change moves the
interval by the hour exactly when the zone's clocks change: on 24 October 2026 Brussels works
07:00–16:00 UTC, on 26 October 08:00–17:00 UTC, while Shanghai stays 01:00–10:00 UTC.

A working day that starts or ends in a time skipped by a spring-forward change is shifted by the
gap, and a time that happens twice takes its first occurrence (as calendar applications do).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from roadshow import timezones

DEFAULT_ZONES: tuple[str, ...] = (
    "Europe/Brussels",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Helsinki",
    "Asia/Shanghai",
)
DEFAULT_START = time(9, 0)
DEFAULT_END = time(18, 0)
# Dates outside this range are refused: far enough for any planning, and no overflow at the edges.
EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class InvalidWorkingHoursError(ValueError):
    """Working hours that end before (or when) they start."""


class DateOutOfRangeError(ValueError):
    """A date outside EARLIEST_DATE … LATEST_DATE."""


@dataclass(frozen=True)
class Interval:
    """A half-open span of time ``[start, end)`` between two aware UTC instants."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("an interval needs aware instants")
        if self.end <= self.start:
            raise ValueError("an interval must end after it starts")

    @property
    def duration(self) -> timedelta:
        """How long the interval lasts."""
        return self.end - self.start

    def in_zone(self, tz_name: str) -> tuple[datetime, datetime]:
        """The interval's start and end as aware local datetimes in *tz_name*."""
        return timezones.utc_to_local(self.start, tz_name), timezones.utc_to_local(self.end, tz_name)


@dataclass(frozen=True)
class ZoneHours:
    """One zone's working hours on a local date, as a UTC interval."""

    zone: str
    day: date
    interval: Interval

    @property
    def local_start(self) -> datetime:
        """When work starts, on the zone's own clock."""
        return timezones.utc_to_local(self.interval.start, self.zone)

    @property
    def local_end(self) -> datetime:
        """When work ends, on the zone's own clock."""
        return timezones.utc_to_local(self.interval.end, self.zone)

    @property
    def utc_offset(self) -> timedelta:
        """The zone's offset from UTC when work starts."""
        return self.local_start.utcoffset() or timedelta(0)

    @property
    def clocks_change(self) -> bool:
        """True when the zone's clocks change during this local day (a daylight-saving change)."""
        day_start, day_end = timezones.local_day_bounds(self.day, self.zone)
        return (
            timezones.utc_to_local(day_start, self.zone).utcoffset()
            != timezones.utc_to_local(day_end, self.zone).utcoffset()
        )


@dataclass(frozen=True)
class OverlapPlan:
    """Working hours of several zones on one date, and the interval common to all (None if none)."""

    day: date
    hours: tuple[ZoneHours, ...]
    overlap: Interval | None

    @property
    def axis(self) -> Interval:
        """The UTC span to draw: the UTC day of *day*, widened to whole hours to hold every interval."""
        start = datetime.combine(self.day, time(0), tzinfo=UTC)
        end = start + timedelta(days=1)
        for zone_hours in self.hours:
            start = min(start, _floor_hour(zone_hours.interval.start))
            end = max(end, _ceil_hour(zone_hours.interval.end))
        return Interval(start, end)

    def fraction(self, instant: datetime) -> float:
        """Where *instant* falls on the axis, from 0.0 (its start) to 1.0 (its end)."""
        axis = self.axis
        return (instant - axis.start) / axis.duration

    def axis_hours(self) -> list[datetime]:
        """Every whole UTC hour on the axis, its start and end included."""
        axis = self.axis
        count = int(axis.duration / timedelta(hours=1))
        return [axis.start + timedelta(hours=i) for i in range(count + 1)]


def _floor_hour(instant: datetime) -> datetime:
    return instant.replace(minute=0, second=0, microsecond=0)


def _ceil_hour(instant: datetime) -> datetime:
    floor = _floor_hour(instant)
    return floor if floor == instant else floor + timedelta(hours=1)


def check_date(day: date) -> date:
    """*day* itself when the planner can handle it; DateOutOfRangeError otherwise."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise DateOutOfRangeError(f"{day.isoformat()} is outside {EARLIEST_DATE} … {LATEST_DATE}")
    return day


def working_hours(day: date, tz_name: str, start: time = DEFAULT_START, end: time = DEFAULT_END) -> ZoneHours:
    """Working hours from *start* to *end* local time on local date *day* in *tz_name*, in UTC.

    Args:
        day: the local calendar date in *tz_name* (not a UTC date).
        tz_name: an IANA zone; anything else raises timezones.UnknownTimezoneError.
        start: the local time work starts.
        end: the local time work ends; ``00:00`` means midnight at the end of *day*.

    Raises:
        InvalidWorkingHoursError: *end* is not after *start*.
        DateOutOfRangeError: *day* is outside the supported range.
    """
    check_date(day)
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    end_day = day + timedelta(days=1) if end == time(0) else day
    if end_day == day and end <= start:
        raise InvalidWorkingHoursError(f"working hours end ({end:%H:%M}) before they start ({start:%H:%M})")
    utc_start = timezones.local_to_utc(day, start, tz_name, strict=False)
    utc_end = timezones.local_to_utc(end_day, end, tz_name, strict=False)
    if utc_end <= utc_start:  # only possible when a DST gap swallows the whole span
        raise InvalidWorkingHoursError(f"no working time between {start:%H:%M} and {end:%H:%M} in {tz_name}")
    return ZoneHours(zone=tz_name, day=day, interval=Interval(utc_start, utc_end))


def common_interval(intervals: Iterable[Interval]) -> Interval | None:
    """The span every interval covers (latest start to earliest end); None when they share none."""
    intervals = list(intervals)
    if not intervals:
        return None
    start = max(interval.start for interval in intervals)
    end = min(interval.end for interval in intervals)
    return Interval(start, end) if end > start else None


def unique_zones(zones: Iterable[str]) -> list[str]:
    """*zones* in their order, each once."""
    return list(dict.fromkeys(zones))


def plan_overlap(
    day: date,
    zones: Sequence[str] = DEFAULT_ZONES,
    start: time = DEFAULT_START,
    end: time = DEFAULT_END,
) -> OverlapPlan:
    """Each zone's working hours on local date *day* (same local hours everywhere) and their overlap.

    Args:
        day: the calendar date, taken as a local date in every zone.
        zones: IANA zone names; duplicates count once. An unknown name raises
            timezones.UnknownTimezoneError.
        start, end: local working hours, as for working_hours().
    """
    hours = tuple(working_hours(day, name, start, end) for name in unique_zones(zones))
    return OverlapPlan(day=day, hours=hours, overlap=common_interval(h.interval for h in hours))
