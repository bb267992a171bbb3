"""Pitch applications, company side: applying, availability windows, editing, withdrawing.

Operations take the acting user and refuse it (PermissionError) unless permissions.py allows the
action; domain problems raise InvalidApplicationError with messages keyed by form field (and by
window row); they flush and never commit: the route commits.

Availability windows are entered as a date and wall-clock times in the company's own zone and
stored as UTC instants. A wall-clock time skipped by a daylight-saving change (02:30 on a
spring-forward night) or repeated by one (02:30 on an autumn night) is refused with a message on
its row: we do not guess which of two instants a company meant (``local_to_utc(strict=True)``).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from roadshow import permissions, timezones
from roadshow.audit import record_change
from roadshow.enums import (
    ApplicationStatus,
    EventKind,
    EventStatus,
    MembershipStatus,
    ProjectStage,
    Region,
    Seeking,
)
from roadshow.extensions import db
from roadshow.i18n import localized
from roadshow.models import (
    AvailabilityWindow,
    Event,
    Membership,
    Organisation,
    PitchApplication,
    Sector,
    User,
    utcnow,
)
from roadshow.uploads import UploadError, delete_stored, store_deck

STAGE_LABELS = {
    ProjectStage.IDEA: _l("Idea"),
    ProjectStage.PROTOTYPE: _l("Prototype"),
    ProjectStage.FIRST_CUSTOMERS: _l("First customers"),
    ProjectStage.SCALING: _l("Scaling"),
}
SEEKING_LABELS = {
    Seeking.INVESTMENT: _l("Investment"),
    Seeking.TECHNOLOGY_TRANSFER: _l("Technology transfer"),
    Seeking.JOINT_VENTURE: _l("Joint venture"),
    Seeking.DISTRIBUTION: _l("Distribution"),
    Seeking.RD_PARTNER: _l("R&D partner"),
}
STATUS_LABELS = {
    ApplicationStatus.SUBMITTED: _l("Submitted"),
    ApplicationStatus.ACCEPTED: _l("Accepted"),
    ApplicationStatus.WAITLISTED: _l("Waiting list"),
    ApplicationStatus.REJECTED: _l("Not selected"),
    ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
}
REGION_LABELS = {Region.EU: _l("Europe (EU)"), Region.CN: _l("China"), Region.OTHER: _l("Other")}

# ISO 4217 codes offered for an investment amount: the partners' currencies first.
CURRENCIES: tuple[str, ...] = (
    "EUR", "CNY", "USD", "GBP", "CHF", "HKD", "JPY", "SEK", "DKK", "NOK", "PLN", "CZK", "HUF", "RON",
)  # fmt: skip
MAX_AMOUNT = Decimal("999999999999.99")  # what Numeric(14, 2) holds
MAX_WINDOWS = 20
# The partner side's reference zone, shown next to each window: Europe sees China, China sees Europe.
EUROPE_ZONE = "Europe/Brussels"
CHINA_ZONE = "Asia/Shanghai"
# Statuses in which the company may still change its application (until the deadline).
EDITABLE_STATUSES = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED, ApplicationStatus.ACCEPTED}
)


class InvalidApplicationError(Exception):
    """Refused input: messages by form field (None: the whole form) and by availability row."""

    def __init__(
        self,
        problems: dict[str | None, list[str]] | None = None,
        window_problems: dict[int, dict[str, list[str]]] | None = None,
    ) -> None:
        self.problems = problems or {}
        self.window_problems = window_problems or {}
        messages = [m for ms in self.problems.values() for m in ms] + [
            m for row in self.window_problems.values() for ms in row.values() for m in ms
        ]
        super().__init__("; ".join(messages))

    @classmethod
    def single(cls, message: Any, field_name: str | None = None) -> InvalidApplicationError:
        """One problem, on *field_name* or on the whole form."""
        return cls({field_name: [str(message)]})


class _Problems:
    """Collects every problem so that the form shows all of them at once."""

    def __init__(self) -> None:
        self.fields: dict[str | None, list[str]] = defaultdict(list)
        self.windows: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

    def add(self, field_name: str | None, message: Any) -> None:
        self.fields[field_name].append(str(message))

    def add_window(self, row: int, field_name: str, message: Any) -> None:
        self.windows[row][field_name].append(str(message))

    def __bool__(self) -> bool:
        return bool(self.fields or self.windows)

    def error(self) -> InvalidApplicationError:
        return InvalidApplicationError(
            dict(self.fields), {row: dict(found) for row, found in self.windows.items()}
        )


@dataclass(frozen=True)
class WindowEntry:
    """One row of the availability form: a local date and two wall-clock times (any may be missing)."""

    day: date | None
    start: time | None
    end: time | None

    @property
    def is_blank(self) -> bool:
        """True when nothing was entered on this row (blank rows are ignored)."""
        return self.day is None and self.start is None and self.end is None


@dataclass(frozen=True)
class ApplicationDetails:
    """What a company enters in the application form, as plain values."""

    title: str
    title_zh: str | None
    summary: str
    summary_zh: str | None
    sector_id: int | None
    stage: str
    seeking: list[str]
    investment_amount: Decimal | None
    investment_currency: str | None
    timezone: str
    windows: list[WindowEntry] = field(default_factory=list)


@dataclass(frozen=True)
class DeckUpload:
    """A pitch deck as uploaded: its bytes and the name the company gave it."""

    stream: BinaryIO
    filename: str


@dataclass(frozen=True)
class SavedApplication:
    """The result of a save: the row, the deck file written now, and the one it replaced.

    The route deletes ``replaced_deck`` after committing, or ``stored_deck`` after a failed commit.
    """

    application: PitchApplication
    stored_deck: str | None = None
    replaced_deck: str | None = None
    merged_windows: bool = False


@dataclass(frozen=True)
class ZoneTimes:
    """A window shown in one time zone (for the "other side's time" beside each row)."""

    zone: str
    starts_at: datetime
    ends_at: datetime
    is_event_zone: bool = False


def label_context() -> dict[str, Any]:
    """The label maps templates use to name stages, statuses, what is sought and regions."""
    return {
        "stage_labels": STAGE_LABELS,
        "seeking_labels": SEEKING_LABELS,
        "status_labels": STATUS_LABELS,
        "region_labels": REGION_LABELS,
    }


# --- Reading ----------------------------------------------------------------------------------------


def application_closes_at(event: Event) -> datetime:
    """The instant applications to *event* close: its deadline, else the start of its first day."""
    if event.application_deadline is not None:
        return event.application_deadline
    return timezones.local_day_bounds(event.start_date, event.timezone)[0]


def accepts_applications(event: Event, now: datetime | None = None) -> bool:
    """True when *event* is a published roadshow whose application deadline has not passed."""
    return (
        event.kind == EventKind.ROADSHOW
        and event.status == EventStatus.PUBLISHED
        and (now or utcnow()) < application_closes_at(event)
    )


def is_editable(application: PitchApplication, now: datetime | None = None) -> bool:
    """May the company still change *application*? Before the deadline, unless withdrawn or rejected."""
    return application.status in EDITABLE_STATUSES and accepts_applications(application.event, now)


def roadshow_by_slug(slug: str) -> Event | None:
    """The published roadshow with *slug* (None for drafts, summits and unknown slugs)."""
    return db.session.scalar(
        sa.select(Event).where(
            Event.slug == slug, Event.kind == EventKind.ROADSHOW, Event.status == EventStatus.PUBLISHED
        )
    )


def open_roadshows(now: datetime | None = None) -> list[Event]:
    """Published roadshows still taking applications, soonest first."""
    events = db.session.scalars(
        sa.select(Event)
        .where(Event.kind == EventKind.ROADSHOW, Event.status == EventStatus.PUBLISHED)
        .order_by(Event.start_date, Event.id)
    ).all()
    return [event for event in events if accepts_applications(event, now)]


def organisations_of(user: Any) -> list[Organisation]:
    """The organisations *user* is an active member of, by name."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE)
            .order_by(sa.func.lower(Organisation.name), Organisation.id)
        )
    )


def applications_of(user: Any, organisations: list[Organisation] | None = None) -> list[PitchApplication]:
    """Every application of *user*'s organisations (*organisations*, when already loaded by
    organisations_of), the latest event first."""
    if organisations is None:
        organisations = organisations_of(user)
    organisation_ids = [organisation.id for organisation in organisations]
    if not organisation_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(PitchApplication)
            .join(Event, Event.id == PitchApplication.event_id)
            .where(PitchApplication.organisation_id.in_(organisation_ids))
            .options(selectinload(PitchApplication.event), selectinload(PitchApplication.organisation))
            .order_by(Event.start_date.desc(), PitchApplication.id)
        )
    )


def applied_organisation_ids(event: Event, organisations: list[Organisation]) -> set[int]:
    """Which of *organisations* already applied to *event*."""
    ids = [organisation.id for organisation in organisations]
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(PitchApplication.organisation_id).where(
                PitchApplication.event_id == event.id, PitchApplication.organisation_id.in_(ids)
            )
        )
    )


def applications_to(event: Event, organisations: list[Organisation]) -> list[PitchApplication]:
    """The applications of *organisations* to *event*."""
    ids = [organisation.id for organisation in organisations]
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(PitchApplication)
            .where(PitchApplication.event_id == event.id, PitchApplication.organisation_id.in_(ids))
            .options(selectinload(PitchApplication.organisation))
            .order_by(PitchApplication.id)
        )
    )


def all_sectors() -> list[Sector]:
    """Every sector, by name."""
    return list(db.session.scalars(sa.select(Sector).order_by(Sector.name, Sector.id)))


def seeking_values(application: PitchApplication) -> list[Seeking]:
    """What *application* seeks, as enum members in their fixed order."""
    chosen = set((application.seeking or "").split(","))
    return [option for option in Seeking if option.value in chosen]


def comparison_zones(region: Region | str | None, event_zone: str, own_zone: str | None = None) -> list[str]:
    """The zones to show beside a company's windows: the other side's, then the event's.

    Args:
        region: the organisation's region; EU companies see Shanghai time, Chinese companies
            Brussels time, companies elsewhere both.
        event_zone: the event's zone, always included.
        own_zone: the company's zone, left out (it is the one the windows are typed in).
    """
    region = Region(region) if region else Region.OTHER
    other_side = {Region.EU: [CHINA_ZONE], Region.CN: [EUROPE_ZONE]}.get(region, [EUROPE_ZONE, CHINA_ZONE])
    zones = [zone for zone in dict.fromkeys([*other_side, event_zone]) if zone != own_zone]
    return zones


def availability_columns(application: PitchApplication, viewer: str = "company") -> list[tuple[str, str]]:
    """(zone, heading) of the columns in which *application*'s windows are shown.

    The company sees its own zone first, then the other side's and the event's; an organisers'
    *viewer* (``"organiser"``) sees the event's zone first, then the company's.
    """
    event_zone, own = application.event.timezone, application.timezone
    event_heading = str(_l("Event time (%(zone)s)", zone=event_zone))
    company_heading = str(_l("Company time (%(zone)s)", zone=own))
    if viewer == "organiser":
        columns = [(event_zone, event_heading)]
        if own != event_zone:
            columns.append((own, company_heading))
        return columns
    columns = [(own, str(_l("Your time (%(zone)s)", zone=own)))]
    for zone in comparison_zones(application.organisation.region, event_zone, own):
        columns.append((zone, event_heading if zone == event_zone else zone))
    return columns


def window_rows(application: PitchApplication) -> list[dict[str, Any]]:
    """The stored windows as form rows in the company's zone (a window across midnight is split)."""
    rows: list[dict[str, Any]] = []
    for window in application.availability:
        start = timezones.utc_to_local(window.starts_at, application.timezone)
        end = timezones.utc_to_local(window.ends_at, application.timezone)
        while start.date() < end.date():
            rows.append(
                {
                    "day": start.date(),
                    "start_time": start.time().replace(tzinfo=None),
                    "end_time": time(23, 59),
                }
            )
            start = timezones.utc_to_local(
                timezones.local_day_bounds(start.date() + timedelta(days=1), application.timezone)[0],
                application.timezone,
            )
        if start < end:
            rows.append(
                {
                    "day": start.date(),
                    "start_time": start.time().replace(tzinfo=None),
                    "end_time": end.time().replace(tzinfo=None),
                }
            )
    return rows


def preview_window(
    entry: WindowEntry, company_zone: str, zones: list[str], event_zone: str
) -> list[ZoneTimes]:
    """The window of one form row in each of *zones*; empty while the row is incomplete or invalid."""
    if entry.day is None or entry.start is None or entry.end is None:
        return []
    if not timezones.is_valid_timezone(company_zone) or not (date.min < entry.day < date.max):
        return []
    try:
        starts_at = timezones.local_to_utc(entry.day, entry.start, company_zone)
        ends_at = timezones.local_to_utc(entry.day, entry.end, company_zone)
    except (ValueError, OverflowError):
        return []
    if ends_at <= starts_at:
        return []
    return [ZoneTimes(zone, starts_at, ends_at, zone == event_zone) for zone in zones]


# --- Validation ---------------------------------------------------------------------------------------


def event_bounds(event: Event) -> tuple[datetime, datetime]:
    """The UTC instants at which *event*'s first local day begins and its last local day ends."""
    return (
        timezones.local_day_bounds(event.start_date, event.timezone)[0],
        timezones.local_day_bounds(event.end_date, event.timezone)[1],
    )


def _local_time_problem(exc: ValueError, zone: str) -> Any:
    if isinstance(exc, timezones.NonexistentLocalTimeError):
        return _l(
            "This time does not exist on that day in %(zone)s: the clocks move forward for daylight "
            "saving time. Choose another time.",
            zone=zone,
        )
    return _l(
        "This time happens twice on that day in %(zone)s because the clocks go back. "
        "Choose a time outside the repeated hour.",
        zone=zone,
    )


def convert_windows(
    entries: list[WindowEntry], zone: str, event: Event, problems: _Problems | None = None
) -> list[tuple[datetime, datetime]]:
    """Turn form rows (local date and times in *zone*) into UTC spans, merged where they overlap.

    Blank rows are skipped. Each refused row is reported on its own index: an incomplete row, a
    time skipped or repeated by a daylight-saving change, an end not after its start, a window
    outside the event's days (in the event's zone). Raises InvalidApplicationError when called
    without *problems*; otherwise adds to it and returns the spans that were valid.
    """
    own = problems is None
    if problems is None:
        problems = _Problems()
    first, last = event_bounds(event)
    spans: list[tuple[datetime, datetime]] = []
    for row, entry in enumerate(entries):
        if entry.is_blank:
            continue
        missing = [
            name
            for name, value in (("day", entry.day), ("start_time", entry.start), ("end_time", entry.end))
            if value is None
        ]
        for name in missing:
            problems.add_window(row, name, _l("Enter a date, a start time and an end time."))
        if missing:
            continue
        assert entry.day is not None and entry.start is not None and entry.end is not None
        # Far outside the event's days: refuse before any zone arithmetic (which overflows near year 1/9999).
        if not (event.start_date - timedelta(days=2) <= entry.day <= event.end_date + timedelta(days=2)):
            problems.add_window(row, "day", _outside_problem(event))
            continue
        converted: dict[str, datetime] = {}
        for name, wall in (("start_time", entry.start), ("end_time", entry.end)):
            try:
                converted[name] = timezones.local_to_utc(entry.day, wall, zone, strict=True)
            except (timezones.NonexistentLocalTimeError, timezones.AmbiguousLocalTimeError) as exc:
                problems.add_window(row, name, _local_time_problem(exc, zone))
        if len(converted) < 2:
            continue
        starts_at, ends_at = converted["start_time"], converted["end_time"]
        if ends_at <= starts_at:
            problems.add_window(row, "end_time", _l("The end must be after the start."))
            continue
        if starts_at < first or ends_at > last:
            problems.add_window(row, "day", _outside_problem(event))
            continue
        spans.append((starts_at, ends_at))
    if not spans and not problems.windows:
        problems.add("windows", _l("Give at least one window in which you can pitch."))
    if own and problems:
        raise problems.error()
    return merge_windows(spans)


def _outside_problem(event: Event) -> Any:
    return _l(
        "This window is outside the event's days (%(first)s to %(last)s, %(zone)s).",
        first=event.start_date.isoformat(),
        last=event.end_date.isoformat(),
        zone=event.timezone,
    )


def merge_windows(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sort *spans* and merge those that overlap or touch."""
    merged: list[tuple[datetime, datetime]] = []
    for starts_at, ends_at in sorted(spans):
        if merged and starts_at <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], ends_at))
        else:
            merged.append((starts_at, ends_at))
    return merged


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _validate(details: ApplicationDetails, event: Event, problems: _Problems) -> dict[str, Any]:
    """Check *details* against the domain rules; return the column values (and windows) to write."""
    title, summary = _clean(details.title), _clean(details.summary)
    if title is None:
        problems.add("title", _l("Enter the project's title."))
    if summary is None:
        problems.add("summary", _l("Describe the project in a few sentences."))
    sector_id = details.sector_id
    if sector_id is not None and db.session.get(Sector, sector_id) is None:
        problems.add("sector", _l("Choose a sector from the list."))
    try:
        stage = ProjectStage(details.stage)
    except ValueError:
        stage = None
        problems.add("stage", _l("Choose a stage from the list."))
    chosen = set(details.seeking)
    unknown = chosen - {option.value for option in Seeking}
    if unknown or not chosen:
        problems.add("seeking", _l("Tick what your company is looking for."))
    seeking = [option for option in Seeking if option.value in chosen]
    amount, currency = None, None
    if Seeking.INVESTMENT in seeking:
        amount = _checked_amount(details.investment_amount, problems)
        currency = (details.investment_currency or "").strip().upper() or None
        if currency not in CURRENCIES:
            problems.add("investment_currency", _l("Choose the currency of the investment sought."))
    zone = details.timezone
    windows: list[tuple[datetime, datetime]] = []
    if not timezones.is_valid_timezone(zone):
        problems.add("timezone", _l("Choose your company's time zone from the list."))
    else:
        windows = convert_windows(details.windows, zone, event, problems)
    return {
        "values": {
            "title": title,
            "title_zh": _clean(details.title_zh),
            "summary": summary,
            "summary_zh": _clean(details.summary_zh),
            "sector_id": sector_id,
            "stage": stage,
            "seeking": ",".join(option.value for option in seeking),
            "investment_amount": amount,
            "investment_currency": currency,
            "timezone": zone,
        },
        "windows": windows,
        "entered": sum(1 for entry in details.windows if not entry.is_blank),
    }


def _checked_amount(amount: Decimal | None, problems: _Problems) -> Decimal | None:
    if amount is None:
        problems.add("investment_amount", _l("Enter the amount of investment sought."))
        return None
    try:
        rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        rounded = None
    if rounded is None or not rounded.is_finite() or not (Decimal(0) < rounded <= MAX_AMOUNT):
        problems.add("investment_amount", _l("Enter an amount greater than zero."))
        return None
    return rounded


def deck_download_name(filename: str | None) -> str:
    """A safe file name for a deck: no folders or control characters, ending in .pdf."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip().strip(".")
    name = name[:200]
    if not name.lower().endswith(".pdf"):
        name = f"{name or 'pitch-deck'}.pdf"
    return name


def _store_deck(deck: DeckUpload | None, problems: _Problems) -> str | None:
    """Check and store the deck (even when other fields are wrong, so every message shows at once)."""
    if deck is None:
        return None
    try:
        stored = store_deck(deck.stream)
    except UploadError as exc:
        problems.add("deck", str(exc))
        return None
    if problems:
        delete_stored(stored.relative_path)
        return None
    return stored.relative_path


def _replace_windows(application: PitchApplication, windows: list[tuple[datetime, datetime]]) -> None:
    application.availability.clear()
    db.session.flush()  # delete the old rows before inserting their replacements
    application.availability.extend(AvailabilityWindow(starts_at=s, ends_at=e) for s, e in windows)


# --- Changing -----------------------------------------------------------------------------------------


def submit_application(
    actor: User,
    event: Event,
    organisation: Organisation,
    details: ApplicationDetails,
    deck: DeckUpload | None = None,
    now: datetime | None = None,
) -> SavedApplication:
    """Apply to pitch at *event* on behalf of *organisation* (the actor must be one of its members)."""
    if not permissions.is_organisation_member(actor, organisation):
        raise PermissionError("user is not a member of this organisation")
    if not accepts_applications(event, now):
        raise InvalidApplicationError.single(_l("Applications to this event are closed."))
    if organisation.id in applied_organisation_ids(event, [organisation]):
        raise InvalidApplicationError.single(
            _l("%(name)s has already applied to this event.", name=localized(organisation, "name")),
            "organisation",
        )
    problems = _Problems()
    checked = _validate(details, event, problems)
    deck_path = _store_deck(deck, problems)
    if problems:
        raise problems.error()
    application = PitchApplication(
        event_id=event.id,
        organisation_id=organisation.id,
        submitted_by_id=actor.id,
        status=ApplicationStatus.SUBMITTED,
        deck_path=deck_path,
        deck_filename=deck_download_name(deck.filename) if deck and deck_path else None,
        **checked["values"],
    )
    application.availability = [AvailabilityWindow(starts_at=s, ends_at=e) for s, e in checked["windows"]]
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError:  # the organisation applied from another tab at the same moment
        delete_stored(deck_path)
        raise
    record_change(
        actor,
        "application.submitted",
        application,
        event=event,
        after={"organisation": organisation.name, "title": application.title},
    )
    db.session.flush()
    return SavedApplication(
        application, stored_deck=deck_path, merged_windows=len(checked["windows"]) < checked["entered"]
    )


def update_application(
    actor: User,
    application: PitchApplication,
    details: ApplicationDetails,
    deck: DeckUpload | None = None,
    now: datetime | None = None,
) -> SavedApplication:
    """Change *application* (until the deadline); a new deck replaces the old one."""
    if not permissions.can_edit_application(actor, application):
        raise PermissionError("user may not edit this application")
    if not is_editable(application, now):
        raise InvalidApplicationError.single(_l("This application can no longer be changed."))
    problems = _Problems()
    checked = _validate(details, application.event, problems)
    deck_path = _store_deck(deck, problems)
    if problems:
        raise problems.error()
    for name, value in checked["values"].items():
        setattr(application, name, value)
    replaced = None
    if deck_path is not None and deck is not None:
        replaced = application.deck_path
        application.deck_path = deck_path
        application.deck_filename = deck_download_name(deck.filename)
    _replace_windows(application, checked["windows"])
    db.session.flush()
    return SavedApplication(
        application,
        stored_deck=deck_path,
        replaced_deck=replaced,
        merged_windows=len(checked["windows"]) < checked["entered"],
    )


def withdraw_application(actor: User, application: PitchApplication) -> PitchApplication:
    """Withdraw *application* (allowed at any time, once)."""
    if not permissions.can_edit_application(actor, application):
        raise PermissionError("user may not withdraw this application")
    if application.status == ApplicationStatus.WITHDRAWN:
        raise InvalidApplicationError.single(_l("This application has already been withdrawn."))
    before = application.status
    application.status = ApplicationStatus.WITHDRAWN
    record_change(
        actor,
        "application.withdrawn",
        application,
        event=application.event,
        before={"status": before.value},
        after={"status": ApplicationStatus.WITHDRAWN.value},
    )
    db.session.flush()
    return application
