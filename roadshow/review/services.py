"""The organisers' review desk: filtering, sorting and counting applications, deciding on them.

Queries are built so that a page of the table costs the same number of SQL statements whatever
the number of rows (organisations and sectors are joined, never loaded one by one). Decisions
take the acting user, refuse it (PermissionError) unless it may review the event, are recorded in
the audit log and e-mail every member of the company in their own language through the outbox;
they flush and never commit: the route commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager, selectinload

from roadshow import permissions, timezones
from roadshow.applications.services import seeking_values
from roadshow.audit import record_change
from roadshow.countries import country_name
from roadshow.enums import ApplicationStatus, MembershipStatus, ProjectStage, Region
from roadshow.extensions import db
from roadshow.links import external_url
from roadshow.mail.outbox import queue_templated_email
from roadshow.models import Event, Membership, Organisation, PitchApplication, Sector, User, utcnow

PER_PAGE = 50
DECISIONS = (ApplicationStatus.ACCEPTED, ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED)
MAX_NOTE_LENGTH = 2000
SORT_KEYS = ("submitted", "company", "country", "sector", "status")
NO_SECTOR = "none"  # the sector filter's value for applications without a sector


class DecisionError(Exception):
    """A decision refused for a reason the organiser can act on."""


@dataclass(frozen=True)
class ReviewFilters:
    """What the desk shows: filters (None: any), the sort column and direction, the page."""

    region: Region | None = None
    country: str | None = None
    sector: str | None = None  # a sector slug, or NO_SECTOR
    stage: ProjectStage | None = None
    status: ApplicationStatus | None = None
    sort: str = "submitted"
    descending: bool = True
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> ReviewFilters:
        """Read the filters from query parameters; unknown values are ignored, never an error."""

        def pick(enum_class: Any, value: str | None) -> Any:
            try:
                return enum_class(value) if value else None
            except ValueError:
                return None

        country = (args.get("country") or "").strip().upper()
        sort = args.get("sort") if args.get("sort") in SORT_KEYS else "submitted"
        page = args.get("page", "1")
        return cls(
            region=pick(Region, args.get("region")),
            country=country if len(country) == 2 and country.isalpha() else None,
            sector=(args.get("sector") or "").strip()[:60] or None,
            stage=pick(ProjectStage, args.get("stage")),
            status=pick(ApplicationStatus, args.get("status")),
            sort=sort,
            descending=args.get("dir", "desc" if sort == "submitted" else "asc") == "desc",
            page=int(page) if page.isascii() and page.isdigit() and 0 < len(page) <= 6 and int(page) else 1,
        )

    def query_args(self, **changes: Any) -> dict[str, str]:
        """These filters as query parameters (for links), with *changes* applied."""
        values: dict[str, Any] = {
            "region": self.region.value if self.region else None,
            "country": self.country,
            "sector": self.sector,
            "stage": self.stage.value if self.stage else None,
            "status": self.status.value if self.status else None,
            "sort": self.sort,
            "dir": "desc" if self.descending else "asc",
            "page": self.page if self.page > 1 else None,
        }
        values.update(changes)
        return {key: str(value) for key, value in values.items() if value not in (None, "")}


@dataclass(frozen=True)
class ReviewPage:
    """One page of the desk: its rows, the filtered total, and counts by region and by sector."""

    rows: list[PitchApplication]
    total: int
    page: int
    pages: int
    by_region: list[tuple[str, int]]
    by_sector: list[tuple[str | None, int]]
    countries: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BulkResult:
    """How many selected applications changed, and how many were left as they were."""

    changed: int
    unchanged: int


def _filtered(event: Event, filters: ReviewFilters) -> sa.Select:
    """The event's applications joined to their organisation and sector, with *filters* applied."""
    statement = (
        sa.select(PitchApplication)
        .join(Organisation, Organisation.id == PitchApplication.organisation_id)
        .outerjoin(Sector, Sector.id == PitchApplication.sector_id)
        .where(PitchApplication.event_id == event.id)
    )
    if filters.region is not None:
        statement = statement.where(Organisation.region == filters.region)
    if filters.country is not None:
        statement = statement.where(Organisation.country == filters.country)
    if filters.sector == NO_SECTOR:
        statement = statement.where(PitchApplication.sector_id.is_(None))
    elif filters.sector is not None:
        statement = statement.where(Sector.slug == filters.sector)
    if filters.stage is not None:
        statement = statement.where(PitchApplication.stage == filters.stage)
    if filters.status is not None:
        statement = statement.where(PitchApplication.status == filters.status)
    return statement


def _ordered(statement: sa.Select, filters: ReviewFilters) -> sa.Select:
    column = {
        "submitted": PitchApplication.created_at,
        "company": sa.func.lower(Organisation.name),
        "country": Organisation.country,
        "sector": Sector.name,
        "status": PitchApplication.status,
    }[filters.sort]
    ordered = column.desc() if filters.descending else column.asc()
    # Rows without a sector come last in both directions; the id keeps pages stable.
    nulls = sa.case((column.is_(None), 1), else_=0) if filters.sort == "sector" else None
    keys = [nulls] if nulls is not None else []
    return statement.order_by(
        *keys, ordered, PitchApplication.id.desc() if filters.descending else PitchApplication.id
    )


def review_page(event: Event, filters: ReviewFilters, per_page: int = PER_PAGE) -> ReviewPage:
    """A page of *event*'s applications under *filters*, with counts for the whole filtered set."""
    filtered = _filtered(event, filters)
    ids = filtered.with_only_columns(PitchApplication.id).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ids)) or 0
    pages = max(1, -(-total // per_page))
    page = min(filters.page, pages)
    rows = db.session.scalars(
        _ordered(filtered, filters)
        .options(contains_eager(PitchApplication.organisation), contains_eager(PitchApplication.sector))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    by_region = db.session.execute(
        sa.select(Organisation.region, sa.func.count())
        .select_from(PitchApplication)
        .join(Organisation, Organisation.id == PitchApplication.organisation_id)
        .where(PitchApplication.id.in_(sa.select(ids.c.id)))
        .group_by(Organisation.region)
        .order_by(Organisation.region)
    ).all()
    by_sector = db.session.execute(
        sa.select(Sector.name, sa.func.count())
        .select_from(PitchApplication)
        .outerjoin(Sector, Sector.id == PitchApplication.sector_id)
        .where(PitchApplication.id.in_(sa.select(ids.c.id)))
        .group_by(Sector.name)
        .order_by(sa.func.count().desc(), sa.case((Sector.name.is_(None), 1), else_=0), Sector.name)
    ).all()
    countries = db.session.scalars(
        sa.select(Organisation.country)
        .join(PitchApplication, PitchApplication.organisation_id == Organisation.id)
        .where(PitchApplication.event_id == event.id)
        .distinct()
        .order_by(Organisation.country)
    ).all()
    return ReviewPage(
        rows=list(rows),
        total=total,
        page=page,
        pages=pages,
        by_region=[(Region(region).value, count) for region, count in by_region],
        by_sector=[(name, count) for name, count in by_sector],
        countries=list(countries),
    )


def application_of_event(event: Event, application_id: int) -> PitchApplication | None:
    """The application *application_id* when it belongs to *event* (None otherwise)."""
    return db.session.scalar(
        sa.select(PitchApplication)
        .where(PitchApplication.id == application_id, PitchApplication.event_id == event.id)
        .options(
            selectinload(PitchApplication.organisation),
            selectinload(PitchApplication.sector),
            selectinload(PitchApplication.availability),
        )
    )


def company_members(application: PitchApplication) -> list[User]:
    """The active members of the applying organisation (who are told about decisions)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == application.organisation_id,
                Membership.status == MembershipStatus.ACTIVE,
            )
            .order_by(User.id)
        )
    )


def _require_reviewer(actor: Any, event: Event) -> None:
    if not permissions.can_review_applications(actor, event):
        raise PermissionError("user may not review this event's applications")


def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise DecisionError(str(_l("The note is longer than %(max)d characters.", max=MAX_NOTE_LENGTH)))
    return note or None


def _apply_decision(
    actor: User, event: Event, application: PitchApplication, status: ApplicationStatus, note: str | None
) -> bool:
    """Set the decision, log it and queue the e-mails; False when nothing changed (or withdrawn)."""
    if application.status == ApplicationStatus.WITHDRAWN:
        return False
    if application.status == status and application.decision_note == note:
        return False
    before = {"status": application.status.value, "decision_note": application.decision_note}
    application.status = status
    application.decision_note = note
    application.decided_at = utcnow()
    record_change(
        actor,
        f"application.{status.value}",
        application,
        event=event,
        before=before,
        after={"status": status.value, "decision_note": note},
    )
    url = external_url("applications.detail", application_id=application.id)
    for member in company_members(application):
        queue_templated_email(
            member.email,
            "application_decision",
            member.locale or "en",
            member=member,
            application=application,
            organisation=application.organisation,
            event=event,
            status=status.value,
            note=note,
            application_url=url,
        )
    return True


def decide(
    actor: User, event: Event, application: PitchApplication, status: ApplicationStatus, note: str | None
) -> bool:
    """Accept, waitlist or reject one application of *event*; True when it changed."""
    _require_reviewer(actor, event)
    if application.event_id != event.id:
        raise PermissionError("application of another event")
    if status not in DECISIONS:
        raise DecisionError(str(_l("Choose accept, waiting list or reject.")))
    if application.status == ApplicationStatus.WITHDRAWN:
        raise DecisionError(str(_l("The company has withdrawn this application.")))
    changed = _apply_decision(actor, event, application, status, _clean_note(note))
    db.session.flush()
    return changed


def decide_many(
    actor: User, event: Event, application_ids: list[int], status: ApplicationStatus, note: str | None
) -> BulkResult:
    """Apply one decision to the selected applications of *event*.

    Withdrawn applications and those already so decided are left alone. Any id that is not an
    application of *event* refuses the whole request (DecisionError): nothing is changed.
    """
    _require_reviewer(actor, event)
    if status not in DECISIONS:
        raise DecisionError(str(_l("Choose accept, waiting list or reject.")))
    wanted = set(application_ids)
    if not wanted:
        raise DecisionError(str(_l("Select at least one application.")))
    note = _clean_note(note)
    applications = db.session.scalars(
        sa.select(PitchApplication)
        .where(PitchApplication.id.in_(wanted), PitchApplication.event_id == event.id)
        .options(selectinload(PitchApplication.organisation))
        .order_by(PitchApplication.id)
    ).all()
    if len(applications) != len(wanted):
        raise DecisionError(
            str(_l("Some selected applications are not applications to this event; nothing was changed."))
        )
    changed = sum(_apply_decision(actor, event, application, status, note) for application in applications)
    db.session.flush()
    return BulkResult(changed=changed, unchanged=len(applications) - changed)


# --- Export -------------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "id",
    "company",
    "company_zh",
    "country",
    "country_name",
    "region",
    "sector",
    "stage",
    "seeking",
    "investment_amount",
    "investment_currency",
    "status",
    "title",
    "title_zh",
    "summary",
    "submitted ({zone})",
    "decided ({zone})",
    "decision_note",
    "company_timezone",
    "availability ({zone})",
    "deck",
    "contacts",
)


def export_header(event: Event) -> list[str]:
    """The export's column names; times are in the event's zone, which the names say."""
    return [column.format(zone=event.timezone) for column in EXPORT_COLUMNS]


def _local_text(instant: datetime | None, zone: str) -> str:
    if instant is None:
        return ""
    return timezones.utc_to_local(instant, zone).strftime("%Y-%m-%d %H:%M")


def availability_text(application: PitchApplication, zone: str) -> str:
    """The windows as ``2026-12-01 09:00–12:00`` in *zone*, separated by ``; ``."""
    parts = []
    for window in application.availability:
        start = timezones.utc_to_local(window.starts_at, zone)
        end = timezones.utc_to_local(window.ends_at, zone)
        end_text = end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%Y-%m-%d %H:%M")
        parts.append(f"{start:%Y-%m-%d %H:%M}–{end_text}")
    return "; ".join(parts)


def export_rows(event: Event, filters: ReviewFilters) -> list[list[Any]]:
    """Every application of *event* under *filters* (no paging), as rows under export_header()."""
    applications = db.session.scalars(
        _ordered(_filtered(event, filters), filters).options(
            contains_eager(PitchApplication.organisation),
            contains_eager(PitchApplication.sector),
            selectinload(PitchApplication.availability),
        )
    ).all()
    organisation_ids = {application.organisation_id for application in applications}
    contacts: dict[int, list[str]] = {}
    if organisation_ids:
        for organisation_id, email in db.session.execute(
            sa.select(Membership.organisation_id, User.email)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.organisation_id.in_(organisation_ids),
                Membership.status == MembershipStatus.ACTIVE,
            )
            .order_by(User.email)
        ):
            contacts.setdefault(organisation_id, []).append(email)
    return [
        [
            application.id,
            application.organisation.name,
            application.organisation.name_zh or "",
            application.organisation.country,
            country_name(application.organisation.country),
            application.organisation.region.value,
            application.sector.name if application.sector else "",
            application.stage.value,
            ",".join(option.value for option in seeking_values(application)),
            f"{application.investment_amount:.2f}" if application.investment_amount is not None else "",
            application.investment_currency or "",
            application.status.value,
            application.title,
            application.title_zh or "",
            application.summary,
            _local_text(application.created_at, event.timezone),
            _local_text(application.decided_at, event.timezone),
            application.decision_note or "",
            application.timezone,
            availability_text(application, event.timezone),
            "yes" if application.deck_path else "no",
            " ".join(contacts.get(application.organisation_id, [])),
        ]
        for application in applications
    ]
