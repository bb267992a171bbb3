"""The page cache of public pages: what is shared, with whom, and that it never shows stale content."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa
from flask import Flask, template_rendered
from flask.testing import FlaskClient

from roadshow.enums import EventKind, EventStatus, SessionKind
from roadshow.events import services as events
from roadshow.extensions import db
from roadshow.i18n import LANGUAGE_COOKIE, TIMEZONE_COOKIE
from roadshow.models import Event, ProgrammeSession, User
from roadshow.public.page_cache import page_cache
from tests.conftest import CSRF_RE, recorded_statements

NNBSP = "\u202f"  # Babel writes a narrow no-break space before AM/PM
HOST = "roadshow.test"


def _published(make_event, organiser=None, **columns) -> Event:
    columns.setdefault("status", EventStatus.PUBLISHED)
    columns.setdefault("start_date", date(2026, 12, 1))
    columns.setdefault("end_date", date(2026, 12, 2))
    return make_event(organiser=organiser, **columns)


def _text(response) -> str:
    return response.get_data(as_text=True).replace(NNBSP, " ")


@contextmanager
def _rendered_templates(app: Flask) -> Iterator[list[str]]:
    """Names of the templates rendered inside the block (none on a cache hit)."""
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    with template_rendered.connected_to(record, app):
        yield names


def _signed_in(app: Flask, login, user: User) -> FlaskClient:
    client = app.test_client()
    login(user, on=client)
    return client


def _change(app: Flask, organiser: User, event: Event, change: Callable[..., object]) -> None:
    """Run *change*(actor, event, first session) as the organiser, through the events services, and commit."""
    with app.app_context():
        actor = db.session.get(User, organiser.id)
        row = db.session.get(Event, event.id)
        session = db.session.scalars(
            sa.select(ProgrammeSession)
            .where(ProgrammeSession.event_id == event.id)
            .order_by(ProgrammeSession.id)
        ).first()
        change(actor, row, session)
        db.session.commit()


def _event_details(event: Event, **changes) -> events.EventDetails:
    values = {
        "kind": event.kind,
        "title": event.title,
        "timezone": event.timezone,
        "start_date": event.start_date,
        "end_date": event.end_date,
        "title_zh": event.title_zh,
        "description": event.description or "",
        "description_zh": event.description_zh,
        "slug": event.slug,
        "join_url": event.join_url,
        "contact_email": event.contact_email,
        "capacity": event.capacity,
    }
    return events.EventDetails(**{**values, **changes})


def _session_details(session: ProgrammeSession, **changes) -> events.SessionDetails:
    values = {
        "kind": session.kind,
        "title": session.title,
        "day": date(2026, 12, 1),
        "start_time": time(9, 0),
        "end_time": time(10, 0),
        "description": session.description or "",
        "track": session.track or "",
    }
    return events.SessionDetails(**{**values, **changes})


# --- Anonymous visitors share one page ----------------------------------------------------------------------


def test_cached_page_is_byte_identical_to_a_fresh_render(app, client, make_event, make_session):
    event = _published(make_event, description="First paragraph.\n\nSecond one.")
    make_session(event, title="Opening keynote", description="Welcome words.")
    fresh = client.get(f"/events/{event.slug}")
    with _rendered_templates(app) as rendered:
        cached = client.get(f"/events/{event.slug}")
    assert rendered == []  # served from the cache
    page_cache(app).clear()
    with _rendered_templates(app) as rendered:
        again = client.get(f"/events/{event.slug}")
    assert "public/event.html" in rendered
    assert fresh.status_code == cached.status_code == again.status_code == 200
    assert cached.get_data() == fresh.get_data() == again.get_data()
    assert "Opening keynote" in _text(cached)
    for name in ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "Vary", "Referrer-Policy"):
        assert cached.headers.get(name) == fresh.headers.get(name), name
    assert "Cookie" in cached.headers["Vary"]


def test_visitors_pages_hold_no_token_and_start_no_session(app, make_event, make_session):
    event = _published(make_event)
    make_session(event)
    first, second = app.test_client(), app.test_client()
    first_page = first.get(f"/events/{event.slug}")
    with _rendered_templates(app) as rendered:
        second_page = second.get(f"/events/{event.slug}")
    assert rendered == []
    for page in (first_page, second_page):
        assert CSRF_RE.search(_text(page)) is None
        assert "Set-Cookie" not in page.headers
    # Their language switcher is a link, which works without a session and brings them back.
    response = second.get(f"/language/zh?next=/events/{event.slug}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/events/{event.slug}"
    assert 'lang="zh-Hans"' in _text(second.get(f"/events/{event.slug}"))


def test_a_page_that_asked_for_a_token_is_never_shared(app, client, make_event, make_session, monkeypatch):
    event = _published(make_event)
    make_session(event)
    from flask import g

    from roadshow.public import page_cache as module

    render = module._render_programme

    def render_with_token(event):  # as if the page held a form for visitors
        g.csrf_token = "a-visitors-own-token"
        return render(event)

    monkeypatch.setattr(module, "_render_programme", render_with_token)
    client.get(f"/events/{event.slug}")
    assert len(page_cache(app)) == 1  # the programme fragment only, not the page around it


def test_language_switcher_returns_to_the_url_of_each_cached_page(client, make_event, make_session):
    event = _published(make_event)
    make_session(event)
    client.get(f"/events/{event.slug}")
    client.get(f"/events/{event.slug}?tz=Asia/Tokyo")
    plain = _text(client.get(f"/events/{event.slug}"))
    preview = _text(client.get(f"/events/{event.slug}?tz=Asia/Tokyo"))
    assert f'href="/language/zh?next=/events/{event.slug}"' in plain
    assert f'href="/language/zh?next=/events/{event.slug}?tz%3DAsia/Tokyo"' in preview


def test_languages_zones_and_previews_each_get_their_own_page(app, make_event, make_session):
    event = _published(make_event, title="Summit", title_zh="峰会")
    make_session(event, starts_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC), title="Talk", title_zh="演讲")
    readers = {
        "english": ({}, ""),
        "chinese": ({"headers": {"Accept-Language": "zh-CN"}}, ""),
        "tokyo preview": ({}, "?tz=Asia/Tokyo"),
        "new york preview": ({}, "?tz=America/New_York"),
    }
    zone_cookie = app.test_client()
    zone_cookie.set_cookie(TIMEZONE_COOKIE, "Asia/Shanghai", domain=HOST)
    for _ in range(2):  # the second round comes from the cache
        pages = {
            name: _text(app.test_client().get(f"/events/{event.slug}{query}", **options))
            for name, (options, query) in readers.items()
        }
        pages["shanghai cookie"] = _text(zone_cookie.get(f"/events/{event.slug}"))
        assert "峰会" in pages["chinese"] and "演讲" in pages["chinese"]
        assert "峰会" not in pages["english"] and "Talk" in pages["english"]
        assert "Asia/Tokyo, UTC+09:00" in pages["tokyo preview"]
        assert "America/New_York, UTC-05:00" in pages["new york preview"]
        assert "Asia/Shanghai, UTC+08:00" in pages["shanghai cookie"]
        assert "Asia/Tokyo" not in pages["new york preview"] + pages["english"] + pages["shanghai cookie"]
        assert "data-timezone-sensitive" in pages["english"]
        assert "data-timezone-sensitive" not in pages["tokyo preview"]
    language_cookie = app.test_client()
    language_cookie.set_cookie(LANGUAGE_COOKIE, "zh", domain=HOST)
    assert "峰会" in _text(language_cookie.get(f"/events/{event.slug}"))


def test_other_query_arguments_are_served_but_not_stored(app, client, make_event, make_session):
    event = _published(make_event)
    make_session(event, title="Opening keynote")
    client.get(f"/events/{event.slug}")
    stored = len(page_cache(app))
    for click in range(3):
        response = client.get(f"/events/{event.slug}?utm_source=mail&click={click}")
        assert "Opening keynote" in _text(response)
        assert f'next=/events/{event.slug}?utm_source%3Dmail%26click%3D{click}"' in _text(response)
    assert len(page_cache(app)) == stored


def test_flashes_reach_their_owner_only_and_are_never_stored(app, make_event, make_session):
    event = _published(make_event)
    make_session(event)
    owner, stranger = app.test_client(), app.test_client()
    for warm_first in (False, True):
        page_cache(app).clear()
        if warm_first:
            stranger.get(f"/events/{event.slug}")
        with owner.session_transaction() as session:
            session["_flashes"] = [("info", "A note for you alone")]
        assert "A note for you alone" in _text(owner.get(f"/events/{event.slug}"))
        assert "A note for you alone" not in _text(owner.get(f"/events/{event.slug}"))  # shown once
        assert "A note for you alone" not in _text(stranger.get(f"/events/{event.slug}"))
        assert "A note for you alone" not in _text(app.test_client().get(f"/events/{event.slug}"))


# --- Signed-in readers get their own page around the cached programme ---------------------------------------


def test_signed_in_navigation_never_reaches_anonymous_visitors_and_back(
    app, client, make_event, make_session, make_user, login
):
    event = _published(make_event)
    make_session(event, title="Opening keynote")
    reader = _signed_in(app, login, make_user(name="Reader Ruth", timezone="Europe/Brussels", locale="en"))
    client.set_cookie(TIMEZONE_COOKIE, "Europe/Brussels", domain=HOST)  # only signing in tells them apart
    for first, second in ((reader, client), (client, reader)):
        page_cache(app).clear()
        first.get(f"/events/{event.slug}")
        second.get(f"/events/{event.slug}")
        signed_in, anonymous = (
            _text(reader.get(f"/events/{event.slug}")),
            _text(client.get(f"/events/{event.slug}")),
        )
        assert "Reader Ruth" in signed_in and "Log out" in signed_in and "Log in" not in signed_in
        assert "Reader Ruth" not in anonymous and "Log out" not in anonymous and "Log in" in anonymous
        assert "Opening keynote" in signed_in and "Opening keynote" in anonymous


def test_signed_in_page_reuses_the_programme_and_queries_do_not_grow_with_sessions(
    app, make_event, make_session, make_user, login
):
    reader = _signed_in(app, login, make_user())
    counts = {}
    for size in (1, 4):
        event = _published(make_event)
        for index in range(size):
            make_session(
                event, starts_at=datetime(2026, 12, 1, 8 + index, 0, tzinfo=UTC), title=f"Talk {index}"
            )
        with recorded_statements(app) as cold:
            reader.get(f"/events/{event.slug}")
        with recorded_statements(app) as warm, _rendered_templates(app) as rendered:
            html = _text(reader.get(f"/events/{event.slug}"))
        assert all(f"Talk {index}" in html for index in range(size))
        assert "public/_programme.html" not in rendered  # the programme came from the cache
        assert len(warm) < len(cold)
        counts[size] = len(warm)
    assert counts[1] == counts[4]


# --- Changes show at once -----------------------------------------------------------------------------------


CHANGES = {
    "session added": (
        lambda actor, event, session: events.add_session(
            actor,
            event,
            events.SessionDetails(
                kind=SessionKind.PANEL,
                title="Added panel",
                day=date(2026, 12, 2),
                start_time=time(10),
                end_time=time(11),
            ),
        ),
        ["Added panel", "Opening keynote"],
        [],
    ),
    "session edited": (
        lambda actor, event, session: events.update_session(
            actor, event, session, _session_details(session, title="Renamed keynote", description="New words")
        ),
        ["Renamed keynote", "New words"],
        ["Opening keynote"],
    ),
    "session moved": (
        lambda actor, event, session: events.move_session(
            actor, event, session, date(2026, 12, 2), time(14), ""
        ),
        ["2:00 PM", "Wednesday, December 2, 2026"],
        ["9:00 AM"],
    ),
    "session cancelled": (
        lambda actor, event, session: events.cancel_session(actor, event, session),
        ['<span class="badge badge-cancelled">Cancelled</span>'],
        [],
    ),
    "session deleted": (
        lambda actor, event, session: events.delete_session(actor, event, session),
        ["The programme has not been published yet."],
        ["Opening keynote"],
    ),
    "event title and description edited": (
        lambda actor, event, session: events.update_event(
            actor, event, _event_details(event, title="Renamed summit", description="Fresh description")
        ),
        ["Renamed summit", "Fresh description"],
        ["Original summit", "Old description"],
    ),
    "event dates edited": (
        lambda actor, event, session: events.update_event(
            actor, event, _event_details(event, end_date=date(2026, 12, 3))
        ),
        ["December 3, 2026"],
        ["December 2, 2026"],
    ),
    "event kind edited": (
        lambda actor, event, session: events.update_event(
            actor, event, _event_details(event, kind=EventKind.ROADSHOW)
        ),
        ["Project roadshow", "Apply to pitch"],
        ["Online summit"],
    ),
    "event time zone edited": (
        lambda actor, event, session: events.update_event(
            actor, event, _event_details(event, timezone="Europe/Lisbon")
        ),
        ["Europe/Lisbon", "8:00 AM"],
        ["9:00 AM</time>–", "9:00 AM–10:00 AM", "Europe/Brussels"],
    ),
    "event cancelled": (
        lambda actor, event, session: events.change_event_status(actor, event, "cancel"),
        ["This event has been cancelled."],
        ["Register</a>"],
    ),
    "event archived": (
        lambda actor, event, session: events.change_event_status(actor, event, "archive"),
        ['<span class="badge badge-archived">Archived</span>'],
        ["Register</a>"],
    ),
}


@pytest.mark.parametrize("name", CHANGES)
def test_every_change_shows_at_once_to_anonymous_and_signed_in_readers(
    app, client, make_event, make_session, make_user, login, name
):
    change, shown, gone = CHANGES[name]
    organiser = make_user()
    event = _published(
        make_event, organiser=organiser, title="Original summit", description="Old description"
    )
    make_session(event, starts_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC), title="Opening keynote")
    reader = _signed_in(app, login, make_user(timezone="Asia/Shanghai"))  # sees both clocks
    url = f"/events/{event.slug}"
    for visitor in (client, client, reader, reader):  # warm both caches
        assert visitor.get(url).status_code == 200
    assert "9:00 AM</time>–" in _text(client.get(url)) and "Online summit" in _text(client.get(url))

    _change(app, organiser, event, change)

    for visitor in (client, reader):
        for _ in range(2):  # the fresh render, then the cached one
            html = _text(visitor.get(url))
            assert [text for text in shown if text not in html] == []
            assert [text for text in gone if text in html] == []


def test_unpublished_event_disappears_and_published_one_appears(
    app, client, make_event, make_session, make_user
):
    organiser = make_user()
    event = _published(make_event, organiser=organiser)
    make_session(event, title="Opening keynote")
    client.get(f"/events/{event.slug}")
    assert client.get(f"/events/{event.slug}").status_code == 200

    _change(
        app, organiser, event, lambda actor, row, session: events.change_event_status(actor, row, "unpublish")
    )
    assert client.get(f"/events/{event.slug}").status_code == 404

    _change(
        app, organiser, event, lambda actor, row, session: events.change_event_status(actor, row, "publish")
    )
    assert "Opening keynote" in _text(client.get(f"/events/{event.slug}"))


# --- Drafts and queries --------------------------------------------------------------------------------


def test_drafts_are_never_cached(app, client, make_event, make_session, make_user, login):
    organiser = make_user()
    draft = make_event(organiser=organiser, title="Secret draft")
    make_session(draft, title="Draft keynote")
    login(organiser)
    kept = len(page_cache(app))  # signing in visited the home page
    for _ in range(2):
        assert "Draft keynote" in _text(client.get(f"/events/{draft.slug}"))
    assert len(page_cache(app)) == kept
    with app.app_context():  # a change no service makes (so no version rises): still seen at once
        db.session.execute(
            sa.update(ProgrammeSession)
            .where(ProgrammeSession.event_id == draft.id)
            .values(title="Edited keynote")
        )
        db.session.commit()
    assert "Edited keynote" in _text(client.get(f"/events/{draft.slug}"))
    assert app.test_client().get(f"/events/{draft.slug}").status_code == 404


def test_cache_hit_for_anonymous_visitor_runs_no_query(app, client, make_event, make_session):
    event = _published(make_event)
    make_session(event, title="Opening keynote")
    ttl = app.config["FEED_HEAD_TTL"]
    app.config["FEED_HEAD_TTL"] = 60.0
    try:
        client.get(f"/events/{event.slug}")
        client.get(f"/events/{event.slug}")
        with recorded_statements(app) as statements:
            response = client.get(f"/events/{event.slug}")
        assert response.status_code == 200 and "Opening keynote" in _text(response)
        assert statements == []
    finally:
        app.config["FEED_HEAD_TTL"] = ttl


# --- The home page -------------------------------------------------------------------------------------


def test_home_page_is_shared_by_anonymous_visitors_and_follows_every_change(
    app, client, make_event, make_user, login
):
    organiser = make_user()
    first = _published(
        make_event,
        organiser=organiser,
        title="First summit",
        start_date=date(2099, 1, 1),
        end_date=date(2099, 1, 2),
    )
    assert "First summit" in _text(client.get("/"))
    with _rendered_templates(app) as rendered, recorded_statements(app) as statements:
        assert "First summit" in _text(app.test_client().get("/"))
    assert rendered == [] and len(statements) == 1  # the list's fingerprint

    second = _published(
        make_event, title="Second summit", start_date=date(2099, 2, 1), end_date=date(2099, 2, 2)
    )
    assert "Second summit" in _text(client.get("/"))
    _change(
        app,
        organiser,
        first,
        lambda actor, row, session: events.update_event(
            actor, row, _event_details(row, title="Renamed summit")
        ),
    )
    html = _text(client.get("/"))
    assert "Renamed summit" in html and "First summit" not in html
    _change(
        app, organiser, first, lambda actor, row, session: events.change_event_status(actor, row, "cancel")
    )
    html = _text(client.get("/"))
    assert "Renamed summit" not in html and "Second summit" in html

    reader = _signed_in(app, login, make_user(name="Reader Ruth", timezone="Europe/Brussels"))
    client.set_cookie(TIMEZONE_COOKIE, "Europe/Brussels", domain=HOST)
    assert "Reader Ruth" in _text(reader.get("/"))
    assert "Reader Ruth" not in _text(client.get("/"))
    assert second.slug in _text(client.get("/"))


def test_home_page_drops_an_event_once_it_has_ended_in_its_own_zone(app, client, make_event):
    from roadshow.models import utcnow
    from roadshow.timezones import local_date

    # An event ending today somewhere: listed while its own day lasts, whatever the clock says elsewhere.
    today = local_date(utcnow(), "Pacific/Kiritimati")
    _published(
        make_event, title="Ends today", timezone="Pacific/Kiritimati", start_date=today, end_date=today
    )
    _published(
        make_event,
        title="Ended",
        timezone="Pacific/Kiritimati",
        start_date=date(2020, 1, 1),
        end_date=date(2020, 1, 1),
    )
    for _ in range(2):
        html = _text(client.get("/"))
        assert "Ends today" in html and "Ended<" not in html
