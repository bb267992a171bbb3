"""Who may use which organiser route: the right users succeed; anyone else changes nothing.

Anonymous visitors are sent to the log-in page; attendees and organisers of another event get a
404, so that event ids reveal nothing. Every GET leaves the database exactly as it was.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from roadshow.enums import EventStatus
from tests.conftest import post_form
from tests.events.helpers import db_state, event_form, page, session_form

# (method, path, form data) — {e}: event A, {s}: its session, {co}: its co-organiser. The data is
# valid, so that the request would change something if the permission check were missing.
EVENT_ROUTES = [
    ("GET", "/manage/events/{e}", None),
    ("GET", "/manage/events/{e}/edit", None),
    ("POST", "/manage/events/{e}/edit", event_form(title="Hijacked", slug="event-a")),
    ("POST", "/manage/events/{e}/publish", {}),
    ("POST", "/manage/events/{e}/unpublish", {}),
    ("POST", "/manage/events/{e}/cancel", {}),
    ("POST", "/manage/events/{e}/archive", {}),
    ("GET", "/manage/events/{e}/sessions/new", None),
    ("POST", "/manage/events/{e}/sessions/new", session_form(title="Intruder", start_time="14:00")),
    ("GET", "/manage/events/{e}/sessions/{s}/edit", None),
    ("POST", "/manage/events/{e}/sessions/{s}/edit", session_form(title="Hijacked")),
    ("GET", "/manage/events/{e}/sessions/{s}/move", None),
    ("POST", "/manage/events/{e}/sessions/{s}/move", {"day": "2026-12-02", "start_time": "09:00"}),
    ("POST", "/manage/events/{e}/sessions/{s}/cancel", {}),
    ("POST", "/manage/events/{e}/sessions/{s}/delete", {}),
    ("GET", "/manage/events/{e}/organisers", None),
    ("POST", "/manage/events/{e}/organisers", {"email": "mallory@example.org"}),
    ("POST", "/manage/events/{e}/organisers/{co}/remove", {}),
    ("GET", "/manage/events/{e}/audit", None),
]
SESSION_ROUTES = [route for route in EVENT_ROUTES if "{s}" in route[1]]
GET_PAGES = [path for method, path, _data in EVENT_ROUTES if method == "GET"]


def _path(template: str, world, *, session_id: int | None = None) -> str:
    return template.format(
        e=world.event.id,
        s=session_id if session_id is not None else world.session.id,
        co=world.co_organiser.id,
    )


def _request(client, method: str, path: str, data):
    if method == "GET":
        return client.get(path)
    return post_form(client, path, data)


def _is_login_redirect(response, path: str) -> bool:
    location = urlsplit(response.headers.get("Location", ""))
    return (
        response.status_code == 302
        and location.path == "/login"
        and parse_qs(location.query).get("next", [""])[0].endswith(path)
    )


@pytest.mark.parametrize(("method", "template", "data"), EVENT_ROUTES)
def test_event_route_anonymous_is_sent_to_login_and_changes_nothing(
    app, client, world, method, template, data
):
    path = _path(template, world)
    before = db_state(app)
    response = _request(client, method, path, data)
    assert _is_login_redirect(response, path)
    assert db_state(app) == before


@pytest.mark.parametrize("who", ["attendee", "other_organiser"])
@pytest.mark.parametrize(("method", "template", "data"), EVENT_ROUTES)
def test_event_route_other_users_get_404_and_change_nothing(
    app, client, world, login, who, method, template, data
):
    login(getattr(world, who))
    path = _path(template, world)
    before = db_state(app)
    response = _request(client, method, path, data)
    assert response.status_code == 404
    assert "Event A" not in page(response)
    assert db_state(app) == before


@pytest.mark.parametrize(("method", "template", "data"), SESSION_ROUTES)
def test_session_of_another_event_in_path_is_404_and_changes_nothing(
    app, client, world, login, method, template, data
):
    login(world.organiser)
    path = _path(template, world, session_id=world.other_session.id)
    before = db_state(app)
    response = _request(client, method, path, data)
    assert response.status_code == 404
    assert "Session B" not in page(response)
    assert db_state(app) == before


def test_unknown_event_id_is_404(client, world, login):
    login(world.organiser)
    assert client.get("/manage/events/999999").status_code == 404
    assert client.get("/manage/events/999999/audit").status_code == 404


def test_unknown_organiser_in_remove_path_is_404_and_changes_nothing(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    response = post_form(client, f"/manage/events/{world.event.id}/organisers/{world.attendee.id}/remove")
    assert response.status_code == 404
    assert db_state(app) == before


@pytest.mark.parametrize("who", ["organiser", "co_organiser", "admin"])
@pytest.mark.parametrize("template", GET_PAGES)
def test_event_pages_open_for_organisers_and_admins_and_change_nothing(
    app, client, world, login, who, template
):
    login(getattr(world, who))
    before = db_state(app)
    response = client.get(_path(template, world))
    assert response.status_code == 200
    assert "Event A" in page(response)
    assert db_state(app) == before


def test_dashboard_anonymous_is_sent_to_login(client):
    response = client.get("/manage/")
    assert _is_login_redirect(response, "/manage/")


def test_dashboard_lists_only_the_users_events(client, world, login):
    login(world.organiser)
    html = page(client.get("/manage/"))
    assert f'href="/manage/events/{world.event.id}"' in html
    assert f'href="/manage/events/{world.other_event.id}"' not in html
    assert "Event B" not in html
    assert "Draft" in html


def test_dashboard_for_an_attendee_lists_nothing_and_offers_no_creation(client, world, login):
    login(world.attendee)
    response = client.get("/manage/")
    html = page(response)
    assert response.status_code == 200
    assert "Event A" not in html
    assert "Event B" not in html
    assert 'href="/manage/events/new"' not in html
    assert "You do not organise any event yet." in html


def test_dashboard_for_an_admin_lists_every_event_with_status(client, world, login, make_event):
    make_event(slug="event-c", title="Event C", status=EventStatus.PUBLISHED)
    login(world.admin)
    html = page(client.get("/manage/"))
    assert "Event A" in html
    assert "Event B" in html
    assert "Event C" in html
    assert "Published" in html
    assert 'href="/events/event-c"' in html
    assert 'href="/manage/events/new"' in html


def test_dashboard_get_changes_nothing(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    assert client.get("/manage/").status_code == 200
    assert db_state(app) == before


def test_create_event_anonymous_is_sent_to_login_and_changes_nothing(app, client, world):
    before = db_state(app)
    assert _is_login_redirect(client.get("/manage/events/new"), "/manage/events/new")
    response = post_form(client, "/manage/events/new", event_form(slug="sneaky"))
    assert _is_login_redirect(response, "/manage/events/new")
    assert db_state(app) == before


def test_create_event_by_an_attendee_is_403_and_changes_nothing(app, client, world, login):
    login(world.attendee)
    before = db_state(app)
    assert client.get("/manage/events/new").status_code == 403
    assert post_form(client, "/manage/events/new", event_form(slug="sneaky")).status_code == 403
    assert db_state(app) == before


def test_create_event_form_opens_for_an_organiser_and_changes_nothing(app, client, world, login):
    login(world.other_organiser)
    before = db_state(app)
    response = client.get("/manage/events/new")
    assert response.status_code == 200
    assert 'name="title"' in page(response)
    assert db_state(app) == before


def test_post_without_csrf_token_is_refused_and_changes_nothing(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    response = client.post(f"/manage/events/{world.event.id}/sessions/{world.session.id}/delete")
    assert response.status_code == 400
    assert db_state(app) == before


def test_status_route_with_unknown_action_is_404(client, world, login):
    login(world.organiser)
    assert post_form(client, f"/manage/events/{world.event.id}/explode").status_code == 404
