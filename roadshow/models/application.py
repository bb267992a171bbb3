"""Pitch applications and the availability windows companies give with them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadshow.enums import ApplicationStatus, ProjectStage
from roadshow.models.base import Base, UTCDateTime, enum_column_type, utcnow


class PitchApplication(Base):
    """An organisation's application to pitch a project at a roadshow."""

    __tablename__ = "pitch_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column_type(ApplicationStatus, "application_status"),
        default=ApplicationStatus.SUBMITTED,
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    title_zh: Mapped[str | None] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    summary_zh: Mapped[str | None] = mapped_column(sa.Text)
    sector_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sectors.id", ondelete="SET NULL"))
    stage: Mapped[ProjectStage] = mapped_column(enum_column_type(ProjectStage, "project_stage"))
    # Values of roadshow.enums.Seeking, comma-separated in a fixed order.
    seeking: Mapped[str] = mapped_column(sa.String(120), default="")
    investment_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    investment_currency: Mapped[str | None] = mapped_column(sa.String(3))
    # The company's own time zone: availability is entered and shown in it.
    timezone: Mapped[str] = mapped_column(sa.String(64))
    deck_path: Mapped[str | None] = mapped_column(sa.String(300))
    deck_filename: Mapped[str | None] = mapped_column(sa.String(255))
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped["Organisation"] = relationship()  # noqa: F821, UP037
    event: Mapped["Event"] = relationship()  # noqa: F821, UP037
    sector: Mapped["Sector | None"] = relationship()  # noqa: F821, UP037
    availability: Mapped[list[AvailabilityWindow]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="AvailabilityWindow.starts_at",
    )

    __table_args__ = (
        sa.UniqueConstraint("event_id", "organisation_id"),
        sa.CheckConstraint("investment_amount IS NULL OR investment_amount > 0", name="investment_positive"),
    )


class AvailabilityWindow(Base):
    """A span of time, stored as UTC instants, in which a company can pitch."""

    __tablename__ = "availability_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pitch_applications.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())

    application: Mapped[PitchApplication] = relationship(back_populates="availability")

    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)
