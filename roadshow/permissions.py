"""The one place that answers "may this user do this to that object?".

Every function takes the acting user (possibly anonymous) and the object, and returns a bool.
Routes call these after loading the object; they turn a False into a 404 (so that another
event's ids reveal nothing) or 403 where the object is public anyway.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from roadshow.enums import EventStatus, MembershipRole, MembershipStatus
from roadshow.extensions import db
from roadshow.models import Event, EventOrganiser, Membership, Organisation, PitchApplication

PUBLIC_EVENT_STATUSES = frozenset({EventStatus.PUBLISHED, EventStatus.CANCELLED, EventStatus.ARCHIVED})


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_admin(user: Any) -> bool:
    """True for a signed-in site administrator."""
    return _signed_in(user) and bool(user.is_admin)


def is_event_organiser(user: Any, event: Event) -> bool:
    """True when *user* is one of *event*'s organisers (admins are not, by this question)."""
    if not _signed_in(user) or event.id is None:
        return False
    return (
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                EventOrganiser.event_id == event.id, EventOrganiser.user_id == user.id
            )
        )
        is not None
    )


def can_manage_event(user: Any, event: Event) -> bool:
    """May *user* change *event*, its sessions, organisers and publication? Organisers and admins."""
    return is_admin(user) or is_event_organiser(user, event)


def can_view_event(user: Any, event: Event) -> bool:
    """May *user* see *event*'s public page? Anyone once published; drafts only its managers."""
    return event.status in PUBLIC_EVENT_STATUSES or can_manage_event(user, event)


def can_create_event(user: Any) -> bool:
    """May *user* create a new event? Site admins, and users who already organise an event."""
    if is_admin(user):
        return True
    if not _signed_in(user):
        return False
    return (
        db.session.scalar(sa.select(sa.literal(True)).where(EventOrganiser.user_id == user.id).limit(1))
        is not None
    )


def membership_of(user: Any, organisation: Organisation) -> Membership | None:
    """*user*'s active membership of *organisation*, if any."""
    if not _signed_in(user) or organisation.id is None:
        return None
    return db.session.scalar(
        sa.select(Membership).where(
            Membership.organisation_id == organisation.id,
            Membership.user_id == user.id,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )


def is_organisation_member(user: Any, organisation: Organisation) -> bool:
    """True when *user* is an active member (owner or not) of *organisation*."""
    return membership_of(user, organisation) is not None


def is_organisation_owner(user: Any, organisation: Organisation) -> bool:
    """True when *user* is an active owner of *organisation*."""
    membership = membership_of(user, organisation)
    return membership is not None and membership.role == MembershipRole.OWNER


def can_edit_organisation(user: Any, organisation: Organisation) -> bool:
    """May *user* change *organisation*'s profile? Its active members and site admins."""
    return is_admin(user) or is_organisation_member(user, organisation)


def can_manage_members(user: Any, organisation: Organisation) -> bool:
    """May *user* invite, approve and remove members? Owners and site admins."""
    return is_admin(user) or is_organisation_owner(user, organisation)


def can_import_organisations(user: Any) -> bool:
    """May *user* import partner lists of organisations? Site admins and event organisers."""
    return can_create_event(user)


def can_view_application(user: Any, application: PitchApplication) -> bool:
    """May *user* see *application* (and download its deck)? The company, the event's organisers."""
    if is_admin(user):
        return True
    if not _signed_in(user):
        return False
    return is_organisation_member(user, application.organisation) or is_event_organiser(
        user, application.event
    )


def can_edit_application(user: Any, application: PitchApplication) -> bool:
    """May *user* edit or withdraw *application*? Members of the applying organisation.

    Whether the deadline has passed is a separate, service-level question: withdrawing stays
    possible after it, editing does not.
    """
    return _signed_in(user) and is_organisation_member(user, application.organisation)


def can_review_applications(user: Any, event: Event) -> bool:
    """May *user* see and decide on *event*'s applications? Its organisers and site admins."""
    return can_manage_event(user, event)
