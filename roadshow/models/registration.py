"""Attendees' registrations and the sessions they star."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadshow.enums import RegistrationRole, RegistrationStatus
from roadshow.models.base import Base, UTCDateTime, enum_column_type, utcnow

session_stars = sa.Table(
    "session_stars",
    Base.metadata,
    sa.Column("registration_id", sa.ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("session_id", sa.ForeignKey("programme_sessions.id", ondelete="CASCADE"), primary_key=True),
)

# Published pitch slots an attendee stars ("pitches"), beside the sessions they star.
slot_stars = sa.Table(
    "slot_stars",
    Base.metadata,
    sa.Column("registration_id", sa.ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("slot_id", sa.ForeignKey("pitch_slots.id", ondelete="CASCADE"), primary_key=True),
)


class Registration(Base):
    """A user attending an event; one per user and event."""

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[RegistrationRole] = mapped_column(
        enum_column_type(RegistrationRole, "registration_role"), default=RegistrationRole.ATTENDEE
    )
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column_type(RegistrationStatus, "registration_status"),
        default=RegistrationStatus.REGISTERED,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped["Event"] = relationship()  # noqa: F821, UP037
    user: Mapped["User"] = relationship()  # noqa: F821, UP037
    starred_sessions: Mapped[list["ProgrammeSession"]] = relationship(  # noqa: F821, UP037
        secondary=session_stars
    )
    starred_slots: Mapped[list["PitchSlot"]] = relationship(  # noqa: F821, UP037
        secondary=slot_stars
    )

    __table_args__ = (sa.UniqueConstraint("event_id", "user_id"),)
