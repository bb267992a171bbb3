"""The subscription pages: the personal link (shown once, regenerated, turned off) and the event's
subscribe helpers (webcal://, Google Calendar, Outlook.com, the plain URL)."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from roadshow.enums import EventStatus
from roadshow.feeds.services import subscription_links
from tests.conftest import post_form

PERSONAL_URL = re.compile(r"https://roadshow\.test/calendar/([A-Za-z0-9_-]{43})\.ics")


def test_subscription_links_for_each_client():
    links = subscription_links("https://roadshow.test/events/a/calendar.ics?lang=zh", "中欧 Summit & Co")
    assert links.https == "https://roadshow.test/events/a/calendar.ics?lang=zh"
    assert links.webcal == "webcal://roadshow.test/events/a/calendar.ics?lang=zh"
    assert links.google == (
        "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Froadshow.test%2Fevents%2Fa%2Fcalendar.ics"
        "%3Flang%3Dzh"
    )
    assert links.outlook == (
        "https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2Froadshow.test%2Fevents%2Fa%2F"
        "calendar.ics%3Flang%3Dzh&name=" + quote("中欧 Summit & Co", safe="").replace("%20", "+")
    )


def test_subscriptions_page_needs_login(client):
    response = client.get("/account/calendar")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_subscriptions_page_without_a_link_offers_to_make_one(client, login, summit):
    login(summit.attendee)
    response = client.get("/account/calendar")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Calendar subscriptions" in page
    assert "You have no personal calendar link yet." in page
    assert "Make my personal calendar link" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_making_a_link_shows_it_once_with_every_subscribe_helper(app, client, login, summit):
    login(summit.attendee)
    response = post_form(client, "/account/calendar/new")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = html.unescape(response.get_data(as_text=True))
    token = PERSONAL_URL.search(page).group(1)
    https_url = f"https://roadshow.test/calendar/{token}.ics"
    links = subscription_links(https_url, "Roadshow")
    assert f'href="{links.webcal}"' in page
    assert f'href="{links.google}"' in page
    assert f'href="{links.outlook}"' in page
    assert f'value="{https_url}"' in page
    # The link works for a calendar app with no cookie …
    assert app.test_client(use_cookies=False).get(f"/calendar/{token}.ics").status_code == 200
    # … and is never shown again.
    again = html.unescape(client.get("/account/calendar").get_data(as_text=True))
    assert token not in again
    assert "For your safety it was shown only once" in again


def test_making_a_new_link_kills_the_old_one(app, client, login, summit):
    login(summit.member)
    first = PERSONAL_URL.search(
        html.unescape(post_form(client, "/account/calendar/new").get_data(as_text=True))
    )
    second = PERSONAL_URL.search(
        html.unescape(post_form(client, "/account/calendar/new").get_data(as_text=True))
    )
    feed_client = app.test_client(use_cookies=False)
    assert first.group(1) != second.group(1)
    assert feed_client.get(f"/calendar/{first.group(1)}.ics").status_code == 404
    assert feed_client.get(f"/calendar/{second.group(1)}.ics").status_code == 200


def test_turning_the_feed_off_kills_the_link(app, client, login, summit):
    login(summit.attendee)
    token = PERSONAL_URL.search(
        html.unescape(post_form(client, "/account/calendar/new").get_data(as_text=True))
    )
    response = post_form(client, "/account/calendar/stop", follow_redirects=True)
    assert "Your personal calendar feed is turned off; its link no longer works." in response.get_data(
        as_text=True
    )
    assert app.test_client(use_cookies=False).get(f"/calendar/{token.group(1)}.ics").status_code == 404


def test_making_a_link_needs_a_csrf_token(client, login, summit):
    login(summit.member)
    response = client.post(
        "/account/calendar/new", headers={"Referer": "https://roadshow.test/account/calendar"}
    )
    assert response.status_code == 400


def test_event_subscribe_page_has_helpers_for_both_languages(client, summit):
    response = client.get("/events/eu-china-2026/subscribe")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    english = subscription_links(
        "https://roadshow.test/events/eu-china-2026/calendar.ics", "EU–China Innovation Summit"
    )
    chinese = subscription_links(
        "https://roadshow.test/events/eu-china-2026/calendar.ics?lang=zh", "中欧创新峰会"
    )
    for links in (english, chinese):
        assert f'href="{links.webcal}"' in page
        assert f'href="{links.google}"' in page
        assert f'href="{links.outlook}"' in page
        assert f'value="{links.https}"' in page
    assert '<link rel="alternate" type="text/calendar"' in page


def test_event_subscribe_page_of_a_draft_is_404(client, make_event):
    make_event(slug="hidden-draft", status=EventStatus.DRAFT)
    assert client.get("/events/hidden-draft/subscribe").status_code == 404
