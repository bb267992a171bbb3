"""Building whole iCalendar objects: feeds, single downloads and iMIP invitations.

The text is written directly (not through icalendar's object model, which costs ~0.15 ms per event):
every value goes through :mod:`roadshow.calendar.text`, every TZID gets its VTIMEZONE from
:mod:`roadshow.calendar.vtimezone`. Output: UTF-8 text without BOM, CRLF line ends, lines folded at
75 octets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from roadshow.calendar.text import (
    CRLF,
    clean_uri,
    content_line,
    escape_list,
    escape_text,
    mailto,
    param_value,
)
from roadshow.calendar.values import CalendarEntry, EntryStatus, FeedInfo, Participant
from roadshow.calendar.vtimezone import is_utc, vtimezone_lines

PRODID = "-//Roadshow//Roadshow Calendar 1.0//EN"
REFRESH_INTERVAL = "PT1H"
METHODS = frozenset({"REQUEST", "CANCEL"})


def _utc_stamp(instant: datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("naive datetime given where an instant is required")
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)  # ZoneInfo keeps its own cache of instances


def _local_time_property(name: str, instant: datetime, zone: str) -> str:
    """``DTSTART;TZID=Europe/Brussels:20261025T090000`` (or ``…Z`` for UTC and repeated hours)."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime given where an instant is required")
    if is_utc(zone):
        return f"{name}:{_utc_stamp(instant)}"
    local = instant.astimezone(_zone(zone))
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        # A wall-clock time of the repeated hour. RFC 5545 §3.3.5 says it means the first pass,
        # ical.js (Thunderbird) reads the second: only UTC is read the same way everywhere.
        return f"{name}:{_utc_stamp(instant)}"
    return content_line(name, local.strftime("%Y%m%dT%H%M%S"), f";TZID={zone}")


def _zone_ranges(entries: Iterable[CalendarEntry]) -> dict[str, tuple[date, date]]:
    """Zone → (1 January, 31 December) of the years whose local dates *entries* use.

    Whole years, not the exact dates: every calendar we publish for a zone and year then carries
    the same VTIMEZONE, so a client that keeps the first definition it saw for a TZID (vobject,
    and so Radicale, do) reads every later file of that year right; and the cache hits more often.
    """
    years: dict[str, tuple[int, int]] = {}
    for entry in entries:
        if is_utc(entry.timezone):
            continue
        tz = _zone(entry.timezone)
        first = entry.starts_at.astimezone(tz).year
        last = entry.ends_at.astimezone(tz).year
        known = years.get(entry.timezone)
        if known is not None:
            first, last = min(first, known[0]), max(last, known[1])
        years[entry.timezone] = (first, last)
    return {zone: (date(first, 1, 1), date(last, 12, 31)) for zone, (first, last) in years.items()}


def _vtimezones(entries: Sequence[CalendarEntry]) -> list[str]:
    lines: list[str] = []
    for zone, (first, last) in sorted(_zone_ranges(entries).items()):
        lines.extend(vtimezone_lines(zone, first, last))
    return lines


def _event_lines(
    entry: CalendarEntry,
    dtstamp: datetime,
    *,
    status: EntryStatus | None = None,
    organizer: Participant | None = None,
    attendee: Participant | None = None,
    rsvp: bool = False,
) -> list[str]:
    """The VEVENT of *entry* (with ORGANIZER/ATTENDEE for invitations)."""
    if entry.ends_at <= entry.starts_at:
        raise ValueError(f"{entry.uid}: an event must end after it starts")
    if entry.sequence < 0:
        raise ValueError(f"{entry.uid}: SEQUENCE cannot be negative")
    lines = [
        "BEGIN:VEVENT",
        content_line("UID", escape_text(entry.uid)),
        f"DTSTAMP:{_utc_stamp(dtstamp)}",
        _local_time_property("DTSTART", entry.starts_at, entry.timezone),
        _local_time_property("DTEND", entry.ends_at, entry.timezone),
        f"SEQUENCE:{int(entry.sequence)}",
        f"LAST-MODIFIED:{_utc_stamp(entry.last_modified)}",
        f"STATUS:{(status or entry.status).value}",
        content_line("SUMMARY", escape_text(entry.summary)),
    ]
    if entry.description:
        lines.append(content_line("DESCRIPTION", escape_text(entry.description)))
    if entry.location:
        lines.append(content_line("LOCATION", escape_text(entry.location)))
    join_url = clean_uri(entry.join_url, frozenset({"http", "https"}))
    if join_url:
        lines.append(content_line("URL", join_url))
        label = f";LABEL={param_value(entry.conference_label)}" if entry.conference_label else ""
        lines.append(content_line("CONFERENCE", join_url, f";VALUE=URI;FEATURE=AUDIO,VIDEO{label}"))
    categories = escape_list(entry.categories)
    if categories:
        lines.append(content_line("CATEGORIES", categories))
    lines.append("TRANSP:OPAQUE")
    if organizer is not None:
        params = f";CN={param_value(organizer.name)}" if organizer.name else ""
        lines.append(content_line("ORGANIZER", mailto(organizer.email), params))
    if attendee is not None:
        params = f";CN={param_value(attendee.name)}" if attendee.name else ""
        params += ";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION"
        params += ";RSVP=TRUE" if rsvp else ";RSVP=FALSE"
        lines.append(content_line("ATTENDEE", mailto(attendee.email), params))
    lines.append("END:VEVENT")
    return lines


def _calendar(header: list[str], entries: Sequence[CalendarEntry], events: list[str]) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        content_line("PRODID", PRODID),
        "CALSCALE:GREGORIAN",
        *header,
        *_vtimezones(entries),
        *events,
        "END:VCALENDAR",
    ]
    return CRLF.join(lines) + CRLF


def _feed_header(feed: FeedInfo) -> list[str]:
    name = escape_text(feed.name)
    header = [content_line("NAME", name), content_line("X-WR-CALNAME", name)]
    if feed.description:
        description = escape_text(feed.description)
        header += [content_line("DESCRIPTION", description), content_line("X-WR-CALDESC", description)]
    header += [f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH_INTERVAL}", f"X-PUBLISHED-TTL:{REFRESH_INTERVAL}"]
    source = clean_uri(feed.source_url, frozenset({"http", "https"}))
    if source:
        header.append(content_line("SOURCE", source, ";VALUE=URI"))
    return header


def build_feed(feed: FeedInfo, entries: Sequence[CalendarEntry]) -> str:
    """A subscribable feed: no METHOD, one VEVENT per entry, a VTIMEZONE per zone used.

    Args:
        feed: the feed's name, description and own URL (RFC 7986 NAME/DESCRIPTION/SOURCE, with
            the X-WR-* twins older clients read), plus REFRESH-INTERVAL and X-PUBLISHED-TTL of 1 h.
        entries: the events, in the order to write them. DTSTAMP of each is its ``last_modified``,
            so the same entries always give the same text (ETags can follow the programme version).

    Returns:
        The calendar as text with CRLF line ends (encode as UTF-8, without BOM).
    """
    events: list[str] = []
    for entry in entries:
        events.extend(_event_lines(entry, entry.last_modified))
    return _calendar(_feed_header(feed), entries, events)


def build_single(entry: CalendarEntry, name: str | None = None) -> str:
    """A one-event download (``.ics``): no METHOD, so clients import it rather than treat it as iTIP.

    Args:
        entry: the session or slot.
        name: an optional calendar name (NAME / X-WR-CALNAME).
    """
    header = []
    if name:
        header = [content_line("NAME", escape_text(name)), content_line("X-WR-CALNAME", escape_text(name))]
    return _calendar(header, [entry], _event_lines(entry, entry.last_modified))


def build_invitation(
    method: str,
    entry: CalendarEntry,
    *,
    organizer: Participant,
    attendee: Participant,
    dtstamp: datetime,
) -> str:
    """An iMIP invitation (RFC 5546 / 6047): ``METHOD:REQUEST`` or ``METHOD:CANCEL``, one VEVENT.

    Args:
        method: ``REQUEST`` (a new or changed event: the whole event again) or ``CANCEL``.
        entry: the session or slot, with its stored SEQUENCE (a move raised it; a cancellation must
            carry a higher one than the last REQUEST).
        organizer: the event's contact address (ORGANIZER).
        attendee: the recipient (ATTENDEE; ROLE=REQ-PARTICIPANT, PARTSTAT=NEEDS-ACTION, and
            RSVP=TRUE on a REQUEST so that clients show Accept/Decline).
        dtstamp: when this message was created (a fresh one for every message).

    Raises:
        ValueError: for another method, or an organizer or attendee without an address.
    """
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unsupported iTIP method {method!r}")
    if not organizer.email or not attendee.email:
        raise ValueError("an invitation needs an organizer and an attendee address")
    cancel = method == "CANCEL"
    events = _event_lines(
        entry,
        dtstamp,
        status=EntryStatus.CANCELLED if cancel else None,
        organizer=organizer,
        attendee=attendee,
        rsvp=not cancel,
    )
    return _calendar([f"METHOD:{method}"], [entry], events)
