"""The world the threat tests attack: two roadshows with their organisers, companies, pitches and an
attendee, one user per role, and the secrets (tokens) the routes take; plus database snapshots.

Roles: ``anonymous``, ``attendee`` (registered for event A), ``member_a`` (an owner of company A,
which pitches at event A), ``member_b`` (owner of company B, pitching at event B), ``organiser_a``,
``organiser_b`` and ``admin`` (a site administrator who organises nothing).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from roadshow.enums import (
    ApplicationStatus,
    EventKind,
    EventStatus,
    MembershipRole,
    MembershipStatus,
    SessionKind,
    SlotState,
)
from roadshow.extensions import db
from roadshow.models import (
    Base,
    EventOrganiser,
    Membership,
    PitchApplication,
    PitchSlot,
    Registration,
    User,
    session_stars,
)
from tests.conftest import TEST_PASSWORD, post_form

ROLES = ("anonymous", "attendee", "member_a", "member_b", "organiser_a", "organiser_b", "admin")
SIGNED_IN = ROLES[1:]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
    b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
IMPORT_CSV = (
    b"name,name_zh,country,city,website,sectors,description\n"
    b"Porto Robotics Lda,,PT,Porto,,,Robots from Porto.\n"
)

# 10 June 2030: Brussels is UTC+2. Far enough ahead that nothing is over or closed.
DAY_A = date(2030, 6, 10)


def utc(hour: int, minute: int = 0, day: date = DAY_A) -> datetime:
    """An instant on *day* (UTC)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@dataclass
class World:
    """Every row the threat tests name, detached (ids and columns readable)."""

    users: dict[str, User]
    extra: dict[str, User]  # users without a role of their own: co-owners, requesters …
    event_a: Any
    event_b: Any
    draft_a: Any
    session_a: Any
    block_a: Any
    empty_block_a: Any
    session_b: Any
    block_b: Any
    org_a: Any
    org_b: Any
    app_a: Any  # company A at event A: accepted, holds published slot_a
    app_c: Any  # company C at event A: accepted, no slot yet
    app_d: Any  # company D at event A: accepted, holds proposed slot_a_d
    app_s: Any  # company S at event A: submitted, not decided
    app_b: Any  # company B at event B: accepted, holds published slot_b
    slot_a: int
    slot_a_d: int
    slot_a_empty: int
    slot_b: int
    slot_b_empty: int
    registration_a: int  # the attendee's, at event A
    registration_b: int  # member B's, at event B
    membership_mia: int  # plain member of A
    membership_rita: int  # request to join A
    membership_bert: int  # plain member of B
    calendar_token: str  # the attendee's personal feed
    reset_token: str  # the attendee's password reset link
    organiser_invitation: str  # event A invites the attendee to organise it
    organisation_invitation: str  # company A invites the attendee to join it
    import_reference: str  # organiser A's previewed partner list
    proposal_token: str  # organiser A's computed proposal for event A
    tokens: dict[str, str] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        """The user playing *role* (None for anonymous)."""
        return self.users.get(role)


def _add(app: Flask, *rows: Any) -> list[Any]:
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()
        ids = [getattr(row, "id", None) for row in rows]
    return ids


def build_world(
    app: Flask, make_user, make_event, make_session, make_organisation, make_application
) -> World:
    """Create the world (see the module docstring) and return it."""
    users = {
        "attendee": make_user("attendee@example.org", name="Ada Attendee"),
        "member_a": make_user("member-a@example.org", name="Anna Acme"),
        "member_b": make_user("member-b@example.org", name="Bo Beta"),
        "organiser_a": make_user("organiser-a@example.org", name="Olga Organiser"),
        "organiser_b": make_user("organiser-b@example.org", name="Oscar Otherevent"),
        "admin": make_user("admin@example.org", name="Site Admin", is_admin=True),
    }
    extra = {
        "otto": make_user("otto@example.org", name="Otto Coorganiser"),
        "alex": make_user("alex@example.org", name="Alex Acme"),
        "mia": make_user("mia@example.org", name="Mia Acme"),
        "rita": make_user("rita@example.org", name="Rita Requester"),
        "bert": make_user("bert@example.org", name="Bert Beta"),
    }
    common = {"kind": EventKind.ROADSHOW, "status": EventStatus.PUBLISHED, "timezone": "Europe/Brussels"}
    days = {"start_date": DAY_A, "end_date": DAY_A + timedelta(days=1)}
    event_a = make_event(users["organiser_a"], slug="event-a", title="Roadshow A", **common, **days)
    event_b = make_event(users["organiser_b"], slug="event-b", title="Roadshow B", **common, **days)
    draft_a = make_event(users["organiser_a"], slug="draft-a", title="Draft A", **days)
    _add(app, EventOrganiser(event_id=event_a.id, user_id=extra["otto"].id))

    session_a = make_session(event_a, starts_at=utc(6), minutes=60, title="Opening A", track="Main")
    block_a = make_session(
        event_a,
        starts_at=utc(8),
        minutes=60,
        kind=SessionKind.PITCH_BLOCK,
        title="Pitches A",
        slot_minutes=10,
        changeover_minutes=5,
        track="Pitch",
    )
    empty_block_a = make_session(
        event_a,
        starts_at=utc(8, day=DAY_A + timedelta(days=1)),
        minutes=60,
        kind=SessionKind.PITCH_BLOCK,
        title="More pitches A",
        slot_minutes=10,
        changeover_minutes=5,
        track="Pitch",
    )
    session_b = make_session(event_b, starts_at=utc(6), minutes=60, title="Opening B")
    block_b = make_session(
        event_b,
        starts_at=utc(8),
        minutes=60,
        kind=SessionKind.PITCH_BLOCK,
        title="Pitches B",
        slot_minutes=10,
        changeover_minutes=5,
    )

    org_a = make_organisation("Acme GmbH", "DE", owner=users["member_a"])
    org_b = make_organisation("Beta Robotics", "CN", owner=users["member_b"], city="Qingdao")
    org_c = make_organisation("Gamma Med AB", "SE", city="Lund")
    org_d = make_organisation("Delta Instruments", "FR", city="Lyon")
    org_s = make_organisation("Sigma Fintech", "IT", city="Milan")
    ids = _add(
        app,
        Membership(organisation_id=org_a.id, user_id=extra["alex"].id, role=MembershipRole.OWNER),
        Membership(organisation_id=org_a.id, user_id=extra["mia"].id, role=MembershipRole.MEMBER),
        Membership(
            organisation_id=org_a.id,
            user_id=extra["rita"].id,
            role=MembershipRole.MEMBER,
            status=MembershipStatus.REQUESTED,
        ),
        Membership(organisation_id=org_b.id, user_id=extra["bert"].id, role=MembershipRole.MEMBER),
    )
    membership_mia, membership_rita, membership_bert = ids[1], ids[2], ids[3]

    windows = [
        (utc(6), utc(12)),
        (utc(6, day=DAY_A + timedelta(days=1)), utc(12, day=DAY_A + timedelta(days=1))),
    ]
    accepted = {"status": ApplicationStatus.ACCEPTED, "windows": windows}
    app_a = make_application(
        event_a, org_a, title="Rehab glove", submitted_by_id=users["member_a"].id, **accepted
    )
    app_c = make_application(event_a, org_c, title="Gamma scanner", **accepted)
    app_d = make_application(event_a, org_d, title="Delta probe", **accepted)
    app_s = make_application(event_a, org_s, title="Sigma ledger", windows=windows)
    app_b = make_application(
        event_b, org_b, title="Beta arm", submitted_by_id=users["member_b"].id, **accepted
    )

    slot_a, slot_a_d, slot_a_empty, slot_b, slot_b_empty = _add(
        app,
        PitchSlot(
            session_id=block_a.id,
            starts_at=utc(8),
            ends_at=utc(8, 10),
            application_id=app_a.id,
            state=SlotState.PUBLISHED,
        ),
        PitchSlot(session_id=block_a.id, starts_at=utc(8, 15), ends_at=utc(8, 25), application_id=app_d.id),
        PitchSlot(session_id=block_a.id, starts_at=utc(8, 30), ends_at=utc(8, 40)),
        PitchSlot(
            session_id=block_b.id,
            starts_at=utc(8),
            ends_at=utc(8, 10),
            application_id=app_b.id,
            state=SlotState.PUBLISHED,
        ),
        PitchSlot(session_id=block_b.id, starts_at=utc(8, 15), ends_at=utc(8, 25)),
    )
    registration_a, registration_b = _add(
        app,
        Registration(event_id=event_a.id, user_id=users["attendee"].id),
        Registration(event_id=event_b.id, user_id=users["member_b"].id),
    )

    with app.test_request_context():
        from roadshow.auth.services import password_reset_token
        from roadshow.events.services import invitation_token as organiser_invitation_token
        from roadshow.feeds.tokens import issue_token
        from roadshow.models import Event, Organisation
        from roadshow.organisations.services import invitation_token as organisation_invitation_token
        from roadshow.organisations.services import keep_import_upload
        from roadshow.programme.services import propose
        from roadshow.uploads import store_deck, store_logo

        attendee = db.session.get(User, users["attendee"].id)
        db.session.execute(
            sa.insert(session_stars).values(registration_id=registration_b, session_id=session_b.id)
        )
        calendar_token = issue_token(attendee)
        reset_token = password_reset_token(attendee)
        organiser_invitation = organiser_invitation_token(db.session.get(Event, event_a.id), attendee.email)
        organisation_invitation = organisation_invitation_token(
            db.session.get(Organisation, org_a.id), attendee.email
        )
        logo = store_logo(io.BytesIO(PNG))
        organisation = db.session.get(Organisation, org_a.id)
        organisation.logo_path, organisation.logo_content_type = logo.relative_path, logo.content_type
        deck = store_deck(io.BytesIO(PDF))
        application = db.session.get(PitchApplication, app_a.id)
        application.deck_path, application.deck_filename = deck.relative_path, "rehab-glove.pdf"
        import_reference = keep_import_upload(db.session.get(User, users["organiser_a"].id), IMPORT_CSV)
        db.session.commit()
        proposal_token = propose(
            db.session.get(User, users["organiser_a"].id), db.session.get(Event, event_a.id)
        ).token
        db.session.rollback()

    return World(
        users=users,
        extra=extra,
        event_a=event_a,
        event_b=event_b,
        draft_a=draft_a,
        session_a=session_a,
        block_a=block_a,
        empty_block_a=empty_block_a,
        session_b=session_b,
        block_b=block_b,
        org_a=org_a,
        org_b=org_b,
        app_a=app_a,
        app_c=app_c,
        app_d=app_d,
        app_s=app_s,
        app_b=app_b,
        slot_a=slot_a,
        slot_a_d=slot_a_d,
        slot_a_empty=slot_a_empty,
        slot_b=slot_b,
        slot_b_empty=slot_b_empty,
        registration_a=registration_a,
        registration_b=registration_b,
        membership_mia=membership_mia,
        membership_rita=membership_rita,
        membership_bert=membership_bert,
        calendar_token=calendar_token,
        reset_token=reset_token,
        organiser_invitation=organiser_invitation,
        organisation_invitation=organisation_invitation,
        import_reference=import_reference,
        proposal_token=proposal_token,
    )


def signed_in_client(app: Flask, user: User | None, password: str = TEST_PASSWORD) -> FlaskClient:
    """A new client, logged in as *user* through the form (anonymous for None)."""
    client = app.test_client()
    if user is not None:
        response = post_form(client, "/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


# --- Snapshots ---------------------------------------------------------------------------------------


def snapshot(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: compare two to prove that nothing changed."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(table.select())), key=repr)
            for table in Base.metadata.sorted_tables
        }


def checksum(state: dict[str, list[tuple]]) -> str:
    """A SHA-256 of a snapshot (short enough to show in a failure message)."""
    return hashlib.sha256(repr(sorted(state.items())).encode()).hexdigest()[:16]


def row_counts(state: dict[str, list[tuple]]) -> dict[str, int]:
    """How many rows each table of a snapshot holds."""
    return {name: len(rows) for name, rows in state.items()}


def differences(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> dict[str, Any]:
    """The tables whose rows differ, with the rows gone and the rows new (for failure messages)."""
    changed = {}
    for name in before:
        gone = [row for row in before[name] if row not in after[name]]
        new = [row for row in after[name] if row not in before[name]]
        if gone or new:
            changed[name] = {"gone": gone[:3], "new": new[:3]}
    return changed
