"""Co-organisers: listing, adding by e-mail, invitations by signed link, removal (never the last)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from roadshow.models import AuditLogEntry, EventOrganiser, OutboxMessage
from tests.conftest import fetch, post_form
from tests.events.helpers import db_state, page

INVITE_LINK_RE = re.compile(r"https://roadshow\.test/manage/invitations/([A-Za-z0-9_.\-]+)")


def _organiser_ids(app, event_id: int) -> list[int]:
    return fetch(
        app,
        sa.select(EventOrganiser.user_id)
        .where(EventOrganiser.event_id == event_id)
        .order_by(EventOrganiser.user_id),
    )


def _outbox(app) -> list[OutboxMessage]:
    return fetch(app, sa.select(OutboxMessage).order_by(OutboxMessage.id))


def _audit(app, action: str) -> list[AuditLogEntry]:
    return fetch(
        app, sa.select(AuditLogEntry).where(AuditLogEntry.action == action).order_by(AuditLogEntry.id)
    )


def _invite(client, world, email: str):
    return post_form(client, f"/manage/events/{world.event.id}/organisers", {"email": email})


def _token_from_outbox(app) -> str:
    [message] = _outbox(app)
    match = INVITE_LINK_RE.search(message.body_text)
    assert match, message.body_text
    assert f'href="{match.group(0)}"' in message.body_html
    return match.group(1)


def test_organisers_page_lists_the_organisers(client, world, login):
    login(world.organiser)
    html = page(client.get(f"/manage/events/{world.event.id}/organisers"))
    assert "alice@example.org" in html
    assert "carol@example.org" in html
    assert "bob@example.org" not in html
    assert '<label for="email">E-mail address</label>' in html


def test_add_existing_account_makes_them_organiser_and_tells_them(app, client, world, login):
    login(world.organiser)
    response = _invite(client, world, "  Dora@Example.org ")
    assert response.status_code == 302
    assert _organiser_ids(app, world.event.id) == sorted(
        [world.organiser.id, world.co_organiser.id, world.attendee.id]
    )
    [message] = _outbox(app)
    assert message.recipient == "dora@example.org"
    assert message.subject == "You now organise Event A"
    assert "Alice Organiser has added you as an organiser of “Event A”" in message.body_text
    assert f"https://roadshow.test/manage/events/{world.event.id}" in message.body_text
    [entry] = _audit(app, "organiser.added")
    assert entry.event_id == world.event.id
    assert entry.target_id == world.attendee.id
    assert entry.after == {"email": "dora@example.org"}


def test_add_existing_organiser_again_is_a_form_error(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    response = _invite(client, world, "carol@example.org")
    assert response.status_code == 200
    assert "carol@example.org already organises this event." in page(response)
    assert db_state(app) == before


def test_add_with_an_invalid_address_is_a_form_error(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    response = _invite(client, world, "not an address")
    assert "Invalid email address." in page(response)
    assert db_state(app) == before


def test_invite_new_address_queues_a_signed_link_and_adds_nobody(app, client, world, login):
    login(world.organiser)
    response = _invite(client, world, "newcomer@example.org")
    assert response.status_code == 302
    assert _organiser_ids(app, world.event.id) == sorted([world.organiser.id, world.co_organiser.id])
    [message] = _outbox(app)
    assert message.recipient == "newcomer@example.org"
    assert message.subject == "Invitation to organise Event A"
    token = _token_from_outbox(app)
    payload = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="organiser-invitation").loads(token)
    assert payload == {"event": world.event.id, "email": "newcomer@example.org"}
    [entry] = _audit(app, "organiser.invited")
    assert entry.after == {"email": "newcomer@example.org"}
    assert token not in str(entry.after)


def test_invitation_accepted_by_the_invited_user(app, client, world, login, make_user):
    login(world.organiser)
    _invite(client, world, "newcomer@example.org")
    token = _token_from_outbox(app)
    newcomer = make_user("newcomer@example.org", name="New Comer")
    invited = app.test_client()
    login(newcomer, on=invited)

    before = db_state(app)
    shown = invited.get(f"/manage/invitations/{token}")
    assert shown.status_code == 200
    assert "You have been invited to organise “Event A”." in page(shown)
    assert f'action="/manage/invitations/{token}"' in page(shown)
    assert db_state(app) == before  # showing the invitation changes nothing

    accepted = post_form(invited, f"/manage/invitations/{token}")
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == f"/manage/events/{world.event.id}"
    assert newcomer.id in _organiser_ids(app, world.event.id)
    [entry] = _audit(app, "organiser.joined")
    assert entry.actor_id == newcomer.id
    assert invited.get(f"/manage/events/{world.event.id}").status_code == 200


def test_invitation_refused_for_a_different_user(app, client, world, login, make_user):
    login(world.organiser)
    _invite(client, world, "newcomer@example.org")
    token = _token_from_outbox(app)
    intruder = app.test_client()
    login(world.other_organiser, on=intruder)
    before = db_state(app)
    shown = intruder.get(f"/manage/invitations/{token}")
    assert shown.status_code == 403
    assert "This invitation was sent to another e-mail address." in page(shown)
    assert "Event A" not in page(shown)
    posted = post_form(intruder, f"/manage/invitations/{token}")
    assert posted.status_code == 403
    assert db_state(app) == before


def test_invitation_for_anonymous_visitor_asks_to_log_in(app, client, world, login):
    login(world.organiser)
    _invite(client, world, "newcomer@example.org")
    token = _token_from_outbox(app)
    anonymous = app.test_client()
    response = anonymous.get(f"/manage/invitations/{token}")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


@pytest.mark.parametrize("mangle", ["forged", "expired", "other-salt"])
def test_invitation_with_bad_token_is_refused(app, client, world, login, make_user, monkeypatch, mangle):
    newcomer = make_user("newcomer@example.org")
    payload = {"event": world.event.id, "email": "newcomer@example.org"}
    good = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="organiser-invitation").dumps(payload)
    if mangle == "forged":
        token = URLSafeTimedSerializer("wrong-key", salt="organiser-invitation").dumps(payload)
    elif mangle == "other-salt":
        token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset").dumps(payload)
    else:
        token = good
        monkeypatch.setitem(app.config, "INVITATION_MAX_AGE", -1)
    login(newcomer)
    before = db_state(app)
    assert client.get(f"/manage/invitations/{token}").status_code == 404
    response = post_form(client, f"/manage/invitations/{token}")
    assert response.status_code == 404
    assert "This invitation link is invalid or has expired." in page(response)
    assert db_state(app) == before


def test_invitation_cannot_be_reused_after_removal(app, client, world, login, make_user):
    login(world.organiser)
    _invite(client, world, "newcomer@example.org")
    token = _token_from_outbox(app)
    newcomer = make_user("newcomer@example.org")
    invited = app.test_client()
    login(newcomer, on=invited)
    post_form(invited, f"/manage/invitations/{token}")
    post_form(client, f"/manage/events/{world.event.id}/organisers/{newcomer.id}/remove")
    assert newcomer.id not in _organiser_ids(app, world.event.id)
    before = db_state(app)
    response = post_form(invited, f"/manage/invitations/{token}")
    assert response.status_code == 403
    assert "You were removed from this event" in page(response)
    assert db_state(app) == before


def test_remove_organiser_removes_and_records(app, client, world, login):
    login(world.organiser)
    response = post_form(client, f"/manage/events/{world.event.id}/organisers/{world.co_organiser.id}/remove")
    assert response.status_code == 302
    assert _organiser_ids(app, world.event.id) == [world.organiser.id]
    [entry] = _audit(app, "organiser.removed")
    assert entry.target_id == world.co_organiser.id
    assert entry.before == {"email": "carol@example.org"}


def test_remove_yourself_leads_back_to_the_dashboard(app, client, world, login):
    login(world.organiser)
    response = post_form(client, f"/manage/events/{world.event.id}/organisers/{world.organiser.id}/remove")
    assert response.headers["Location"] == "/manage/"
    assert client.get(f"/manage/events/{world.event.id}").status_code == 404


def test_last_organiser_cannot_be_removed(app, client, world, login):
    login(world.organiser)
    post_form(client, f"/manage/events/{world.event.id}/organisers/{world.co_organiser.id}/remove")
    before = db_state(app)
    response = post_form(
        client,
        f"/manage/events/{world.event.id}/organisers/{world.organiser.id}/remove",
        follow_redirects=True,
    )
    assert "An event needs at least one organiser; add another one first." in page(response)
    assert db_state(app) == before
    assert _organiser_ids(app, world.event.id) == [world.organiser.id]


def test_last_organiser_cannot_be_removed_by_an_admin_either(app, client, world, login):
    login(world.admin)
    post_form(client, f"/manage/events/{world.other_event.id}/organisers/{world.other_organiser.id}/remove")
    assert _organiser_ids(app, world.other_event.id) == [world.other_organiser.id]
