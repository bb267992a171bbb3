"""The programme: sessions and the pitch slots of pitch blocks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadshow.enums import SessionKind, SessionStatus, SlotState
from roadshow.models.base import Base, UTCDateTime, enum_column_type, utcnow


class ProgrammeSession(Base):
    """A block of an event's programme (keynote, panel, pitch block, networking, break)."""

    __tablename__ = "programme_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SessionKind] = mapped_column(enum_column_type(SessionKind, "session_kind"))
    status: Mapped[SessionStatus] = mapped_column(
        enum_column_type(SessionStatus, "session_status"), default=SessionStatus.SCHEDULED
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    title_zh: Mapped[str | None] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_zh: Mapped[str | None] = mapped_column(sa.Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    track: Mapped[str] = mapped_column(sa.String(80), default="")
    join_url: Mapped[str | None] = mapped_column(sa.String(500))
    capacity: Mapped[int | None] = mapped_column()
    # Pitch blocks only: length of one pitch and the changeover after it, in minutes.
    slot_minutes: Mapped[int | None] = mapped_column()
    changeover_minutes: Mapped[int | None] = mapped_column()
    # iCalendar SEQUENCE: increased on every change of time, place, link or status.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    event: Mapped["Event"] = relationship(back_populates="sessions")  # noqa: F821, UP037
    slots: Mapped[list[PitchSlot]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="PitchSlot.starts_at"
    )

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("slot_minutes IS NULL OR slot_minutes > 0", name="slot_minutes_positive"),
        sa.CheckConstraint(
            "changeover_minutes IS NULL OR changeover_minutes >= 0", name="changeover_not_negative"
        ),
        sa.CheckConstraint("sequence >= 0", name="sequence_not_negative"),
    )

    def __repr__(self) -> str:
        return f"<ProgrammeSession {self.id} {self.title!r}>"


class PitchSlot(Base):
    """A slice of a pitch block that holds at most one application (and each application one slot)."""

    __tablename__ = "pitch_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_sessions.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # unique: an application holds at most one slot; one column: a slot holds at most one application.
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("pitch_applications.id", ondelete="SET NULL"), unique=True
    )
    state: Mapped[SlotState] = mapped_column(
        enum_column_type(SlotState, "slot_state"), default=SlotState.PROPOSED
    )
    locked: Mapped[bool] = mapped_column(default=False)
    # When the company confirmed or declined its published slot.
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sequence: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    session: Mapped[ProgrammeSession] = relationship(back_populates="slots")
    application: Mapped["PitchApplication | None"] = relationship()  # noqa: F821, UP037

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("sequence >= 0", name="sequence_not_negative"),
    )


class PitchProgrammeRelease(Base):
    """A numbered publication of an event's pitch programme, with what changed since the last one."""

    __tablename__ = "pitch_programme_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The plan as published: [{"slot": id, "application": id | None, "starts_at": iso, "ends_at": iso}]
    snapshot: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # What moved since the previous release: [{"kind": "added|moved|removed", "application": id, …}]
    changelog: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)

    __table_args__ = (
        sa.UniqueConstraint("event_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )
