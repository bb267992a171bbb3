"""The domain's closed sets of values. Imports nothing from the project."""

from __future__ import annotations

import enum


class EventKind(enum.StrEnum):
    """What sort of event: an online summit or a project roadshow."""

    SUMMIT = "summit"
    ROADSHOW = "roadshow"


class EventStatus(enum.StrEnum):
    """Life of an event: draft → published → cancelled / archived."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    ARCHIVED = "archived"


class SessionKind(enum.StrEnum):
    """A block of the programme."""

    KEYNOTE = "keynote"
    PANEL = "panel"
    PITCH_BLOCK = "pitch_block"
    NETWORKING = "networking"
    BREAK = "break"


class SessionStatus(enum.StrEnum):
    """A session is scheduled, or cancelled (it then stays in feeds as cancelled)."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Region(enum.StrEnum):
    """Where an organisation is, derived from its country."""

    EU = "EU"
    CN = "CN"
    OTHER = "other"


class MembershipRole(enum.StrEnum):
    """A user's role in an organisation."""

    OWNER = "owner"
    MEMBER = "member"


class MembershipStatus(enum.StrEnum):
    """A membership is active, or a request to join waiting for an owner."""

    ACTIVE = "active"
    REQUESTED = "requested"


class ApplicationStatus(enum.StrEnum):
    """Life of a pitch application."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ProjectStage(enum.StrEnum):
    """How far a pitched project has come."""

    IDEA = "idea"
    PROTOTYPE = "prototype"
    FIRST_CUSTOMERS = "first_customers"
    SCALING = "scaling"


class Seeking(enum.StrEnum):
    """What a pitching company looks for."""

    INVESTMENT = "investment"
    TECHNOLOGY_TRANSFER = "technology_transfer"
    JOINT_VENTURE = "joint_venture"
    DISTRIBUTION = "distribution"
    RD_PARTNER = "rd_partner"


class SlotState(enum.StrEnum):
    """Life of a pitch slot: proposed → published → confirmed / declined."""

    PROPOSED = "proposed"
    PUBLISHED = "published"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class RegistrationRole(enum.StrEnum):
    """Why someone attends."""

    ATTENDEE = "attendee"
    INVESTOR = "investor"


class RegistrationStatus(enum.StrEnum):
    """A registration holds a seat, waits for one, or was cancelled."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class OutboxStatus(enum.StrEnum):
    """Delivery state of an outbox message."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS; kept for an operator to retry
