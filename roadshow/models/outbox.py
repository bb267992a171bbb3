"""The mail outbox: every e-mail is a row, written in the transaction that caused it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roadshow.enums import OutboxStatus
from roadshow.models.base import Base, UTCDateTime, enum_column_type, utcnow


class OutboxMessage(Base):
    """One e-mail waiting for delivery, delivered, or given up on after many attempts."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column_type(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    # An iMIP invitation: the iCalendar text and its METHOD (REQUEST, CANCEL).
    calendar_text: Mapped[str | None] = mapped_column(sa.Text)
    calendar_method: Mapped[str | None] = mapped_column(sa.String(20))
    # Messages with the same key still pending are replaced, not added (e.g. rapid slot moves).
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    # Stable across retries, so a receiving server can discard a duplicate.
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),)
