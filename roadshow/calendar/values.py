"""The plain values an iCalendar is built from; services fill them from rows (no Flask, no SQL)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class EntryStatus(enum.StrEnum):
    """A VEVENT's STATUS."""

    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One VEVENT: a programme session or a pitch slot.

    Attributes:
        uid: globally unique and fixed for the life of the session or slot
            (``session-42@roadshow.example``).
        sequence: the stored SEQUENCE; raised on every change of time, place, link or status.
        summary: the title, in the reader's language (any Unicode; cleaned and escaped on output).
        starts_at, ends_at: aware instants (any zone; written in *timezone*).
        timezone: the IANA zone DTSTART/DTEND are written in (``TZID=…``); ``UTC`` writes ``…Z``.
        last_modified: the last revision (aware); LAST-MODIFIED, and DTSTAMP in feeds.
        status: CONFIRMED, TENTATIVE or CANCELLED.
        description: plain text, newlines allowed.
        location: plain text (the join link, or the track for sessions without one).
        join_url: the online meeting link: URL and RFC 7986 CONFERENCE.
        conference_label: the CONFERENCE's LABEL (e.g. "Join online").
        categories: CATEGORIES values (e.g. the session kind).
    """

    uid: str
    sequence: int
    summary: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    last_modified: datetime
    status: EntryStatus = EntryStatus.CONFIRMED
    description: str = ""
    location: str = ""
    join_url: str | None = None
    conference_label: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What a feed says about itself: NAME / X-WR-CALNAME, DESCRIPTION / X-WR-CALDESC, SOURCE."""

    name: str
    description: str = ""
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class Participant:
    """An ORGANIZER or ATTENDEE of an invitation: an e-mail address and a display name."""

    email: str
    name: str = ""
