"""All models; importing this package registers every table on the metadata."""

from roadshow.models.application import AvailabilityWindow, PitchApplication
from roadshow.models.audit import AuditLogEntry
from roadshow.models.base import Base, UTCDateTime, utcnow
from roadshow.models.calendar_token import CalendarToken
from roadshow.models.event import Event, EventOrganiser
from roadshow.models.organisation import Membership, Organisation, Sector, organisation_sectors
from roadshow.models.outbox import OutboxMessage
from roadshow.models.programme import PitchProgrammeRelease, PitchSlot, ProgrammeSession
from roadshow.models.registration import Registration, session_stars, slot_stars
from roadshow.models.user import User

__all__ = [
    "AuditLogEntry",
    "AvailabilityWindow",
    "Base",
    "CalendarToken",
    "Event",
    "EventOrganiser",
    "Membership",
    "Organisation",
    "OutboxMessage",
    "PitchApplication",
    "PitchProgrammeRelease",
    "PitchSlot",
    "ProgrammeSession",
    "Registration",
    "Sector",
    "UTCDateTime",
    "User",
    "organisation_sectors",
    "session_stars",
    "slot_stars",
    "utcnow",
]
