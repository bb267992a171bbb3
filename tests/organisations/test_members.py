"""Members: invitations by e-mail and signed link, join requests and their answers, leaving, roles,
and the rule that an organisation never loses its last owner."""

from __future__ import annotations

from itsdangerous import URLSafeTimedSerializer

from roadshow.extensions import db
from roadshow.models import User
from tests.conftest import post_form
from tests.organisations.helpers import (
    audit,
    db_state,
    link_in,
    membership_id,
    memberships,
    outbox,
    page,
)

INVITE_RE = r"https://roadshow\.test/organisations/invitations/([A-Za-z0-9_.\-]+)"


def _members_url(world) -> str:
    return f"/organisations/{world.organisation.id}/members"


def _invite(client, world, email: str):
    return post_form(client, _members_url(world), {"email": email})


def _logout(client) -> None:
    post_form(client, "/logout")


# --- The members page and invitations ------------------------------------------------------------------


def test_members_page_lists_members_with_roles_for_a_member(app, client, world, login):
    login(world.member)
    html = page(client.get(_members_url(world)))
    assert "alice@example.org" in html
    assert "bob@example.org" in html
    assert "dave@example.org" not in html
    assert "Invite a colleague" not in html  # plain members do not manage
    assert f'action="/organisations/{world.organisation.id}/leave"' in html


def test_invite_existing_account_makes_them_member_at_once_and_tells_them(app, client, world, login):
    login(world.owner)
    response = _invite(client, world, "  Carol@Example.org ")
    assert response.status_code == 302
    assert memberships(app, world.organisation.id) == [
        (world.owner.id, "owner", "active"),
        (world.member.id, "member", "active"),
        (world.outsider.id, "member", "active"),
    ]
    [message] = outbox(app)
    assert message.recipient == "carol@example.org"
    assert message.subject == "You are now a member of Qingdao Haibo Biotech Co., Ltd."
    assert "Alice Owner has added you as a member of “Qingdao Haibo Biotech Co., Ltd.”" in message.body_text
    assert f"https://roadshow.test/organisations/{world.organisation.id}" in message.body_text
    [entry] = audit(app, "organisation.member_added")
    assert entry.after == {"user_id": world.outsider.id, "email": "carol@example.org"}


def test_invite_existing_member_again_is_a_form_error(app, client, world, login):
    login(world.owner)
    before = db_state(app)
    response = _invite(client, world, "bob@example.org")
    assert response.status_code == 200
    assert "bob@example.org is already a member of this organisation." in page(response)
    assert db_state(app) == before


def test_invite_answers_a_waiting_request(app, client, world, login):
    login(world.outsider)
    post_form(client, f"/organisations/{world.organisation.id}/join")
    _logout(client)
    login(world.owner)
    _invite(client, world, "carol@example.org")
    assert (world.outsider.id, "member", "active") in memberships(app, world.organisation.id)


def test_invite_unknown_address_sends_a_signed_link(app, client, world, login):
    login(world.owner)
    response = _invite(client, world, "newcomer@example.org")
    assert response.status_code == 302
    [message] = outbox(app)
    assert message.recipient == "newcomer@example.org"
    assert message.subject == "Invitation to join Qingdao Haibo Biotech Co., Ltd. on Roadshow"
    token = link_in(message.body_text, INVITE_RE)
    assert f'href="https://roadshow.test/organisations/invitations/{token}"' in message.body_html
    assert "The link is valid for 7 days." in message.body_text
    payload = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="organisation-invitation").loads(token)
    assert payload == {"organisation": world.organisation.id, "email": "newcomer@example.org"}
    assert len(memberships(app, world.organisation.id)) == 2


def test_invitation_accepted_by_the_matching_account(app, client, world, login, make_user):
    login(world.owner)
    _invite(client, world, "newcomer@example.org")
    token = link_in(outbox(app)[0].body_text, INVITE_RE)
    _logout(client)
    newcomer = make_user("newcomer@example.org", name="Nina Newcomer")
    login(newcomer)
    html = page(client.get(f"/organisations/invitations/{token}"))
    assert "You have been invited to join “Qingdao Haibo Biotech Co., Ltd.” on Roadshow." in html
    assert (newcomer.id, "member", "active") not in memberships(app, world.organisation.id)
    response = post_form(client, f"/organisations/invitations/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/organisations/{world.organisation.id}"
    assert (newcomer.id, "member", "active") in memberships(app, world.organisation.id)
    again = post_form(client, f"/organisations/invitations/{token}")
    assert again.status_code == 302
    assert len(memberships(app, world.organisation.id)) == 3


def test_invitation_refused_for_another_account(app, client, world, login):
    login(world.owner)
    _invite(client, world, "newcomer@example.org")
    token = link_in(outbox(app)[0].body_text, INVITE_RE)
    _logout(client)
    login(world.outsider)
    before = db_state(app)
    response = post_form(client, f"/organisations/invitations/{token}")
    assert response.status_code == 403
    assert "This invitation was sent to another e-mail address." in page(response)
    assert db_state(app) == before


def test_invitation_needs_a_login_first(app, client, world):
    with app.test_request_context():
        from roadshow.models import Organisation
        from roadshow.organisations.services import invitation_token

        token = invitation_token(db.session.get(Organisation, world.organisation.id), "x@example.org")
    response = client.get(f"/organisations/invitations/{token}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_invitation_forged_or_expired_is_refused(app, client, world, login, make_user):
    newcomer = make_user("newcomer@example.org")
    login(newcomer)
    forged = URLSafeTimedSerializer("not-the-key", salt="organisation-invitation").dumps(
        {"organisation": world.organisation.id, "email": "newcomer@example.org"}
    )
    assert client.get(f"/organisations/invitations/{forged}").status_code == 404
    app.config["INVITATION_MAX_AGE"] = -1
    try:
        with app.test_request_context():
            from roadshow.models import Organisation
            from roadshow.organisations.services import invitation_token

            token = invitation_token(db.session.get(Organisation, world.organisation.id), newcomer.email)
        response = post_form(client, f"/organisations/invitations/{token}")
    finally:
        app.config["INVITATION_MAX_AGE"] = 7 * 24 * 3600
    assert response.status_code == 404
    assert "invalid or has expired" in page(response)
    assert (newcomer.id, "member", "active") not in memberships(app, world.organisation.id)


def test_invitation_of_another_salt_is_refused(app, client, world, login, make_user):
    newcomer = make_user("newcomer@example.org")
    login(newcomer)
    other_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="organiser-invitation").dumps(
        {"organisation": world.organisation.id, "email": "newcomer@example.org"}
    )
    assert client.get(f"/organisations/invitations/{other_salt}").status_code == 404


def test_invitation_no_longer_works_after_removal(app, client, world, login, make_user):
    newcomer = make_user("newcomer@example.org", name="Nina Newcomer")
    with app.test_request_context():
        from roadshow.models import Organisation
        from roadshow.organisations.services import invitation_token

        token = invitation_token(db.session.get(Organisation, world.organisation.id), newcomer.email)
    login(newcomer)
    post_form(client, f"/organisations/invitations/{token}")
    _logout(client)
    login(world.owner)
    post_form(
        client,
        f"{_members_url(world)}/{membership_id(app, world.organisation.id, newcomer.id)}/remove",
    )
    _logout(client)
    login(newcomer)
    response = post_form(client, f"/organisations/invitations/{token}")
    assert response.status_code == 403
    assert "You were removed from this organisation after this invitation was sent." in page(response)
    assert newcomer.id not in [user_id for user_id, _, _ in memberships(app, world.organisation.id)]


# --- Join requests ---------------------------------------------------------------------------------


def test_join_request_tells_the_owners_in_their_language(app, client, world, login):
    with app.app_context():
        db.session.get(User, world.owner.id).locale = "zh"
        db.session.commit()
    login(world.outsider)
    response = post_form(client, f"/organisations/{world.organisation.id}/join")
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisations/"
    [message] = outbox(app)
    assert message.recipient == "alice@example.org"
    assert "青岛海博生物科技有限公司" in message.subject  # the Chinese name, for a Chinese reader
    assert f"https://roadshow.test/organisations/{world.organisation.id}/members" in message.body_text
    assert (world.outsider.id, "member", "requested") in memberships(app, world.organisation.id)


def test_join_request_twice_is_refused(app, client, world, login):
    login(world.outsider)
    post_form(client, f"/organisations/{world.organisation.id}/join")
    before = db_state(app)
    response = post_form(client, f"/organisations/{world.organisation.id}/join", follow_redirects=True)
    assert "You have already asked to join; the owners will answer." in page(response)
    assert db_state(app) == before


def test_join_request_of_a_member_is_refused(app, client, world, login):
    login(world.member)
    before = db_state(app)
    response = post_form(client, f"/organisations/{world.organisation.id}/join", follow_redirects=True)
    assert "You are already a member of this organisation." in page(response)
    assert db_state(app) == before


def test_owner_sees_and_approves_a_request_and_the_requester_is_told(app, client, world, login):
    with app.app_context():
        db.session.get(User, world.outsider.id).locale = "zh"
        db.session.commit()
    login(world.outsider)
    post_form(client, f"/organisations/{world.organisation.id}/join")
    _logout(client)
    login(world.owner)
    request_id = membership_id(app, world.organisation.id, world.outsider.id)
    html = page(client.get(_members_url(world)))
    assert "Carol Outsider (carol@example.org)" in html
    assert f'action="/organisations/{world.organisation.id}/requests/{request_id}/approve"' in html
    response = post_form(client, f"/organisations/{world.organisation.id}/requests/{request_id}/approve")
    assert response.status_code == 302
    assert (world.outsider.id, "member", "active") in memberships(app, world.organisation.id)
    decided = outbox(app)[-1]
    assert decided.recipient == "carol@example.org"
    assert "青岛海博生物科技有限公司" in decided.subject  # in the requester's language (Chinese name)
    assert "“青岛海博生物科技有限公司”" in decided.body_text
    assert f"https://roadshow.test/organisations/{world.organisation.id}" in decided.body_text
    [entry] = audit(app, "organisation.join_approved")
    assert entry.actor_id == world.owner.id


def test_owner_declines_a_request(app, client, world, login):
    login(world.outsider)
    post_form(client, f"/organisations/{world.organisation.id}/join")
    _logout(client)
    login(world.owner)
    request_id = membership_id(app, world.organisation.id, world.outsider.id)
    post_form(client, f"/organisations/{world.organisation.id}/requests/{request_id}/decline")
    assert world.outsider.id not in [user_id for user_id, _, _ in memberships(app, world.organisation.id)]
    decided = outbox(app)[-1]
    assert decided.recipient == "carol@example.org"
    assert decided.subject == "Your request to join Qingdao Haibo Biotech Co., Ltd."
    assert "was declined" in decided.body_text


def test_request_to_an_ownerless_organisation_is_approved_by_an_admin_who_makes_an_owner(
    app, client, world, login, make_organisation
):
    imported = make_organisation("Imported Partner Park", country="FI")
    login(world.outsider)
    html = page(client.get(f"/organisations/{imported.id}"))
    assert "This organisation has no owner yet: a site administrator answers requests to join it." in html
    response = post_form(client, f"/organisations/{imported.id}/join", follow_redirects=True)
    assert "A site administrator will answer by e-mail." in page(response)
    assert outbox(app) == []  # no owner to tell
    _logout(client)
    login(world.admin)
    html = page(client.get(f"/organisations/{imported.id}/members"))
    assert "This organisation has no owner. A site administrator approves requests to join it" in html
    request_id = membership_id(app, imported.id, world.outsider.id)
    post_form(client, f"/organisations/{imported.id}/requests/{request_id}/approve")
    assert memberships(app, imported.id) == [(world.outsider.id, "owner", "active")]
    [message] = outbox(app)
    assert "you are now its owner" in message.body_text


def test_request_of_one_organisation_cannot_be_decided_through_another(app, client, world, login):
    login(world.member)
    post_form(client, f"/organisations/{world.other.id}/join")
    _logout(client)
    login(world.owner)  # owner of A, not of B
    request_id = membership_id(app, world.other.id, world.member.id)
    before = db_state(app)
    response = post_form(client, f"/organisations/{world.organisation.id}/requests/{request_id}/approve")
    assert response.status_code == 404
    assert db_state(app) == before


def test_requester_withdraws_a_request(app, client, world, login):
    login(world.outsider)
    post_form(client, f"/organisations/{world.other.id}/join")
    html = page(client.get(f"/organisations/{world.other.id}"))
    assert "Withdraw my request" in html
    post_form(client, f"/organisations/{world.other.id}/leave")
    assert memberships(app, world.other.id) == [(world.other_owner.id, "owner", "active")]


# --- Leaving, removing, roles: never without an owner ------------------------------------------------


def test_member_leaves(app, client, world, login):
    login(world.member)
    response = post_form(client, f"/organisations/{world.organisation.id}/leave")
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisations/"
    assert memberships(app, world.organisation.id) == [(world.owner.id, "owner", "active")]
    assert client.get(f"/organisations/{world.organisation.id}/edit").status_code == 404


def test_last_owner_cannot_leave(app, client, world, login):
    login(world.owner)
    before = db_state(app)
    html = page(client.get(_members_url(world)))
    assert "You are the last owner, so you cannot leave." in html
    response = post_form(client, f"/organisations/{world.organisation.id}/leave", follow_redirects=True)
    assert "You are the last owner, so you cannot leave. Make another member an owner first." in page(
        response
    )
    assert db_state(app) == before


def test_last_owner_cannot_be_removed_or_demoted_even_by_an_admin(app, client, world, login):
    login(world.admin)
    owner_membership = membership_id(app, world.organisation.id, world.owner.id)
    before = db_state(app)
    response = post_form(client, f"{_members_url(world)}/{owner_membership}/remove", follow_redirects=True)
    assert "The last owner cannot be removed. Make another member an owner first." in page(response)
    response = post_form(client, f"{_members_url(world)}/{owner_membership}/demote", follow_redirects=True)
    assert "The last owner cannot stop being an owner." in page(response)
    assert db_state(app) == before


def test_owner_promotes_a_member_who_can_then_let_the_first_owner_leave(app, client, world, login):
    login(world.owner)
    member_membership = membership_id(app, world.organisation.id, world.member.id)
    response = post_form(client, f"{_members_url(world)}/{member_membership}/promote")
    assert response.status_code == 302
    assert memberships(app, world.organisation.id) == [
        (world.owner.id, "owner", "active"),
        (world.member.id, "owner", "active"),
    ]
    post_form(client, f"/organisations/{world.organisation.id}/leave")
    assert memberships(app, world.organisation.id) == [(world.member.id, "owner", "active")]
    [entry] = audit(app, "organisation.role_changed")
    assert entry.before == {"user_id": world.member.id, "role": "member"}
    assert entry.after == {"user_id": world.member.id, "role": "owner"}


def test_owner_demotes_another_owner_and_removes_a_member(app, client, world, login):
    login(world.owner)
    member_membership = membership_id(app, world.organisation.id, world.member.id)
    post_form(client, f"{_members_url(world)}/{member_membership}/promote")
    post_form(client, f"{_members_url(world)}/{member_membership}/demote")
    assert (world.member.id, "member", "active") in memberships(app, world.organisation.id)
    post_form(client, f"{_members_url(world)}/{member_membership}/remove")
    assert memberships(app, world.organisation.id) == [(world.owner.id, "owner", "active")]
    [entry] = audit(app, "organisation.member_removed")
    assert entry.target_id == world.organisation.id
    assert entry.before == {"user_id": world.member.id, "email": "bob@example.org", "role": "member"}


def test_one_of_two_owners_may_remove_the_other(app, client, world, login):
    login(world.owner)
    member_membership = membership_id(app, world.organisation.id, world.member.id)
    post_form(client, f"{_members_url(world)}/{member_membership}/promote")
    owner_membership = membership_id(app, world.organisation.id, world.owner.id)
    _logout(client)
    login(world.member)
    post_form(client, f"{_members_url(world)}/{owner_membership}/remove")
    assert memberships(app, world.organisation.id) == [(world.member.id, "owner", "active")]


def test_memberships_of_another_organisation_cannot_be_changed_through_this_one(app, client, world, login):
    login(world.owner)
    other_owner_membership = membership_id(app, world.other.id, world.other_owner.id)
    before = db_state(app)
    for action in ("remove", "promote", "demote"):
        response = post_form(client, f"{_members_url(world)}/{other_owner_membership}/{action}")
        assert response.status_code == 404
    assert db_state(app) == before


def test_requests_are_not_members_for_remove_or_promote(app, client, world, login):
    login(world.outsider)
    post_form(client, f"/organisations/{world.organisation.id}/join")
    _logout(client)
    login(world.owner)
    request_id = membership_id(app, world.organisation.id, world.outsider.id)
    before = db_state(app)
    assert post_form(client, f"{_members_url(world)}/{request_id}/promote").status_code == 404
    assert post_form(client, f"{_members_url(world)}/{request_id}/remove").status_code == 404
    assert db_state(app) == before
