"""Organisations: registration, profiles, duplicates, members, join requests, invitations, sectors, import.

Every function that changes something takes the acting user, checks the domain rules, *flushes* and
never commits (the route commits). Permission questions are answered by roadshow.permissions; the
routes ask them before calling these functions.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from roadshow.audit import record_change
from roadshow.countries import (
    is_country_code,
    normalise_organisation_name,
    normalise_website,
    region_for_country,
    website_domain,
)
from roadshow.enums import MembershipRole, MembershipStatus
from roadshow.extensions import db
from roadshow.invitations import InvalidInvitationError, sign_invitation
from roadshow.invitations import read_invitation as read_signed_invitation
from roadshow.links import external_url
from roadshow.mail.outbox import queue_templated_email
from roadshow.models import AuditLogEntry, Membership, Organisation, Sector, User
from roadshow.organisations import importer
from roadshow.uploads import UploadError, store_logo, upload_root

INVITATION_SALT = "organisation-invitation"
IMPORT_SALT = "organisation-import"
IMPORT_MAX_AGE = 6 * 3600  # a preview older than this must be uploaded again
IMPORT_FOLDER = "imports"
_CHUNK = 500  # ids or names per IN (…) query


@dataclass(frozen=True)
class DefaultSector:
    """A sector of DESIGN.md: slug, English and Chinese name (the slugs demo data uses)."""

    slug: str
    name: str
    name_zh: str


DEFAULT_SECTORS: tuple[DefaultSector, ...] = (
    DefaultSector("biomedicine", "Biomedicine", "生物医药"),
    DefaultSector("medical-devices", "Medical devices and rehabilitation", "医疗器械与康复"),
    DefaultSector("big-data", "New-generation IT (big data)", "新一代信息技术（大数据）"),
    DefaultSector("robotics", "Robotics", "机器人"),
    DefaultSector("precision-instruments", "Precision instruments", "精密仪器"),
    DefaultSector("intelligent-manufacturing", "Intelligent manufacturing", "智能制造"),
    DefaultSector("fintech", "Fintech", "金融科技"),
    DefaultSector(
        "modern-services",
        "Modern services (incubation, conventions and exhibitions)",
        "现代服务业（孵化、会展）",
    ),
)


class InvalidChangeError(Exception):
    """Refused input: messages keyed by form field name (None for the form as a whole)."""

    def __init__(self, problems: dict[str | None, list[str]]) -> None:
        super().__init__("; ".join(message for messages in problems.values() for message in messages))
        self.problems = problems

    @classmethod
    def single(cls, message: Any, field_name: str | None = None) -> InvalidChangeError:
        """One problem, on *field_name* or on the whole form."""
        return cls({field_name: [str(message)]})


class DuplicateOrganisationError(Exception):
    """Registration refused until confirmed: organisations with the same name or website exist."""

    def __init__(self, matches: list[Organisation]) -> None:
        super().__init__(", ".join(organisation.name for organisation in matches))
        self.matches = matches


@dataclass(frozen=True)
class OrganisationDetails:
    """What a member enters about their organisation."""

    name: str
    country: str
    city: str = ""
    website: str | None = None
    sector_slugs: tuple[str, ...] = ()
    description: str = ""
    name_zh: str | None = None
    description_zh: str | None = None


@dataclass(frozen=True)
class Invitation:
    """The contents of a valid organisation invitation link."""

    organisation_id: int
    email: str
    issued_at: datetime


class _Problems:
    """Collects problems so that a form shows all of them at once."""

    def __init__(self) -> None:
        self.found: dict[str | None, list[str]] = defaultdict(list)

    def add(self, field_name: str | None, message: Any) -> None:
        self.found[field_name].append(str(message))

    def raise_if_any(self) -> None:
        if self.found:
            raise InvalidChangeError(dict(self.found))


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _sqlite_write_lock(table: sa.Table) -> None:
    """SQLite ignores ``FOR UPDATE``: begin its single write transaction now instead (a write that
    changes no row), so concurrent writers queue here and each then reads what the one before it
    committed. A no-op on PostgreSQL, whose row locks do this."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(table).where(sa.false()).values({table.c.id: table.c.id}))


def _lock(organisation: Organisation) -> Organisation:
    """Lock *organisation*'s row until commit (PostgreSQL), so owner changes cannot interleave."""
    _sqlite_write_lock(Organisation.__table__)
    return db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.id == organisation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


# --- Sectors -----------------------------------------------------------------------------------------


def _insert_ignoring_duplicates(table: sa.Table, rows: list[dict[str, Any]], key: str) -> None:
    """INSERT … ON CONFLICT DO NOTHING on *key* (PostgreSQL and SQLite), so concurrent seeding is safe."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=[key])
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=[key])
    else:  # pragma: no cover - only PostgreSQL and SQLite are supported
        statement = sa.insert(table)
    db.session.execute(statement, rows)


def ensure_default_sectors() -> None:
    """Seed DESIGN.md's sectors when the sector table is empty (the list is data; organisers extend it)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Sector)):
        return
    _insert_ignoring_duplicates(
        Sector.__table__,
        [{"slug": sector.slug, "name": sector.name, "name_zh": sector.name_zh} for sector in DEFAULT_SECTORS],
        "slug",
    )
    db.session.flush()


def sector_options() -> list[tuple[str, str, str | None]]:
    """``(slug, name, name_zh)`` of every sector, by name; the defaults while none are stored yet.

    Reading only: the defaults are written by ensure_default_sectors() when a form is submitted.
    """
    rows = db.session.execute(sa.select(Sector.slug, Sector.name, Sector.name_zh).order_by(Sector.name)).all()
    if rows:
        return [(slug, name, name_zh) for slug, name, name_zh in rows]
    return [(sector.slug, sector.name, sector.name_zh) for sector in DEFAULT_SECTORS]


def all_sectors() -> list[Sector]:
    """Every stored sector, by English name."""
    return list(db.session.scalars(sa.select(Sector).order_by(Sector.name)))


def slugify(text: str) -> str:
    """A URL-safe slug from *text* (ASCII letters, digits, hyphens); empty when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60].strip("-")


def add_sector(actor: User, name: str, name_zh: str | None = None, slug: str | None = None) -> Sector:
    """Add a sector (its slug made from the name unless given); refused when the name or slug is taken."""
    ensure_default_sectors()
    problems = _Problems()
    name = name.strip()
    name_zh = (name_zh or "").strip() or None
    slug = (slug or "").strip().lower() or slugify(name)
    if not name:
        problems.add("name", _l("Enter the sector's name."))
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) or len(slug) > 60:
        problems.add("slug", _l("Use lower-case letters, digits and hyphens (at most 60)."))
    problems.raise_if_any()
    if db.session.scalar(sa.select(Sector.id).where(Sector.slug == slug)) is not None:
        problems.add("slug", _l("A sector with this short name already exists."))
    taken = db.session.scalar(sa.select(Sector.id).where(sa.func.lower(Sector.name) == name.lower()).limit(1))
    if taken is not None:
        problems.add("name", _l("A sector with this name already exists."))
    problems.raise_if_any()
    sector = Sector(slug=slug, name=name, name_zh=name_zh)
    db.session.add(sector)
    db.session.flush()
    record_change(actor, "sector.created", sector, after={"slug": slug, "name": name, "name_zh": name_zh})
    return sector


# --- Registration and profiles ---------------------------------------------------------------------------


def find_duplicates(name: str, website: str | None) -> list[Organisation]:
    """Organisations whose normalised name or website domain is that of *name* / *website*."""
    conditions = []
    normalised = normalise_organisation_name(name)
    if normalised:
        conditions.append(Organisation.normalised_name == normalised)
    domain = website_domain(website)
    if domain:
        conditions.append(Organisation.website_domain == domain)
    if not conditions:
        return []
    return list(
        db.session.scalars(
            sa.select(Organisation).where(sa.or_(*conditions)).order_by(Organisation.id).limit(10)
        )
    )


def _checked(details: OrganisationDetails) -> tuple[str | None, list[Sector]]:
    """Check *details*; return the normalised website and the chosen sectors, or raise InvalidChangeError."""
    problems = _Problems()
    if not details.name.strip():
        problems.add("name", _l("Enter the organisation's name."))
    elif not normalise_organisation_name(details.name):
        problems.add("name", _l("The name needs letters or digits."))
    if not is_country_code(details.country):
        problems.add("country", _l("Choose a country from the list."))
    website = None
    if details.website:
        try:
            website = normalise_website(details.website)
        except ValueError:
            problems.add("website", _l("Enter a web address starting with http:// or https://."))
        else:
            if len(website) > 300:
                problems.add("website", _l("The web address is too long (300 characters at most)."))
    sectors: list[Sector] = []
    if details.sector_slugs:
        ensure_default_sectors()
        sectors = list(db.session.scalars(sa.select(Sector).where(Sector.slug.in_(details.sector_slugs))))
        if len(sectors) != len(set(details.sector_slugs)):
            problems.add("sectors", _l("Choose sectors from the list."))
    problems.raise_if_any()
    return website, sectors


def _text(value: str | None) -> str:
    """Free text as stored: stripped, with Windows and old Mac line ends made plain newlines."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _store_logo(logo: BinaryIO | None) -> tuple[str, str] | None:
    """Store an uploaded logo; (path, content type), or None when none was given."""
    if logo is None:
        return None
    try:
        stored = store_logo(logo)
    except UploadError as error:
        raise InvalidChangeError.single(str(error), "logo") from None
    return stored.relative_path, stored.content_type


def _profile_values(organisation: Organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "name_zh": organisation.name_zh,
        "country": organisation.country,
        "city": organisation.city,
        "website": organisation.website,
        "sectors": ",".join(sorted(sector.slug for sector in organisation.sectors)),
        "logo": organisation.logo_path is not None,
    }


def register_organisation(
    actor: User,
    details: OrganisationDetails,
    *,
    logo: BinaryIO | None = None,
    allow_duplicate: bool = False,
) -> Organisation:
    """Register an organisation with *actor* as its owner.

    Raises InvalidChangeError for bad input (a bad logo included) and DuplicateOrganisationError when
    an organisation with the same normalised name or website domain exists and *allow_duplicate* is
    False. The logo is stored last; the caller deletes it (``organisation.logo_path``) if commit fails.
    """
    website, sectors = _checked(details)
    if not allow_duplicate:
        matches = find_duplicates(details.name, website)
        if matches:
            raise DuplicateOrganisationError(matches)
    stored = _store_logo(logo)
    organisation = Organisation(
        name=details.name.strip(),
        name_zh=(details.name_zh or "").strip() or None,
        normalised_name=normalise_organisation_name(details.name),
        country=details.country,
        region=region_for_country(details.country),
        city=details.city.strip(),
        website=website,
        website_domain=website_domain(website),
        description=_text(details.description),
        description_zh=_text(details.description_zh) or None,
        sectors=sectors,
        logo_path=stored[0] if stored else None,
        logo_content_type=stored[1] if stored else None,
    )
    db.session.add(organisation)
    db.session.flush()
    db.session.add(
        Membership(
            organisation_id=organisation.id,
            user_id=actor.id,
            role=MembershipRole.OWNER,
            status=MembershipStatus.ACTIVE,
        )
    )
    record_change(actor, "organisation.created", organisation, after=_profile_values(organisation))
    db.session.flush()
    return organisation


def update_organisation(
    actor: User,
    organisation: Organisation,
    details: OrganisationDetails,
    *,
    logo: BinaryIO | None = None,
    remove_logo: bool = False,
) -> str | None:
    """Save *organisation*'s profile; returns the replaced logo's path, to delete once committed."""
    website, sectors = _checked(details)
    before = _profile_values(organisation)
    stored = _store_logo(logo)
    old_logo = organisation.logo_path if (stored or remove_logo) else None
    organisation.name = details.name.strip()
    organisation.name_zh = (details.name_zh or "").strip() or None
    organisation.normalised_name = normalise_organisation_name(details.name)
    organisation.country = details.country
    organisation.region = region_for_country(details.country)
    organisation.city = details.city.strip()
    organisation.website = website
    organisation.website_domain = website_domain(website)
    organisation.description = _text(details.description)
    organisation.description_zh = _text(details.description_zh) or None
    organisation.sectors = sectors
    if stored is not None:
        organisation.logo_path, organisation.logo_content_type = stored
    elif remove_logo:
        organisation.logo_path = organisation.logo_content_type = None
    after = _profile_values(organisation)
    changed = {key for key in after if after[key] != before[key]}
    if changed:
        record_change(
            actor,
            "organisation.updated",
            organisation,
            before={key: before[key] for key in sorted(changed)},
            after={key: after[key] for key in sorted(changed)},
        )
    db.session.flush()
    return old_logo


# --- Memberships -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyOrganisation:
    """One line of "my organisations": the organisation, my role or request, and waiting requests."""

    organisation: Organisation
    membership: Membership
    pending_requests: int


def my_organisations(user: User) -> list[MyOrganisation]:
    """*user*'s memberships and requests, by organisation name, with owners' waiting request counts."""
    memberships = list(
        db.session.scalars(
            sa.select(Membership)
            .join(Membership.organisation)
            .where(Membership.user_id == user.id)
            .options(selectinload(Membership.organisation))
            .order_by(Organisation.name, Organisation.id)
        )
    )
    owned = [
        m.organisation_id
        for m in memberships
        if m.role == MembershipRole.OWNER and m.status == MembershipStatus.ACTIVE
    ]
    counts: dict[int, int] = {}
    if owned:
        counts = dict(
            db.session.execute(
                sa.select(Membership.organisation_id, sa.func.count())
                .where(
                    Membership.organisation_id.in_(owned),
                    Membership.status == MembershipStatus.REQUESTED,
                )
                .group_by(Membership.organisation_id)
            ).all()
        )
    return [MyOrganisation(m.organisation, m, counts.get(m.organisation_id, 0)) for m in memberships]


def members_of(
    organisation: Organisation, status: MembershipStatus = MembershipStatus.ACTIVE
) -> list[Membership]:
    """*organisation*'s memberships with *status* (owners first, then by name), users loaded."""
    return list(
        db.session.scalars(
            sa.select(Membership)
            .join(Membership.user)
            .where(Membership.organisation_id == organisation.id, Membership.status == status)
            .options(selectinload(Membership.user))
            .order_by(
                sa.case((Membership.role == MembershipRole.OWNER, 0), else_=1),
                User.name,
                Membership.id,
            )
        )
    )


def owner_count(organisation: Organisation) -> int:
    """How many active owners *organisation* has."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(
            Membership.organisation_id == organisation.id,
            Membership.role == MembershipRole.OWNER,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )


def membership_in(organisation: Organisation, membership_id: int) -> Membership | None:
    """The membership *membership_id* when it belongs to *organisation*; None otherwise."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.organisation_id != organisation.id:
        return None
    return membership


def any_membership(user: User, organisation: Organisation) -> Membership | None:
    """*user*'s membership of *organisation*, active or requested."""
    return db.session.scalar(
        sa.select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.user_id == user.id
        )
    )


def _owners(organisation: Organisation) -> list[User]:
    return [m.user for m in members_of(organisation) if m.role == MembershipRole.OWNER]


def request_to_join(actor: User, organisation: Organisation) -> Membership:
    """Ask to join *organisation*; its owners are told by e-mail. Refused when already a member."""
    existing = any_membership(actor, organisation)
    if existing is not None:
        if existing.status == MembershipStatus.ACTIVE:
            raise InvalidChangeError.single(_l("You are already a member of this organisation."))
        raise InvalidChangeError.single(_l("You have already asked to join; the owners will answer."))
    membership = Membership(
        organisation_id=organisation.id,
        user_id=actor.id,
        role=MembershipRole.MEMBER,
        status=MembershipStatus.REQUESTED,
    )
    db.session.add(membership)
    db.session.flush()
    for owner in _owners(organisation):
        queue_templated_email(
            owner.email,
            "organisation_join_request",
            owner.locale or "en",
            organisation=organisation,
            requester=actor,
            recipient_name=owner.name,
            members_url=external_url("organisations.members", organisation_id=organisation.id),
        )
    record_change(actor, "organisation.join_requested", organisation, after={"user_id": actor.id})
    return membership


def decide_request(actor: User, organisation: Organisation, membership: Membership, approve: bool) -> User:
    """Approve or decline a request to join; the requester is told by e-mail in their language.

    An organisation without owners (an imported one) gets the approved requester as its owner.
    """
    organisation = _lock(organisation)
    if membership.organisation_id != organisation.id or membership.status != MembershipStatus.REQUESTED:
        raise LookupError("no such request")
    requester = membership.user
    if approve:
        membership.status = MembershipStatus.ACTIVE
        membership.role = MembershipRole.OWNER if owner_count(organisation) == 0 else MembershipRole.MEMBER
    else:
        db.session.delete(membership)
    queue_templated_email(
        requester.email,
        "organisation_request_decided",
        requester.locale or "en",
        organisation=organisation,
        recipient_name=requester.name,
        approved=approve,
        owner=membership.role == MembershipRole.OWNER,
        profile_url=external_url("organisations.profile", organisation_id=organisation.id),
    )
    record_change(
        actor,
        "organisation.join_approved" if approve else "organisation.join_declined",
        organisation,
        after={"user_id": requester.id, "email": requester.email},
    )
    db.session.flush()
    return requester


def invitation_token(organisation: Organisation, email: str) -> str:
    """A signed, timestamped token naming *organisation* and the invited *email*."""
    return sign_invitation(INVITATION_SALT, "organisation", organisation.id, email)


def read_invitation(token: str) -> Invitation:
    """Check an invitation token's signature and age; InvalidInvitationError when it is not good."""
    signed = read_signed_invitation(INVITATION_SALT, "organisation", token)
    return Invitation(organisation_id=signed.target_id, email=signed.email, issued_at=signed.issued_at)


def invite_member(actor: User, organisation: Organisation, email: str) -> str:
    """Add the account with *email* as a member now (and tell them), or e-mail them an invitation link.

    Returns ``"added"`` or ``"invited"``.
    """
    email = email.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        raise InvalidChangeError.single(_l("Enter a valid e-mail address."), "email")
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        token = invitation_token(organisation, email)
        queue_templated_email(
            email,
            "organisation_invitation",
            actor.locale or "en",
            organisation=organisation,
            inviter=actor,
            accept_url=external_url("organisations.invitation", token=token),
            max_age_days=max(1, current_app.config["INVITATION_MAX_AGE"] // 86400),
        )
        record_change(actor, "organisation.member_invited", organisation, after={"email": email})
        db.session.flush()
        return "invited"
    membership = any_membership(user, organisation)
    if membership is not None and membership.status == MembershipStatus.ACTIVE:
        raise InvalidChangeError.single(
            _l("%(email)s is already a member of this organisation.", email=email), "email"
        )
    if membership is None:
        db.session.add(
            Membership(
                organisation_id=organisation.id,
                user_id=user.id,
                role=MembershipRole.MEMBER,
                status=MembershipStatus.ACTIVE,
            )
        )
    else:  # they had asked to join: the invitation answers yes
        membership.status = MembershipStatus.ACTIVE
    queue_templated_email(
        user.email,
        "organisation_member_added",
        user.locale or "en",
        organisation=organisation,
        recipient_name=user.name,
        inviter=actor,
        profile_url=external_url("organisations.profile", organisation_id=organisation.id),
    )
    record_change(
        actor, "organisation.member_added", organisation, after={"user_id": user.id, "email": user.email}
    )
    db.session.flush()
    return "added"


def invitation_problem(user: User, invitation: Invitation) -> str | None:
    """Why *user* cannot accept *invitation* (None when they can)."""
    if user.email.lower() != invitation.email:
        return str(
            _l("This invitation was sent to another e-mail address. Log in with the address it was sent to.")
        )
    removals = db.session.scalars(
        sa.select(AuditLogEntry).where(
            AuditLogEntry.action == "organisation.member_removed",
            AuditLogEntry.target_type == "Organisation",
            AuditLogEntry.target_id == invitation.organisation_id,
            AuditLogEntry.created_at >= invitation.issued_at.astimezone(UTC),
        )
    )
    if any((entry.before or {}).get("user_id") == user.id for entry in removals):
        return str(_l("You were removed from this organisation after this invitation was sent."))
    return None


def accept_invitation(user: User, invitation: Invitation) -> Organisation:
    """Make *user* an active member of the inviting organisation (idempotent)."""
    organisation = db.session.get(Organisation, invitation.organisation_id)
    if organisation is None:
        raise InvalidInvitationError("organisation gone")
    problem = invitation_problem(user, invitation)
    if problem is not None:
        raise InvalidChangeError.single(problem)
    membership = any_membership(user, organisation)
    if membership is not None and membership.status == MembershipStatus.ACTIVE:
        return organisation
    if membership is None:
        db.session.add(
            Membership(
                organisation_id=organisation.id,
                user_id=user.id,
                role=MembershipRole.MEMBER,
                status=MembershipStatus.ACTIVE,
            )
        )
    else:
        membership.status = MembershipStatus.ACTIVE
    record_change(user, "organisation.member_joined", organisation, after={"user_id": user.id})
    db.session.flush()
    return organisation


def _refuse_losing_last_owner(organisation: Organisation, membership: Membership, message: Any) -> None:
    if membership.role == MembershipRole.OWNER and owner_count(organisation) <= 1:
        raise InvalidChangeError.single(message)


def remove_member(actor: User, organisation: Organisation, membership: Membership) -> User:
    """Remove an active member (never the last owner); returns the removed user."""
    organisation = _lock(organisation)
    if membership.organisation_id != organisation.id or membership.status != MembershipStatus.ACTIVE:
        raise LookupError("not a member")
    _refuse_losing_last_owner(
        organisation,
        membership,
        _l("The last owner cannot be removed. Make another member an owner first."),
    )
    user = membership.user
    db.session.delete(membership)
    record_change(
        actor,
        "organisation.member_removed",
        organisation,
        before={"user_id": user.id, "email": user.email, "role": membership.role.value},
    )
    db.session.flush()
    return user


def leave_organisation(actor: User, organisation: Organisation) -> None:
    """*actor* leaves *organisation* (or withdraws a request); the last owner cannot leave."""
    organisation = _lock(organisation)
    membership = any_membership(actor, organisation)
    if membership is None:
        raise LookupError("not a member")
    _refuse_losing_last_owner(
        organisation,
        membership,
        _l("You are the last owner, so you cannot leave. Make another member an owner first."),
    )
    db.session.delete(membership)
    record_change(
        actor,
        "organisation.member_left",
        organisation,
        before={"user_id": actor.id, "role": membership.role.value, "status": membership.status.value},
    )
    db.session.flush()


def change_role(
    actor: User, organisation: Organisation, membership: Membership, role: MembershipRole
) -> User:
    """Make an active member an owner, or an owner a plain member (never the last owner)."""
    organisation = _lock(organisation)
    if membership.organisation_id != organisation.id or membership.status != MembershipStatus.ACTIVE:
        raise LookupError("not a member")
    if role == MembershipRole.MEMBER:
        _refuse_losing_last_owner(
            organisation,
            membership,
            _l("The last owner cannot stop being an owner. Make another member an owner first."),
        )
    before = membership.role
    membership.role = role
    if before != role:
        record_change(
            actor,
            "organisation.role_changed",
            organisation,
            before={"user_id": membership.user_id, "role": before.value},
            after={"user_id": membership.user_id, "role": role.value},
        )
    db.session.flush()
    return membership.user


# --- CSV import --------------------------------------------------------------------------------------


class ImportNotReadyError(Exception):
    """The import was refused because some rows have problems; *plan* lists them."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(f"rows with problems: {plan.error_lines}")
        self.plan = plan


@dataclass(frozen=True)
class ExistingOrganisation:
    """An organisation a row matched, as shown in the preview."""

    id: int
    name: str
    has_members: bool


@dataclass
class PlannedRow:
    """One row of the preview: its cells and what importing it would do (or why it cannot)."""

    line: int
    cells: dict[str, str]
    action: str  # "error", "create", "update", "unchanged" or "skip"
    problems: list[str] = field(default_factory=list)
    existing: ExistingOrganisation | None = None
    changes: list[str] = field(default_factory=list)
    imported: importer.ImportedOrganisation | None = None


@dataclass
class ImportPlan:
    """What importing a file would do, row by row."""

    encoding: str
    columns: tuple[str, ...]
    ignored_columns: tuple[str, ...]
    rows: list[PlannedRow]
    sector_names: dict[str, str]

    @property
    def error_lines(self) -> list[int]:
        """Line numbers of the rows with problems."""
        return [row.line for row in self.rows if row.action == "error"]

    @property
    def ok(self) -> bool:
        """True when every row can be imported."""
        return not self.error_lines

    def count(self, action: str) -> int:
        """How many rows would get *action*."""
        return sum(1 for row in self.rows if row.action == action)


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    created: int
    updated: int
    unchanged: int
    skipped: int


@dataclass(frozen=True)
class OrganisationImport:
    """The audit log's target for an import (it has no row of its own)."""

    id: int | None = None


def problem_text(message: str, params: Any) -> str:
    """An importer message (English id with placeholders) in the reader's language."""
    return gettext(message, **dict(params)) if params else gettext(message)


def _match_existing(
    organisations: list[importer.ImportedOrganisation],
) -> tuple[dict[str, int], dict[str, int]]:
    """Oldest existing organisation id by normalised name, and by website domain, for these rows."""
    by_name: dict[str, int] = {}
    by_domain: dict[str, int] = {}
    names = sorted({o.normalised_name for o in organisations})
    domains = sorted({o.website_domain for o in organisations if o.website_domain})
    # One query per kind (at most MAX_IMPORT_ROWS values): a statement repeated per small chunk gets
    # prepared by psycopg after five runs, and PostgreSQL's generic plan then scans the table per chunk.
    for chunk in _chunks(names, importer.MAX_IMPORT_ROWS):
        for organisation_id, normalised in db.session.execute(
            sa.select(Organisation.id, Organisation.normalised_name)
            .where(Organisation.normalised_name.in_(chunk))
            .order_by(Organisation.id.desc())
        ):
            by_name[normalised] = organisation_id  # descending: the oldest is written last
    for chunk in _chunks(domains, importer.MAX_IMPORT_ROWS):
        for organisation_id, domain in db.session.execute(
            sa.select(Organisation.id, Organisation.website_domain)
            .where(Organisation.website_domain.in_(chunk))
            .order_by(Organisation.id.desc())
        ):
            by_domain[domain] = organisation_id
    return by_name, by_domain


def _load_existing(ids: Iterable[int]) -> tuple[dict[int, Organisation], set[int]]:
    """The organisations *ids* with their sectors, and which of them have active members."""
    organisations: dict[int, Organisation] = {}
    with_members: set[int] = set()
    ordered = sorted(set(ids))
    for chunk in _chunks(ordered):
        for organisation in db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.id.in_(chunk))
            .options(selectinload(Organisation.sectors))
        ):
            organisations[organisation.id] = organisation
        with_members.update(
            db.session.scalars(
                sa.select(Membership.organisation_id)
                .where(Membership.organisation_id.in_(chunk), Membership.status == MembershipStatus.ACTIVE)
                .distinct()
            )
        )
    return organisations, with_members


_UPDATABLE = ("name", "name_zh", "country", "city", "website", "description", "description_zh")


def _changes(organisation: Organisation, imported: importer.ImportedOrganisation) -> dict[str, Any]:
    """The fields a row would change: every non-blank cell that differs, and sectors to add."""
    changes: dict[str, Any] = {}
    for name in _UPDATABLE:
        value = getattr(imported, name)
        if value and value != getattr(organisation, name):
            changes[name] = value
    current = {sector.slug for sector in organisation.sectors}
    added = [slug for slug in imported.sector_slugs if slug not in current]
    if added:
        changes["sectors"] = added
    return changes


def plan_import(data: bytes) -> ImportPlan:
    """Read an uploaded file and say, row by row, what importing it would do. Writes nothing.

    Raises importer.ImportRefusedError when the file cannot be read at all.
    """
    options = sector_options()
    parsed = importer.parse_organisations_csv(data, importer.sector_lookup(options))
    good = [row.organisation for row in parsed.rows if row.organisation is not None]
    by_name, by_domain = _match_existing(good)
    matched_ids: dict[int, int] = {}  # row index → existing id
    for index, row in enumerate(parsed.rows):
        if row.organisation is None:
            continue
        domain = row.organisation.website_domain
        existing_id = by_domain.get(domain) if domain else None
        if existing_id is None:
            existing_id = by_name.get(row.organisation.normalised_name)
        if existing_id is not None:
            matched_ids[index] = existing_id
    existing, with_members = _load_existing(matched_ids.values())
    planned: list[PlannedRow] = []
    first_line_for: dict[int, int] = {}
    for index, row in enumerate(parsed.rows):
        problems = [problem_text(problem.message, problem.params) for problem in row.problems]
        if row.organisation is None:
            planned.append(PlannedRow(row.line, row.cells, "error", problems))
            continue
        existing_id = matched_ids.get(index)
        if existing_id is None:
            planned.append(PlannedRow(row.line, row.cells, "create", imported=row.organisation))
            continue
        organisation = existing[existing_id]
        match = ExistingOrganisation(organisation.id, organisation.name, existing_id in with_members)
        if existing_id in first_line_for:
            problems.append(
                gettext(
                    "This is the same existing organisation (%(name)s) as line %(line)d.",
                    name=organisation.name,
                    line=first_line_for[existing_id],
                )
            )
            planned.append(PlannedRow(row.line, row.cells, "error", problems, match))
            continue
        first_line_for[existing_id] = row.line
        if match.has_members:
            planned.append(PlannedRow(row.line, row.cells, "skip", existing=match, imported=row.organisation))
            continue
        changes = _changes(organisation, row.organisation)
        planned.append(
            PlannedRow(
                row.line,
                row.cells,
                "update" if changes else "unchanged",
                existing=match,
                changes=sorted(changes),
                imported=row.organisation,
            )
        )
    return ImportPlan(
        encoding=parsed.encoding,
        columns=parsed.columns,
        ignored_columns=parsed.ignored_columns,
        rows=planned,
        sector_names={slug: name for slug, name, _name_zh in options},
    )


def commit_import(actor: User, data: bytes) -> ImportResult:
    """Import a file: every row or none. Plans afresh (the database may have changed since the preview).

    Raises importer.ImportRefusedError (unreadable file) or ImportNotReadyError (rows with problems).
    """
    ensure_default_sectors()
    plan = plan_import(data)
    if not plan.ok:
        raise ImportNotReadyError(plan)
    sectors_by_slug = {sector.slug: sector for sector in db.session.scalars(sa.select(Sector))}
    creates = [row.imported for row in plan.rows if row.action == "create" and row.imported is not None]
    # Plain ORM objects: the unit of work inserts them in batches ("insertmanyvalues" with RETURNING
    # for the ids) and their sector links with one executemany, on PostgreSQL and SQLite alike.
    db.session.add_all(
        Organisation(
            **_new_organisation_values(imported),
            sectors=[sectors_by_slug[slug] for slug in imported.sector_slugs],
        )
        for imported in creates
    )
    updates = [row for row in plan.rows if row.action == "update"]
    if updates:
        existing, _members = _load_existing(row.existing.id for row in updates if row.existing is not None)
        for row in updates:
            assert row.existing is not None and row.imported is not None
            _apply_changes(existing[row.existing.id], row.imported, sectors_by_slug)
    result = ImportResult(
        created=len(creates),
        updated=len(updates),
        unchanged=plan.count("unchanged"),
        skipped=plan.count("skip"),
    )
    record_change(
        actor,
        "organisations.imported",
        OrganisationImport(),
        after={
            "rows": len(plan.rows),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "skipped": result.skipped,
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    db.session.flush()
    return result


def _new_organisation_values(imported: importer.ImportedOrganisation) -> dict[str, Any]:
    return {
        "name": imported.name,
        "name_zh": imported.name_zh,
        "normalised_name": imported.normalised_name,
        "country": imported.country,
        "region": region_for_country(imported.country),
        "city": imported.city,
        "website": imported.website,
        "website_domain": imported.website_domain,
        "description": imported.description,
        "description_zh": imported.description_zh,
    }


def _apply_changes(
    organisation: Organisation, imported: importer.ImportedOrganisation, sectors_by_slug: dict[str, Sector]
) -> None:
    changes = _changes(organisation, imported)
    for name, value in changes.items():
        if name == "sectors":
            organisation.sectors.extend(sectors_by_slug[slug] for slug in value)
        else:
            setattr(organisation, name, value)
    if "name" in changes:
        organisation.normalised_name = imported.normalised_name
    if "country" in changes:
        organisation.region = region_for_country(imported.country)
    if "website" in changes:
        organisation.website_domain = imported.website_domain


# Kept between the preview and the commit: the raw upload, under UPLOAD_FOLDER/imports/.


def _import_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=IMPORT_SALT)


def _import_folder() -> Path:
    folder = upload_root() / IMPORT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep_import_upload(user: User, data: bytes) -> str:
    """Store an uploaded file for its commit; returns a signed reference bound to *user*.

    Uploads older than IMPORT_MAX_AGE are removed on the way.
    """
    folder = _import_folder()
    cutoff = time.time() - IMPORT_MAX_AGE
    for stale in folder.glob("*.csv"):
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except FileNotFoundError:  # removed by a concurrent request
            pass
    name = secrets.token_hex(16)
    (folder / f"{name}.csv").write_bytes(data)
    return _import_serializer().dumps({"file": name, "user": user.id})


def _import_path(user: User, reference: str) -> Path:
    try:
        payload = _import_serializer().loads(reference, max_age=IMPORT_MAX_AGE)
    except (BadSignature, SignatureExpired):
        raise importer.ImportRefusedError(
            importer.N_("This preview has expired. Upload the file again.")
        ) from None
    name = payload.get("file") if isinstance(payload, dict) else None
    if not isinstance(name, str) or not re.fullmatch(r"[0-9a-f]{32}", name) or payload.get("user") != user.id:
        raise importer.ImportRefusedError(importer.N_("This preview has expired. Upload the file again."))
    return _import_folder() / f"{name}.csv"


def load_import_upload(user: User, reference: str) -> bytes:
    """The bytes of the upload *reference* names, when *user* uploaded it; ImportRefusedError otherwise."""
    path = _import_path(user, reference)
    if not path.is_file():
        raise importer.ImportRefusedError(importer.N_("This preview has expired. Upload the file again."))
    return path.read_bytes()


def discard_import_upload(user: User, reference: str) -> None:
    """Delete a kept upload (after its import was committed)."""
    with contextlib.suppress(importer.ImportRefusedError):
        _import_path(user, reference).unlink(missing_ok=True)
