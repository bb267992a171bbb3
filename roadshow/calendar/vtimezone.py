"""VTIMEZONE blocks for IANA zones, narrowed to the years a calendar uses, built once and cached.

The observances are read from the zoneinfo database: the offset in force on 1 January of the first
year, then one observance per transition up to 31 December of the last year (two a year in Europe,
none in China). Each observance's DTSTART is the local time of its onset *in the offset before it*
(RFC 5545 §3.6.5: ``20261025T030000`` for the autumn change, ``20260329T020000`` for the spring
one), which icalendar's ``Timezone.from_tzid`` (behind ``add_missing_timezones``) gets wrong by an
hour for the spring change; it also adds a non-standard COMMENT. So the few lines are written here.

Whole years rather than exact dates: every file we publish for a zone and a year then carries the
same definition, so a client that keeps the first VTIMEZONE it saw for a TZID (vobject, and so
Radicale, do) reads later files right, and the cache is hit more often.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Zulu", "Zulu", "Etc/GMT", "GMT"})
_STEP = timedelta(days=1)  # no zone changes offset twice within a day


def is_utc(zone: str) -> bool:
    """True for the names of UTC itself, whose times are written ``…Z`` with no VTIMEZONE."""
    return zone in UTC_NAMES


def _offset_text(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "+" if seconds >= 0 else "-"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _state(tz: ZoneInfo, instant: datetime) -> tuple[timedelta, timedelta, str]:
    local = instant.astimezone(tz)
    return local.utcoffset() or timedelta(0), local.dst() or timedelta(0), local.tzname() or ""


def _transition_in(tz: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """The first instant in (low, high] whose state differs from *low*'s (to the second)."""
    before = _state(tz, low)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if _state(tz, middle) == before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def _observance(
    kind: str, onset: datetime, offset_from: timedelta, offset_to: timedelta, name: str
) -> list[str]:
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{onset:%Y%m%dT%H%M%S}",
        f"TZOFFSETFROM:{_offset_text(offset_from)}",
        f"TZOFFSETTO:{_offset_text(offset_to)}",
        *([f"TZNAME:{name}"] if name and name.isascii() and name.isprintable() else []),
        f"END:{kind}",
    ]


@lru_cache(maxsize=256)
def vtimezone_lines(zone: str, first_date: date, last_date: date) -> tuple[str, ...]:
    """The content lines of *zone*'s VTIMEZONE, valid from *first_date* to *last_date* (local dates).

    Args:
        zone: an IANA zone name (``Europe/Brussels``); not UTC (see :func:`is_utc`).
        first_date: the first local date that times in the calendar may fall on (the builder
            passes 1 January of the first year used).
        last_date: the last such date (31 December of the last year used).

    Raises:
        ValueError: for reversed dates; ZoneInfoNotFoundError for an unknown zone.
    """
    if last_date < first_date:
        raise ValueError("last_date is before first_date")
    tz = ZoneInfo(zone)
    start = datetime.combine(first_date, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last_date + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    offset, dst, name = _state(tz, start)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone}"]
    lines += _observance(
        "DAYLIGHT" if dst else "STANDARD", datetime.combine(first_date, time(0)), offset, offset, name
    )
    cursor = start
    while cursor < end:
        step_end = min(cursor + _STEP, end)
        if _state(tz, step_end) != (offset, dst, name):
            onset = _transition_in(tz, cursor, step_end)
            new_offset, new_dst, new_name = _state(tz, onset)
            # The onset in local time as the clocks showed it just before: UTC + the old offset.
            local_onset = (onset + offset).replace(tzinfo=None)
            kind = "DAYLIGHT" if new_dst else "STANDARD"
            lines += _observance(kind, local_onset, offset, new_offset, new_name)
            offset, dst, name = new_offset, new_dst, new_name
            cursor = onset
        else:
            cursor = step_end
    lines.append("END:VTIMEZONE")
    return tuple(lines)
