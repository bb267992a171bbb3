"""Who may use which organisation route: the right users succeed; anyone else changes nothing.

Anonymous visitors are sent to the log-in page. Signed-in users who are not members get a 404 for
another organisation's edit and member pages (ids reveal nothing); plain members get a 403 for the
owners' actions. Site admins and event organisers import partner lists and add sectors; nobody else.
"""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import post_form
from tests.organisations.helpers import db_state, membership_id, organisation_form, page

# (method, path, form data) — {o}: organisation A, {m}: Bob's membership of A, {r}: Carol's request to
# join A. The data is valid, so the request would change something if the permission check were missing.
MEMBER_ROUTES = [
    ("GET", "/organisations/{o}/edit", None),
    ("POST", "/organisations/{o}/edit", organisation_form(name="Hijacked Ltd")),
    ("GET", "/organisations/{o}/members", None),
    ("POST", "/organisations/{o}/members", {"email": "mallory@example.org"}),
]
OWNER_ROUTES = [
    ("POST", "/organisations/{o}/members", {"email": "mallory@example.org"}),
    ("POST", "/organisations/{o}/members/{m}/remove", {}),
    ("POST", "/organisations/{o}/members/{m}/promote", {}),
    ("POST", "/organisations/{o}/members/{m}/demote", {}),
    ("POST", "/organisations/{o}/requests/{r}/approve", {}),
    ("POST", "/organisations/{o}/requests/{r}/decline", {}),
]
SIGNED_IN_ROUTES = [
    ("GET", "/organisations/", None),
    ("GET", "/organisations/new", None),
    ("POST", "/organisations/new", organisation_form(name="Anonymous Ltd")),
    ("GET", "/organisations/{o}", None),
    ("GET", "/organisations/{o}/logo", None),
    ("POST", "/organisations/{o}/join", {}),
    ("POST", "/organisations/{o}/leave", {}),
    ("GET", "/organisations/invitations/abc", None),
]
ORGANISER_ROUTES = [
    ("GET", "/organisations/import", None),
    ("POST", "/organisations/import", {"file": "name,country\nIntruder,DE\n"}),
    ("POST", "/organisations/import/commit", {"upload": "x"}),
    ("GET", "/organisations/sectors", None),
    ("POST", "/organisations/sectors", {"name": "Space", "name_zh": "", "slug": ""}),
]
ALL_ROUTES = MEMBER_ROUTES + OWNER_ROUTES[1:] + SIGNED_IN_ROUTES + ORGANISER_ROUTES  # [1:]: listed above


@pytest.fixture
def request_to_join(app, world, client, login) -> int:
    """Carol asks to join A; returns the request's membership id (and logs Carol out)."""
    login(world.outsider)
    post_form(client, f"/organisations/{world.organisation.id}/join")
    post_form(client, "/logout")
    return membership_id(app, world.organisation.id, world.outsider.id)


def _path(template: str, app, world, request_id: int) -> str:
    return template.format(
        o=world.organisation.id,
        m=membership_id(app, world.organisation.id, world.member.id),
        r=request_id,
    )


def _request(client, method: str, path: str, data):
    if method == "GET":
        return client.get(path)
    payload = dict(data)
    if "file" in payload:
        payload["file"] = (io.BytesIO(payload["file"].encode()), "list.csv")
    return post_form(client, path, payload, content_type="multipart/form-data")


@pytest.mark.parametrize(("method", "template", "data"), ALL_ROUTES)
def test_anonymous_is_sent_to_login_and_nothing_changes(
    app, client, world, request_to_join, method, template, data
):
    path = _path(template, app, world, request_to_join)
    before = db_state(app)
    # A visitor with no session gets a CSRF token from any page, so the check under test is the login.
    response = _request(client, method, path, data)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [path]
    assert db_state(app) == before


@pytest.mark.parametrize(("method", "template", "data"), MEMBER_ROUTES + OWNER_ROUTES)
@pytest.mark.parametrize("who", ["outsider", "other_owner", "organiser"])
def test_non_members_get_404_for_another_organisations_pages(
    app, client, world, login, request_to_join, who, method, template, data
):
    login(getattr(world, who))
    path = _path(template, app, world, request_to_join)
    before = db_state(app)
    response = _request(client, method, path, data)
    assert response.status_code == 404
    assert db_state(app) == before


@pytest.mark.parametrize(("method", "template", "data"), OWNER_ROUTES)
def test_plain_members_get_403_for_owners_actions(
    app, client, world, login, request_to_join, method, template, data
):
    login(world.member)
    path = _path(template, app, world, request_to_join)
    before = db_state(app)
    response = _request(client, method, path, data)
    assert response.status_code == 403
    assert db_state(app) == before


@pytest.mark.parametrize(("method", "template", "data"), ORGANISER_ROUTES)
@pytest.mark.parametrize("who", ["outsider", "owner", "member"])
def test_only_organisers_and_admins_import_and_add_sectors(
    app, client, world, login, request_to_join, who, method, template, data
):
    login(getattr(world, who))
    before = db_state(app)
    response = _request(client, method, template, data)
    assert response.status_code == 403
    assert db_state(app) == before


@pytest.mark.parametrize("who", ["organiser", "admin"])
@pytest.mark.parametrize("path", ["/organisations/import", "/organisations/sectors"])
def test_organisers_and_admins_open_import_and_sector_pages(app, client, world, login, who, path):
    login(getattr(world, who))
    assert client.get(path).status_code == 200


def test_outsider_may_see_a_profile_but_not_edit_it(app, client, world, login):
    login(world.outsider)
    assert client.get(f"/organisations/{world.organisation.id}").status_code == 200
    assert client.get(f"/organisations/{world.organisation.id}/edit").status_code == 404


def test_member_may_open_the_edit_and_members_pages(app, client, world, login):
    login(world.member)
    assert client.get(f"/organisations/{world.organisation.id}/edit").status_code == 200
    html = page(client.get(f"/organisations/{world.organisation.id}/members"))
    assert "Invite a colleague" not in html


def test_admin_manages_members_of_any_organisation(app, client, world, login):
    login(world.admin)
    html = page(client.get(f"/organisations/{world.other.id}/members"))
    assert "Invite a colleague" in html


def test_leave_without_a_membership_is_404(app, client, world, login):
    login(world.outsider)
    before = db_state(app)
    assert post_form(client, f"/organisations/{world.organisation.id}/leave").status_code == 404
    assert db_state(app) == before


def test_get_pages_change_nothing(app, client, world, login):
    login(world.owner)
    before = db_state(app)
    for path in (
        "/organisations/",
        "/organisations/new",
        f"/organisations/{world.organisation.id}",
        f"/organisations/{world.organisation.id}/edit",
        f"/organisations/{world.organisation.id}/members",
    ):
        assert client.get(path).status_code == 200, path
    assert db_state(app) == before
