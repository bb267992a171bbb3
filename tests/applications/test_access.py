"""Who may use which company-side route: members of the company; anyone else gets 404 and changes nothing.

The event's organisers may see the application and its deck (to review it) but not change it.
Anonymous visitors are sent to the log-in page.
"""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from roadshow.models import PitchApplication
from tests.applications.helpers import PDF, application_form, db_state
from tests.conftest import fetch, post_form


def _routes(world):
    edit = application_form(world, title="Hijacked")
    edit.pop("organisation")
    return [
        ("GET", "/applications/{a}", None),
        ("GET", "/applications/{a}/edit", None),
        ("POST", "/applications/{a}/edit", edit),
        ("GET", "/applications/{a}/withdraw", None),
        ("POST", "/applications/{a}/withdraw", {}),
        ("GET", "/applications/{a}/deck", None),
    ]


ROUTE_IDS = ["detail", "edit-get", "edit-post", "withdraw-get", "withdraw-post", "deck"]
ORGANISER_MAY = {"detail", "deck"}


@pytest.fixture
def application(app, login, world):
    """Company A's application with a deck, applied through the form (in a browser of its own)."""
    applicant = app.test_client()
    login(world.member, on=applicant)
    response = post_form(
        applicant,
        "/applications/new?event=roadshow-a",
        {**application_form(world), "deck": (io.BytesIO(PDF), "deck.pdf")},
    )
    assert response.status_code == 302
    return fetch(app, sa.select(PitchApplication))[0]


def _request(client, method, path, data):
    response = client.get(path) if method == "GET" else post_form(client, path, data)
    response.close()  # a served file stays open until its response is closed
    return response


WRONG_USERS = [
    pytest.param(who, index, id=f"{who}-{ROUTE_IDS[index]}")
    for who in ("other_member", "other_organiser", "outsider", "organiser")
    for index in range(len(ROUTE_IDS))
    if not (who == "organiser" and ROUTE_IDS[index] in ORGANISER_MAY)
]


@pytest.mark.parametrize(("who", "index"), WRONG_USERS)
def test_application_route_with_the_wrong_user_is_404_and_changes_nothing(
    app, client, login, world, application, who, index
):
    method, template, data = _routes(world)[index]
    login(getattr(world, who))
    before = db_state(app)
    response = _request(client, method, template.format(a=application.id), data)
    assert response.status_code == 404
    assert db_state(app) == before


@pytest.mark.parametrize("index", range(6), ids=ROUTE_IDS)
def test_application_route_anonymous_is_sent_to_login(app, client, world, application, index):
    method, template, data = _routes(world)[index]
    path = template.format(a=application.id)
    before = db_state(app)
    response = _request(client, method, path, data)
    location = urlsplit(response.headers.get("Location", ""))
    assert response.status_code == 302
    assert location.path == "/login"
    assert parse_qs(location.query)["next"][0].endswith(path)
    assert db_state(app) == before


@pytest.mark.parametrize("who", ["member", "colleague", "organiser"])
def test_application_detail_and_deck_for_the_right_users(client, login, world, application, who):
    login(getattr(world, who))
    assert client.get(f"/applications/{application.id}").status_code == 200
    with client.get(f"/applications/{application.id}/deck") as response:
        assert response.status_code == 200


def test_organiser_sees_no_edit_or_withdraw_links(client, login, world, application):
    login(world.organiser)
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert f"/applications/{application.id}/edit" not in html
    assert f"/applications/{application.id}/withdraw" not in html


def test_unknown_application_is_404(client, login, world):
    login(world.member)
    assert client.get("/applications/999999").status_code == 404
    assert client.get("/applications/999999/deck").status_code == 404


def test_my_applications_page_needs_a_log_in(client):
    response = client.get("/applications/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
