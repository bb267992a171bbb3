"""Pure iCalendar building (RFC 5545, 5546, 7986): plain values in, calendar text out. No Flask.

- :mod:`roadshow.calendar.values`: the dataclasses a caller fills (``CalendarEntry``, ``FeedInfo``,
  ``Participant``).
- :mod:`roadshow.calendar.build`: ``build_feed``, ``build_single``, ``build_invitation``.
- :mod:`roadshow.calendar.text`: escaping, control-character removal, folding at 75 octets.
- :mod:`roadshow.calendar.vtimezone`: VTIMEZONE blocks narrowed to the years used, cached.

Policy, in one place: feeds and downloads carry no METHOD; a cancelled session stays in a feed as
``STATUS:CANCELLED`` (with a higher SEQUENCE) until its event is over, then leaves it; DTSTAMP of a
feed entry is its last revision (RFC 5545 §3.8.7.2 for objects without METHOD), so the same
programme version always renders the same bytes; invitations carry a fresh DTSTAMP.
"""

from roadshow.calendar.build import PRODID, build_feed, build_invitation, build_single
from roadshow.calendar.values import CalendarEntry, EntryStatus, FeedInfo, Participant

__all__ = [
    "PRODID",
    "CalendarEntry",
    "EntryStatus",
    "FeedInfo",
    "Participant",
    "build_feed",
    "build_invitation",
    "build_single",
]
