"""Who may use the review desk: the event's organisers (and site admins). Organisers of another
event, company members and attendees get 404 and change nothing; anonymous visitors log in first."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.applications.helpers import db_state
from tests.conftest import post_form
from tests.review.helpers import WINDOW

# (method, path, data) — {e}: event A, {a}: company A's application to it. The data is valid, so the
# request would change something if the permission check were missing.
ROUTES = [
    ("GET", "/manage/events/{e}/applications/", None),
    ("GET", "/manage/events/{e}/applications/{a}", None),
    ("POST", "/manage/events/{e}/applications/{a}/decide", {"decision": "accepted", "note": "Yes"}),
    ("POST", "/manage/events/{e}/applications/bulk", {"application_ids": ["{a}"], "decision": "rejected"}),
    ("GET", "/manage/events/{e}/applications/export.csv", None),
]
ROUTE_IDS = ["desk", "detail", "decide", "bulk", "export"]


@pytest.fixture
def application(world, make_application):
    """Company A's application to event A."""
    return make_application(world.event, world.company, windows=WINDOW)


def _fill(value, world, application):
    if isinstance(value, str):
        return value.format(e=world.event.id, a=application.id)
    if isinstance(value, list):
        return [_fill(item, world, application) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, world, application) for key, item in value.items()}
    return value


def _request(client, method, path, data):
    return client.get(path) if method == "GET" else post_form(client, path, data)


@pytest.mark.parametrize(("method", "path", "data"), ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("who", ["other_organiser", "member", "outsider"])
def test_review_route_with_the_wrong_user_is_404_and_changes_nothing(
    app, client, login, world, application, method, path, data, who
):
    login(getattr(world, who))
    before = db_state(app)
    response = _request(client, method, _fill(path, world, application), _fill(data, world, application))
    assert response.status_code == 404
    assert db_state(app) == before


@pytest.mark.parametrize(("method", "path", "data"), ROUTES, ids=ROUTE_IDS)
def test_review_route_anonymous_is_sent_to_login(app, client, world, application, method, path, data):
    path = _fill(path, world, application)
    before = db_state(app)
    response = _request(client, method, path, _fill(data, world, application))
    location = urlsplit(response.headers.get("Location", ""))
    assert response.status_code == 302
    assert location.path == "/login"
    assert parse_qs(location.query)["next"][0].endswith(path)
    assert db_state(app) == before


@pytest.mark.parametrize(("method", "path", "data"), ROUTES[1:3], ids=ROUTE_IDS[1:3])
def test_review_route_with_another_events_application_is_404(
    app, client, login, world, make_application, method, path, data
):
    elsewhere = make_application(world.other_event, world.company, windows=WINDOW)
    login(world.organiser)  # organises event A, not B
    before = db_state(app)
    response = _request(client, method, _fill(path, world, elsewhere), _fill(data, world, elsewhere))
    assert response.status_code == 404
    assert db_state(app) == before


@pytest.mark.parametrize(("method", "path", "data"), ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("who", ["organiser", "admin"])
def test_review_route_for_organisers_and_admins(
    app, client, login, world, make_user, application, method, path, data, who
):
    user = world.organiser if who == "organiser" else make_user("root@example.org", is_admin=True)
    login(user)
    response = _request(client, method, _fill(path, world, application), _fill(data, world, application))
    assert response.status_code == (200 if method == "GET" else 302)


def test_unknown_event_is_404(client, login, world):
    login(world.organiser)
    assert client.get("/manage/events/999999/applications/").status_code == 404
