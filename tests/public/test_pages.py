"""Public pages: home, event pages, drafts hidden, two clocks, the language switcher."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from roadshow.enums import EventStatus, SessionKind, SessionStatus
from roadshow.i18n import LANGUAGE_COOKIE, TIMEZONE_COOKIE
from tests.conftest import post_form

NNBSP = "\u202f"  # Babel writes a narrow no-break space before AM/PM


def _published(make_event, **columns):
    columns.setdefault("status", EventStatus.PUBLISHED)
    columns.setdefault("start_date", date(2099, 5, 4))
    columns.setdefault("end_date", date(2099, 5, 5))
    return make_event(**columns)


def test_home_lists_published_upcoming_events_only(client, make_event):
    upcoming = _published(make_event, title="Upcoming summit")
    _published(make_event, title="Past summit", start_date=date(2020, 1, 1), end_date=date(2020, 1, 2))
    make_event(title="Draft summit", start_date=date(2099, 1, 1), end_date=date(2099, 1, 2))
    _published(make_event, title="Cancelled summit", status=EventStatus.CANCELLED)

    html = client.get("/").get_data(as_text=True).replace(NNBSP, " ")

    assert "Upcoming summit" in html
    assert f'href="/events/{upcoming.slug}"' in html
    assert "Past summit" not in html
    assert "Draft summit" not in html
    assert "Cancelled summit" not in html


def test_home_orders_events_by_start_date(client, make_event):
    _published(make_event, title="Later one", start_date=date(2099, 9, 1), end_date=date(2099, 9, 1))
    _published(make_event, title="Sooner one", start_date=date(2099, 3, 1), end_date=date(2099, 3, 1))
    html = client.get("/").get_data(as_text=True).replace(NNBSP, " ")
    assert html.index("Sooner one") < html.index("Later one")


def test_event_page_links_its_calendar_feed(client, make_event):
    event = _published(make_event)
    html = client.get(f"/events/{event.slug}").get_data(as_text=True).replace(NNBSP, " ")
    assert re.search(
        rf'<link rel="alternate" type="text/calendar"[^>]*href="/events/{event.slug}/calendar.ics"', html
    )


def test_unknown_event_is_404(client):
    response = client.get("/events/no-such-event")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True).replace(NNBSP, " ")


def test_draft_event_is_404_to_anonymous_and_other_users(client, make_event, make_user, login):
    organiser = make_user()
    draft = make_event(organiser=organiser)
    assert client.get(f"/events/{draft.slug}").status_code == 404
    login(make_user())
    assert client.get(f"/events/{draft.slug}").status_code == 404


def test_draft_event_is_visible_to_its_organiser(client, make_event, make_user, login):
    organiser = make_user()
    draft = make_event(organiser=organiser, title="Secret draft")
    login(organiser)
    response = client.get(f"/events/{draft.slug}")
    assert response.status_code == 200
    assert "Secret draft" in response.get_data(as_text=True).replace(NNBSP, " ")


def test_programme_is_grouped_by_local_day_in_event_zone(client, make_event, make_session):
    event = _published(
        make_event, timezone="Asia/Shanghai", start_date=date(2026, 12, 1), end_date=date(2026, 12, 2)
    )
    # 23:30 UTC on 1 Dec is 07:30 on 2 Dec in Shanghai: it belongs to the second day.
    make_session(event, starts_at=datetime(2026, 12, 1, 2, 0, tzinfo=UTC), title="Day one talk")
    make_session(event, starts_at=datetime(2026, 12, 1, 23, 30, tzinfo=UTC), title="Day two talk")
    html = client.get(f"/events/{event.slug}").get_data(as_text=True).replace(NNBSP, " ")
    day_two = html.index("Wednesday, December 2, 2026")
    assert html.index("Tuesday, December 1, 2026") < html.index("Day one talk") < day_two
    assert day_two < html.index("Day two talk")
    assert "7:30 AM" in html


def test_event_page_shows_viewer_zone_beside_event_zone(client, make_event, make_session):
    event = _published(
        make_event, timezone="Europe/Brussels", start_date=date(2026, 12, 1), end_date=date(2026, 12, 1)
    )
    make_session(event, starts_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC), minutes=90)
    client.set_cookie(TIMEZONE_COOKIE, "Asia/Shanghai", domain="roadshow.test")
    html = client.get(f"/events/{event.slug}").get_data(as_text=True).replace(NNBSP, " ")
    assert "9:00 AM" in html and "10:30 AM" in html  # Brussels, UTC+1
    assert "Europe/Brussels, UTC+01:00" in html
    assert "4:00 PM" in html and "5:30 PM" in html  # Shanghai, UTC+8
    assert "Asia/Shanghai, UTC+08:00" in html


def test_event_page_names_the_zone_only_once_when_viewer_shares_it(client, make_event, make_session):
    event = _published(
        make_event, timezone="Europe/Brussels", start_date=date(2026, 12, 1), end_date=date(2026, 12, 1)
    )
    make_session(event, starts_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    client.set_cookie(TIMEZONE_COOKIE, "Europe/Brussels", domain="roadshow.test")
    html = client.get(f"/events/{event.slug}").get_data(as_text=True).replace(NNBSP, " ")
    assert "event-clock" not in html


def test_invalid_browser_zone_is_ignored(client, make_event, make_session):
    event = _published(make_event, start_date=date(2026, 12, 1), end_date=date(2026, 12, 1))
    make_session(event, starts_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    client.set_cookie(TIMEZONE_COOKIE, "Not/AZone", domain="roadshow.test")
    response = client.get(f"/events/{event.slug}")
    assert response.status_code == 200
    assert "event-clock" not in response.get_data(as_text=True).replace(NNBSP, " ")


def test_same_local_time_across_october_dst_change(client, make_event, make_session):
    event = _published(
        make_event, timezone="Europe/Brussels", start_date=date(2026, 10, 24), end_date=date(2026, 10, 26)
    )
    # 10:00 Brussels: 08:00 UTC in summer time (24 Oct), 09:00 UTC in winter time (26 Oct).
    make_session(event, starts_at=datetime(2026, 10, 24, 8, 0, tzinfo=UTC), title="Summer-time talk")
    make_session(event, starts_at=datetime(2026, 10, 26, 9, 0, tzinfo=UTC), title="Winter-time talk")
    client.set_cookie(TIMEZONE_COOKIE, "Asia/Shanghai", domain="roadshow.test")
    html = client.get(f"/events/{event.slug}").get_data(as_text=True).replace(NNBSP, " ")
    assert html.count("10:00 AM") == 2
    assert "Europe/Brussels, UTC+02:00" in html and "Europe/Brussels, UTC+01:00" in html
    assert "4:00 PM" in html and "5:00 PM" in html  # Shanghai keeps UTC+8


def test_cancelled_session_is_marked(client, make_event, make_session):
    event = _published(make_event, start_date=date(2026, 12, 1), end_date=date(2026, 12, 1))
    make_session(event, kind=SessionKind.PANEL, title="Dropped panel", status=SessionStatus.CANCELLED)
    html = client.get(f"/events/{event.slug}").get_data(as_text=True).replace(NNBSP, " ")
    assert re.search(r"Dropped panel\s*<span class=\"badge badge-cancelled\">Cancelled</span>", html)


def test_user_text_is_escaped(client, make_event, make_session):
    event = _published(
        make_event,
        title="<script>alert(1)</script>",
        start_date=date(2026, 12, 1),
        end_date=date(2026, 12, 1),
    )
    make_session(event, title='<img src=x onerror="alert(2)">')
    html = client.get(f"/events/{event.slug}").get_data(as_text=True).replace(NNBSP, " ")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_chinese_reader_gets_chinese_title_with_fallback(client, make_event, make_session):
    event = _published(
        make_event,
        title="EU–China Roadshow",
        title_zh="中欧路演",
        start_date=date(2026, 12, 1),
        end_date=date(2026, 12, 1),
    )
    make_session(event, title="Opening", title_zh=None)
    html = (
        client.get(f"/events/{event.slug}", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        .get_data(as_text=True)
        .replace(NNBSP, " ")
    )
    assert "中欧路演" in html
    assert "Opening" in html  # no Chinese title: the English one is shown


@pytest.mark.parametrize(
    "evil", ["//evil.com", "http://evil.com/", "/\\evil.com", "javascript:alert(1)", "/ok\r\nX: y"]
)
def test_language_switch_sets_cookie_and_never_redirects_off_site(client, evil):
    response = post_form(client, "/language", {"language": "zh", "next": evil})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert f"{LANGUAGE_COOKIE}=zh" in response.headers["Set-Cookie"]


def test_language_switch_returns_to_local_page(client):
    response = post_form(client, "/language", {"language": "en", "next": "/events/x?y=1"})
    assert response.headers["Location"] == "/events/x?y=1"


def test_language_switch_refuses_unknown_language(client):
    response = post_form(client, "/language", {"language": "xx", "next": "/"})
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers or LANGUAGE_COOKIE not in response.headers["Set-Cookie"]


def test_language_switch_without_csrf_token_is_refused(client):
    response = client.post("/language", data={"language": "zh", "next": "/"})
    assert response.status_code == 400
    assert LANGUAGE_COOKIE not in response.headers.get("Set-Cookie", "")


def test_visitors_language_link_sets_the_cookie_and_returns(client):
    response = client.get("/language/zh", query_string={"next": "/events/x?y=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/events/x?y=1"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=zh;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/").get_data(as_text=True).startswith('<!doctype html>\n<html lang="zh-Hans">')


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"]
)
def test_visitors_language_link_never_leaves_the_site(client, evil):
    response = client.get("/language/en", query_string={"next": evil})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/") and not response.headers["Location"].startswith("//")


def test_visitors_language_link_refuses_unknown_languages(client):
    response = client.get("/language/xx")
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers


def test_signed_in_readers_switch_language_with_a_form_visitors_with_links(client, login, make_user):
    visitor = client.get("/").get_data(as_text=True)
    assert 'href="/language/zh?next=/"' in visitor and 'name="csrf_token"' not in visitor
    login(make_user("reader@example.org"))
    reader = client.get("/").get_data(as_text=True)
    assert 'action="/language"' in reader and 'name="csrf_token"' in reader
