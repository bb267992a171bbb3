"""Remembering the browser's zone (POST /timezone → the ``tz`` cookie) and previewing another zone
with ``?tz=Area/City``: unknown names are refused with a clear 400, never silently ignored."""

from __future__ import annotations

import json

import pytest

from tests.attendees.conftest import NNBSP, logged_in_client, page, star
from tests.conftest import post_form

UNKNOWN_MARS = (
    "“Mars/Olympus” is not a time zone we know. Use an IANA name such as Europe/Brussels or Asia/Shanghai."
)
FETCH = {"X-Requested-With": "fetch", "Accept": "application/json"}


def test_remember_timezone_from_a_script_sets_the_cookie_and_answers_204(client, summit):
    response = post_form(client, "/timezone", {"timezone": "Asia/Shanghai"}, headers=FETCH)
    assert response.status_code == 204
    assert response.get_data() == b""
    cookie = client.get_cookie("tz", domain="roadshow.test")
    assert cookie is not None
    assert (cookie.value, cookie.max_age, cookie.same_site) == ("Asia/Shanghai", 365 * 24 * 3600, "Lax")


def test_remembered_timezone_shows_on_the_public_event_page(client, summit):
    before = page(client.get("/events/summit"))
    assert "Times are also shown in your time zone" not in before
    post_form(client, "/timezone", {"timezone": "Asia/Shanghai"}, headers=FETCH)
    html = page(client.get("/events/summit"))
    assert "Times are also shown in your time zone, Asia/Shanghai." in html
    assert "Asia/Shanghai, UTC+08:00" in html


def test_remember_timezone_from_a_form_redirects_to_a_safe_next_page(client, summit):
    response = post_form(client, "/timezone", {"timezone": "Europe/Helsinki", "next": "/events/summit"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/events/summit"
    assert client.get_cookie("tz", domain="roadshow.test").value == "Europe/Helsinki"
    response = post_form(client, "/timezone", {"timezone": "Europe/Helsinki", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("name", ["Mars/Olympus", "Europe/Brussel", "../../etc/passwd", "europe/brussels"])
def test_remember_an_unknown_timezone_is_400_with_a_message_and_no_cookie(client, summit, name):
    response = post_form(client, "/timezone", {"timezone": name})
    assert response.status_code == 400
    assert "is not a time zone we know. Use an IANA name such as Europe/Brussels or Asia/Shanghai." in page(
        response
    )
    assert client.get_cookie("tz", domain="roadshow.test") is None


def test_remember_an_unknown_timezone_answers_json_to_scripts(client, summit):
    response = post_form(client, "/timezone", {"timezone": "Mars/Olympus"}, headers=FETCH)
    assert response.status_code == 400
    assert json.loads(response.get_data(as_text=True)) == {
        "error": "Bad request",
        "message": UNKNOWN_MARS,
        "status": 400,
    }


def test_remember_timezone_without_a_name_is_400(client, summit):
    response = post_form(client, "/timezone", {})
    assert response.status_code == 400
    assert "Send the name of a time zone, such as Europe/Brussels." in page(response)


def test_remember_timezone_without_csrf_token_is_refused(client, summit):
    response = client.post("/timezone", data={"timezone": "Asia/Shanghai"}, headers=FETCH)
    assert response.status_code == 400
    assert client.get_cookie("tz", domain="roadshow.test") is None


def test_remember_timezone_is_post_only(client):
    assert client.get("/timezone").status_code == 405


def test_preview_an_unknown_zone_on_the_event_page_is_400_with_a_message(client, summit):
    response = client.get("/events/summit?tz=Mars/Olympus")
    assert response.status_code == 400
    assert UNKNOWN_MARS in page(response)


def test_preview_an_empty_zone_on_the_event_page_is_400(client, summit):
    assert client.get("/events/summit?tz=").status_code == 400


def test_preview_a_known_zone_on_the_event_page_is_200(client, summit):
    response = client.get("/events/summit?tz=Asia/Shanghai")
    assert response.status_code == 200


def test_preview_a_known_zone_on_the_event_page_shows_times_in_it(client, summit):
    html = page(client.get("/events/summit?tz=Asia/Shanghai"))
    assert "Asia/Shanghai, UTC+08:00" in html
    assert f"4:00{NNBSP}PM" in html


def test_preview_parameter_on_other_pages_is_left_alone(client, summit):
    assert client.get("/?tz=Mars/Olympus").status_code == 200


def test_preview_on_the_agenda_shows_times_in_the_asked_zone(
    app, login, make_user, make_registration, summit
):
    viewer = make_user(timezone="Europe/Brussels")
    registration = make_registration(summit.event, viewer)
    star(app, registration.id, sessions=(summit.keynote.id,))
    html = page(logged_in_client(app, login, viewer).get("/my/agenda?tz=America/New_York"))
    assert "Times are shown in America/New_York (Eastern Time), as you asked." in html
    assert f'<time datetime="2030-12-01T08:00:00+00:00">3:00{NNBSP}AM</time>' in html
    assert "America/New_York, UTC-05:00" in html
    assert "Europe/Brussels, UTC+01:00" in html  # the event's own clock beside


def test_preview_an_unknown_zone_on_the_agenda_is_400(app, login, make_user, summit):
    response = logged_in_client(app, login, make_user()).get("/my/agenda?tz=Nowhere/Atall")
    assert response.status_code == 400
    assert "“Nowhere/Atall” is not a time zone we know." in page(response)


def test_registration_page_links_to_the_events_own_zone(app, login, make_user, summit):
    html = page(
        logged_in_client(app, login, make_user(timezone="Asia/Shanghai")).get("/events/summit/register")
    )
    assert 'href="/events/summit/register?tz=Europe/Brussels"' in html
    assert "Times are shown in your time zone, Asia/Shanghai (China Time)." in html


def test_timezone_script_is_served_by_the_app(client):
    response = client.get("/static/js/timezone.js")
    assert response.status_code == 200
    assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in response.get_data(as_text=True)
