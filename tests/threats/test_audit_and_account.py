"""The audit log records every organiser change (who, when, before → after, never a secret) and shows
it to the event's organisers; a user can download everything held about them and delete their
account (refused while an organisation or event would be left without anyone in charge).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from roadshow.auth.services import password_fingerprint
from roadshow.enums import RegistrationStatus
from roadshow.extensions import db
from roadshow.feeds.tokens import hash_token
from roadshow.models import (
    AuditLogEntry,
    CalendarToken,
    Event,
    Membership,
    OutboxMessage,
    PitchApplication,
    Registration,
    User,
    session_stars,
)
from tests.conftest import TEST_PASSWORD, post_form
from tests.threats.world import World, differences, signed_in_client, snapshot


def _entries(app, **where) -> list[AuditLogEntry]:
    with app.app_context():
        statement = sa.select(AuditLogEntry).order_by(AuditLogEntry.id)
        for name, value in where.items():
            statement = statement.where(getattr(AuditLogEntry, name) == value)
        rows = db.session.scalars(statement).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def _secrets(app, world: World) -> list[str]:
    """Every secret the world holds: password hashes and their reset fingerprints, tokens and hashes."""
    with app.app_context():
        hashes = list(db.session.scalars(sa.select(User.password_hash)))
        token_hashes = list(db.session.scalars(sa.select(CalendarToken.token_hash)))
    return [
        *hashes,
        *[password_fingerprint(h) for h in hashes],
        *token_hashes,
        world.calendar_token,
        hash_token(world.calendar_token),
        world.reset_token,
        world.organiser_invitation,
        world.organisation_invitation,
        world.proposal_token,
        TEST_PASSWORD,
    ]


def _organiser_changes(app, world: World) -> None:
    """A sample of every organiser area: event, sessions, organisers, review, pitch programme."""
    client = signed_in_client(app, world.user("organiser_a"))
    manage = f"/manage/events/{world.event_a.id}"
    pitches = f"{manage}/pitches"
    event_form = {
        "kind": "roadshow",
        "title": "Roadshow A renamed",
        "slug": "event-a",
        "timezone": "Europe/Brussels",
        "start_date": "2030-06-10",
        "end_date": "2030-06-11",
    }
    session_form = {
        "kind": "panel",
        "title": "Panel A",
        "day": "2030-06-11",
        "start_time": "07:00",
        "end_time": "08:00",
    }
    steps = [
        (f"{manage}/edit", event_form),
        (f"{manage}/sessions/new", session_form),
        (
            f"{manage}/sessions/{world.session_a.id}/move",
            {"day": "2030-06-11", "start_time": "06:00", "track": "Main"},
        ),
        (f"{manage}/sessions/{world.session_a.id}/cancel", {}),
        (f"{manage}/organisers", {"email": world.users["admin"].email}),
        (f"{manage}/organisers/{world.extra['otto'].id}/remove", {}),
        (f"{manage}/applications/{world.app_s.id}/decide", {"decision": "accepted", "note": "Welcome."}),
        (
            f"{pitches}/board/slots/{world.slot_a_empty}/assign",
            {"application_id": str(world.app_c.id), "confirm": "y"},
        ),
        (f"{pitches}/board/slots/{world.slot_a_d}/lock", {"holder": str(world.app_d.id)}),
        (f"{pitches}/publish", {}),
    ]
    for path, data in steps:
        response = post_form(client, path, data)
        assert response.status_code == 302, (path, response.get_data(as_text=True)[:300])


EXPECTED_ACTIONS = [
    "event.updated",
    "session.created",
    "session.moved",
    "session.cancelled",
    "organiser.added",
    "organiser.removed",
    "application.accepted",
    "pitch.assigned",
    "pitch.locked",
    "pitch.published",
]


def test_every_organiser_change_is_recorded_with_who_when_before_and_after(app, world: World):
    started = datetime.now(UTC)
    _organiser_changes(app, world)
    entries = _entries(app, event_id=world.event_a.id)
    assert [e.action for e in entries] == EXPECTED_ACTIONS
    assert {e.actor_id for e in entries} == {world.users["organiser_a"].id}
    assert all(started <= e.created_at <= datetime.now(UTC) for e in entries)
    updated = entries[0]
    assert (updated.before, updated.after) == ({"title": "Roadshow A"}, {"title": "Roadshow A renamed"})
    moved = entries[2]
    assert moved.before["starts_at"] == "2030-06-10T06:00:00+00:00"
    assert moved.after["starts_at"] == "2030-06-11T04:00:00+00:00"
    assert entries[6].target_id == world.app_s.id


def test_audit_log_never_holds_a_secret(app, world: World):
    _organiser_changes(app, world)
    member = signed_in_client(app, world.user("member_a"))
    post_form(member, f"/organisations/{world.org_a.id}/members", {"email": "colleague@example.org"})
    post_form(member, f"/organisations/{world.org_a.id}/members/{world.membership_mia}/promote")
    attendee = signed_in_client(app, world.user("attendee"))
    new = "purple elephants juggle quietly 42"
    post_form(
        attendee, "/account/password", {"current_password": TEST_PASSWORD, "password": new, "confirm": new}
    )
    entries = _entries(app)
    assert len(entries) >= len(EXPECTED_ACTIONS) + 2
    dumped = json.dumps([[e.action, e.before, e.after] for e in entries], ensure_ascii=False)
    leaked = [secret for secret in [*_secrets(app, world), new] if secret in dumped]
    assert leaked == []
    keys = {key for e in entries for values in (e.before or {}, e.after or {}) for key in values}
    assert not {key for key in keys if any(word in key for word in ("password", "token", "secret", "hash"))}


def test_audit_page_shows_the_changes_to_the_events_organisers(app, world: World):
    _organiser_changes(app, world)
    page = signed_in_client(app, world.user("organiser_a")).get(f"/manage/events/{world.event_a.id}/audit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("Olga Organiser") >= len(EXPECTED_ACTIONS)
    assert "<code>title</code>: Roadshow A → Roadshow A renamed" in html
    for action in EXPECTED_ACTIONS:
        assert f"<code>{action}</code>" in html
    for role in ("organiser_b", "member_a", "attendee"):
        other = signed_in_client(app, world.user(role)).get(f"/manage/events/{world.event_a.id}/audit")
        assert other.status_code == 404


def test_organisation_changes_are_recorded_with_their_actor(app, world: World):
    member = signed_in_client(app, world.user("member_a"))
    post_form(member, f"/organisations/{world.org_a.id}/members/{world.membership_mia}/promote")
    post_form(member, f"/organisations/{world.org_a.id}/requests/{world.membership_rita}/approve")
    entries = _entries(app, actor_id=world.users["member_a"].id)
    assert [e.action for e in entries] == ["organisation.role_changed", "organisation.join_approved"]
    assert entries[0].before["role"] == "member"
    assert entries[0].after["role"] == "owner"


# --- Export ---------------------------------------------------------------------------------------------


def _export(client) -> tuple[dict, object]:
    response = client.get("/account/data/export.json")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True)), response


def test_export_is_a_private_json_attachment_with_everything_about_the_user(app, world: World):
    member = signed_in_client(app, world.user("member_a"))
    post_form(member, f"/organisations/{world.org_a.id}/members/{world.membership_mia}/promote")
    data, response = _export(member)
    assert response.headers["Content-Type"] == "application/json"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="roadshow-account-{world.users["member_a"].id}.json"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert data["format"] == "roadshow-account-export/1"
    assert data["profile"]["email"] == "member-a@example.org"
    assert [(m["organisation"]["name"], m["role"], m["status"]) for m in data["memberships"]] == [
        ("Acme GmbH", "owner", "active")
    ]
    (application,) = data["applications_submitted"]
    assert (application["title"], application["status"], application["deck_filename"]) == (
        "Rehab glove",
        "accepted",
        "rehab-glove.pdf",
    )
    assert application["event"]["slug"] == "event-a"
    assert len(application["availability"]) == 2
    assert [e["action"] for e in data["audit_entries"]] == ["organisation.role_changed"]
    assert data["registrations"] == []
    assert data["organised_events"] == []


def test_export_lists_registrations_stars_and_feeds_but_no_secret(app, world: World):
    client = signed_in_client(app, world.user("member_b"))
    post_form(client, "/account/calendar/new")
    data, _ = _export(client)
    (registration,) = data["registrations"]
    assert registration["event"]["slug"] == "event-b"
    assert [s["title"] for s in registration["starred_sessions"]] == ["Opening B"]
    assert len(data["calendar_feeds"]) == 1
    assert set(data["calendar_feeds"][0]) == {"created_at", "revoked_at"}
    text = json.dumps(data)
    assert "password" not in text
    assert "hash" not in text
    assert [secret for secret in _secrets(app, world) if secret in text] == []
    assert "member-a@example.org" not in text  # nobody else's data


def test_export_of_an_organiser_names_their_events(app, world: World):
    data, _ = _export(signed_in_client(app, world.user("organiser_a")))
    assert sorted(e["event"]["slug"] for e in data["organised_events"]) == ["draft-a", "event-a"]


# --- Deletion -------------------------------------------------------------------------------------------


def _delete(client, password: str = TEST_PASSWORD, confirm: str | None = "y"):
    data = {"password": password}
    if confirm:
        data["confirm"] = confirm
    return post_form(client, "/account/data/delete", data)


def test_deletion_is_refused_for_the_last_owner_of_an_organisation(app, world: World):
    client = signed_in_client(app, world.user("member_b"))
    before = snapshot(app)
    response = _delete(client)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "You are the last owner of Beta Robotics. Make another member an owner first" in html
    assert snapshot(app) == before


def test_deletion_is_refused_for_the_last_organiser_of_an_event(app, world: World):
    client = signed_in_client(app, world.user("organiser_a"))  # Draft A has no other organiser
    before = snapshot(app)
    response = _delete(client)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "You are the last organiser of Draft A. Add another organiser first." in html
    assert "Roadshow A" not in html.split("cannot be deleted yet")[1].split("</ul>")[0]  # Otto co-organises A
    assert snapshot(app) == before


def test_deletion_needs_the_password_and_the_confirmation(app, world: World):
    client = signed_in_client(app, world.user("attendee"))
    before = snapshot(app)
    wrong = _delete(client, password="not my password")
    assert wrong.status_code == 400
    assert "This is not your current password." in wrong.get_data(as_text=True)
    unconfirmed = _delete(client, confirm=None)
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm." in unconfirmed.get_data(as_text=True)
    assert snapshot(app) == before


def test_deletion_wrong_passwords_count_against_the_account_limit(app, world: World):
    client = signed_in_client(app, world.user("attendee"))
    statuses = [_delete(client, password=f"guess {i}").status_code for i in range(6)]
    assert statuses == [400, 400, 400, 400, 400, 429]


def test_deletion_removes_tokens_registrations_stars_memberships_and_frees_the_seat(
    app, world: World, make_user
):
    with app.app_context():
        db.session.get(Event, world.event_a.id).capacity = 1  # the attendee holds the only seat
        waiting_user = db.session.get(User, world.extra["rita"].id)
        db.session.add(
            Registration(
                event_id=world.event_a.id, user_id=waiting_user.id, status=RegistrationStatus.WAITLISTED
            )
        )
        db.session.execute(
            sa.insert(session_stars).values(
                registration_id=world.registration_a, session_id=world.session_a.id
            )
        )
        db.session.add(Membership(organisation_id=world.org_b.id, user_id=world.users["attendee"].id))
        db.session.commit()
    client = signed_in_client(app, world.user("attendee"))
    feed = f"/calendar/{world.calendar_token}.ics"
    assert client.get(feed).status_code == 200
    response = _delete(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user_id = world.users["attendee"].id
    with app.app_context():
        assert db.session.get(User, user_id) is None
        for model, column in [
            (CalendarToken, CalendarToken.user_id),
            (Registration, Registration.user_id),
            (Membership, Membership.user_id),
        ]:
            assert (
                db.session.scalar(sa.select(sa.func.count()).select_from(model).where(column == user_id)) == 0
            )
        stars = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(session_stars)
            .where(session_stars.c.registration_id == world.registration_a)
        )
        assert stars == 0
        promoted = db.session.scalar(
            sa.select(Registration.status).where(Registration.user_id == world.extra["rita"].id)
        )
        mails = list(db.session.scalars(sa.select(OutboxMessage.recipient)))
    assert promoted == RegistrationStatus.REGISTERED
    assert mails == ["rita@example.org"]
    assert app.test_client().get(feed).status_code == 404
    relogin = post_form(
        app.test_client(), "/login", {"email": "attendee@example.org", "password": TEST_PASSWORD}
    )
    assert relogin.status_code == 200  # the form again: no such account


def test_deletion_keeps_audit_entries_and_applications_without_the_user_and_bumps_nothing_else(
    app, world: World
):
    member = signed_in_client(app, world.user("member_a"))
    assert post_form(member, f"/applications/{world.app_a.id}/withdraw").status_code == 302
    assert (
        post_form(
            member, f"/organisations/{world.org_a.id}/members/{world.membership_mia}/promote"
        ).status_code
        == 302
    )
    member_id = world.users["member_a"].id
    mine = [e.id for e in _entries(app, actor_id=member_id)]
    assert len(mine) == 2
    before = snapshot(app)
    assert _delete(member).status_code == 302
    after = snapshot(app)
    with app.app_context():
        assert [db.session.get(AuditLogEntry, i).actor_id for i in mine] == [None, None]
        application = db.session.get(PitchApplication, world.app_a.id)
        assert application.submitted_by_id is None
    # Nothing else moved: only the user's row, its membership, and the NULLed references changed.
    changed = differences(before, after)
    assert set(changed) == {"users", "memberships", "audit_log", "pitch_applications"}
    assert [row[0] for row in changed["users"]["gone"]] == [member_id]
    assert changed["users"]["new"] == []
    old_app = next(r for r in before["pitch_applications"] if r[0] == world.app_a.id)
    new_app = next(r for r in after["pitch_applications"] if r[0] == world.app_a.id)
    assert [i for i, (x, y) in enumerate(zip(old_app, new_app, strict=True)) if x != y] == [
        3
    ]  # submitted_by_id
    audit = signed_in_client(app, world.user("organiser_a")).get(f"/manage/events/{world.event_a.id}/audit")
    assert "(deleted account)" in audit.get_data(as_text=True)
