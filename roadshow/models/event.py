"""Events (summits and roadshows) and their organisers."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadshow.enums import EventKind, EventStatus
from roadshow.models.base import Base, UTCDateTime, enum_column_type, utcnow


class Event(Base):
    """An online summit or project roadshow, its programme written in one IANA time zone."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[EventKind] = mapped_column(enum_column_type(EventKind, "event_kind"))
    status: Mapped[EventStatus] = mapped_column(
        enum_column_type(EventStatus, "event_status"), default=EventStatus.DRAFT
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    title_zh: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_zh: Mapped[str | None] = mapped_column(sa.Text)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date] = mapped_column(sa.Date)
    join_url: Mapped[str | None] = mapped_column(sa.String(500))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    application_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Seats for attendees; None means unlimited. Beyond it, registrations join the waiting list.
    capacity: Mapped[int | None] = mapped_column()
    # Increased on every change that alters what the public programme or its feeds show.
    programme_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisers: Mapped[list[EventOrganiser]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[ProgrammeSession]] = relationship(  # noqa: F821
        back_populates="event", cascade="all, delete-orphan", order_by="ProgrammeSession.starts_at"
    )

    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="dates_in_order"),
        sa.CheckConstraint("programme_version >= 1", name="programme_version_positive"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class EventOrganiser(Base):
    """A user who organises an event."""

    __tablename__ = "event_organisers"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped[Event] = relationship(back_populates="organisers")
    user: Mapped["User"] = relationship()  # noqa: F821, UP037
