"""Organisations (companies, parks, investors, institutions), their sectors and members."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roadshow.enums import MembershipRole, MembershipStatus, Region
from roadshow.models.base import Base, UTCDateTime, enum_column_type, utcnow

organisation_sectors = sa.Table(
    "organisation_sectors",
    Base.metadata,
    sa.Column(
        "organisation_id",
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("sector_id", sa.ForeignKey("sectors.id", ondelete="CASCADE"), primary_key=True),
)


class Sector(Base):
    """A business sector; stored as data so organisers can extend the list."""

    __tablename__ = "sectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_zh: Mapped[str | None] = mapped_column(sa.String(120))

    def __repr__(self) -> str:
        return f"<Sector {self.slug}>"


class Organisation(Base):
    """A company, park, investor or institution; its region is derived from its country."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_zh: Mapped[str | None] = mapped_column(sa.String(200))
    # Lower-cased, punctuation and legal suffixes removed: finds duplicates on registration/import.
    normalised_name: Mapped[str] = mapped_column(sa.String(200), index=True)
    country: Mapped[str] = mapped_column(sa.String(2))  # ISO 3166-1 alpha-2
    region: Mapped[Region] = mapped_column(enum_column_type(Region, "region"))
    city: Mapped[str] = mapped_column(sa.String(120), default="")
    website: Mapped[str | None] = mapped_column(sa.String(300))
    website_domain: Mapped[str | None] = mapped_column(sa.String(253), index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_zh: Mapped[str | None] = mapped_column(sa.Text)
    logo_path: Mapped[str | None] = mapped_column(sa.String(300))
    logo_content_type: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    sectors: Mapped[list[Sector]] = relationship(secondary=organisation_sectors)
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.CheckConstraint("length(country) = 2", name="country_alpha2"),)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class Membership(Base):
    """A user's membership of an organisation (or their request to join it)."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MembershipRole] = mapped_column(
        enum_column_type(MembershipRole, "membership_role"), default=MembershipRole.MEMBER
    )
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column_type(MembershipStatus, "membership_status"), default=MembershipStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped["User"] = relationship()  # noqa: F821, UP037

    __table_args__ = (sa.UniqueConstraint("organisation_id", "user_id"),)
