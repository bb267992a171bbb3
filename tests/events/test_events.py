"""Creating and editing events: slugs, time zones, dates, links, the deadline, the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from roadshow.enums import EventKind, EventStatus
from roadshow.events.services import slugify
from roadshow.models import AuditLogEntry, Event, EventOrganiser, ProgrammeSession
from tests.conftest import fetch, post_form
from tests.events.helpers import db_state, event_form, load, page


def _event_by_slug(app, slug: str) -> Event | None:
    rows = fetch(app, sa.select(Event).where(Event.slug == slug))
    return rows[0] if rows else None


def _audit(app, event_id: int, action: str) -> list[AuditLogEntry]:
    return fetch(
        app,
        sa.select(AuditLogEntry)
        .where(AuditLogEntry.event_id == event_id, AuditLogEntry.action == action)
        .order_by(AuditLogEntry.id),
    )


# --- Create ---------------------------------------------------------------------------------------------


def test_create_event_makes_a_draft_with_the_creator_as_organiser(app, client, world, login):
    login(world.organiser)
    response = post_form(
        client,
        "/manage/events/new",
        event_form(
            title="Qingdao Roadshow",
            title_zh="青岛路演",
            kind="roadshow",
            timezone="Asia/Shanghai",
            join_url="https://meet.example.org/roadshow",
            contact_email="Team@Example.org",
            deadline_date="2026-11-20",
            deadline_time="18:00",
        ),
    )
    event = _event_by_slug(app, "qingdao-roadshow")
    assert event is not None
    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/events/{event.id}"
    assert event.kind == EventKind.ROADSHOW
    assert event.status == EventStatus.DRAFT
    assert event.title_zh == "青岛路演"
    assert event.timezone == "Asia/Shanghai"
    assert event.contact_email == "team@example.org"
    assert event.join_url == "https://meet.example.org/roadshow"
    # 18:00 in Shanghai (UTC+8) is 10:00 UTC.
    assert event.application_deadline == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    organisers = fetch(app, sa.select(EventOrganiser.user_id).where(EventOrganiser.event_id == event.id))
    assert organisers == [world.organiser.id]
    [entry] = _audit(app, event.id, "event.created")
    assert entry.actor_id == world.organiser.id
    assert entry.before is None
    assert entry.after["title"] == "Qingdao Roadshow"
    assert entry.after["application_deadline"] == "2026-11-20T10:00:00+00:00"


def test_create_event_by_an_admin_who_organises_nothing_succeeds(app, client, world, login):
    login(world.admin)
    response = post_form(client, "/manage/events/new", event_form(slug="admin-summit"))
    assert response.status_code == 302
    event = _event_by_slug(app, "admin-summit")
    assert fetch(app, sa.select(EventOrganiser.user_id).where(EventOrganiser.event_id == event.id)) == [
        world.admin.id
    ]


def test_create_event_without_slug_generates_a_unique_ascii_one(app, client, world, login):
    login(world.organiser)
    post_form(client, "/manage/events/new", event_form(title="Café Summit: Europe & China"))
    post_form(client, "/manage/events/new", event_form(title="Café Summit: Europe & China"))
    slugs = fetch(app, sa.select(Event.slug).where(Event.slug.like("cafe-summit%")).order_by(Event.id))
    assert slugs == ["cafe-summit-europe-china", "cafe-summit-europe-china-2"]


def test_create_event_with_only_a_chinese_title_gets_a_fallback_slug(app, client, world, login):
    login(world.organiser)
    post_form(client, "/manage/events/new", event_form(title="中欧科技园区峰会"))
    assert _event_by_slug(app, "event") is not None


def test_slugify_keeps_ascii_letters_digits_and_single_hyphens():
    assert slugify("EU–China Summit 2026") == "eu-china-summit-2026"
    assert slugify("  Ärzte & Robotik!! ") == "arzte-robotik"
    assert slugify("中文") == ""


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"slug": "Bad Slug!"}, "Use only lower-case letters a–z, digits and hyphens"),
        ({"slug": "-leading"}, "Use only lower-case letters a–z, digits and hyphens"),
        ({"timezone": "Mars/Olympus_Mons"}, "Choose a time zone from the list."),
        ({"end_date": "2026-11-30"}, "The last day cannot be before the first day."),
        ({"join_url": "javascript:alert(1)"}, "Enter a full web address starting with https:// or http://."),
        ({"join_url": "ftp://files.example.org/"}, "Enter a full web address starting with https://"),
        ({"start_date": "9999-12-30", "end_date": "9999-12-31"}, "Choose a date between 2000 and 2100."),
        ({"deadline_date": "2026-11-01", "deadline_time": ""}, "Enter both the date and the time"),
        # 02:30 on 29 March 2026 does not exist in Brussels: the clocks jump from 02:00 to 03:00.
        ({"deadline_date": "2026-03-29", "deadline_time": "02:30"}, "This time does not exist on that day"),
        # 02:30 on 25 October 2026 happens twice in Brussels.
        ({"deadline_date": "2026-10-25", "deadline_time": "02:30"}, "This time happens twice on that day"),
        ({"contact_email": "not-an-address"}, "Invalid email address."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_create_event_with_bad_input_shows_the_error_and_saves_nothing(
    app, client, world, login, overrides, field_message
):
    login(world.organiser)
    before = db_state(app)
    response = post_form(client, "/manage/events/new", event_form(**{"slug": "fresh-slug", **overrides}))
    assert response.status_code == 200
    assert field_message in page(response)
    assert 'class="errors"' in page(response)
    assert db_state(app) == before


def test_create_event_with_a_duplicate_slug_is_a_form_error(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    response = post_form(client, "/manage/events/new", event_form(slug="event-b"))
    assert response.status_code == 200
    assert "Another event already uses this address; choose another." in page(response)
    assert db_state(app) == before


def test_event_form_offers_iana_zones_with_brussels_by_default(client, world, login):
    login(world.organiser)
    html = page(client.get("/manage/events/new"))
    assert '<option selected value="Europe/Brussels">Europe/Brussels</option>' in html
    assert '<option value="Asia/Shanghai">Asia/Shanghai</option>' in html
    assert '<label for="title">Title</label>' in html


# --- Edit -----------------------------------------------------------------------------------------------


def test_edit_event_saves_bumps_the_programme_version_and_records_before_and_after(app, client, world, login):
    login(world.organiser)
    response = post_form(
        client,
        f"/manage/events/{world.event.id}/edit",
        event_form(title="Event A, renamed", slug="event-a", end_date="2026-12-03"),
    )
    assert response.status_code == 302
    event = load(app, Event, world.event.id)
    assert event.title == "Event A, renamed"
    assert event.end_date == date(2026, 12, 3)
    assert event.programme_version == 2
    [entry] = _audit(app, world.event.id, "event.updated")
    assert entry.actor_id == world.organiser.id
    assert entry.before["title"] == "Event A"
    assert entry.after["title"] == "Event A, renamed"
    assert entry.before["end_date"] == "2026-12-02"
    assert entry.after["end_date"] == "2026-12-03"
    assert "slug" not in entry.after


def test_edit_event_form_is_prefilled_with_the_local_deadline(app, client, world, login):
    with app.app_context():
        from roadshow.extensions import db

        db.session.get(Event, world.event.id).application_deadline = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
        db.session.commit()
    login(world.organiser)
    html = page(client.get(f"/manage/events/{world.event.id}/edit"))
    assert 'name="deadline_date" type="date" value="2026-11-20"' in html
    assert 'name="deadline_time" type="time" value="18:00"' in html  # 17:00 UTC is 18:00 in Brussels


def test_edit_event_without_changes_records_nothing(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    response = post_form(
        client,
        f"/manage/events/{world.event.id}/edit",
        event_form(
            title="Event A",
            slug="event-a",
            description="",
            contact_email="organisers@example.org",
        ),
    )
    assert response.status_code == 302
    assert db_state(app) == before


def test_edit_event_with_the_slug_of_another_event_is_a_form_error(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    response = post_form(client, f"/manage/events/{world.event.id}/edit", event_form(slug="event-b"))
    assert "Another event already uses this address; choose another." in page(response)
    assert db_state(app) == before


def test_edit_event_dates_leaving_a_session_outside_is_a_form_error(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    response = post_form(
        client,
        f"/manage/events/{world.event.id}/edit",
        event_form(slug="event-a", start_date="2026-12-02", end_date="2026-12-03"),
    )
    assert response.status_code == 200
    assert "1 session(s) would fall outside the event (Session A)" in page(response)
    assert db_state(app) == before


def test_edit_event_time_zone_moving_a_session_to_another_local_day_is_a_form_error(
    app, client, world, login, make_session
):
    # 23:30 UTC on 2 December is already 3 December in Shanghai.
    make_session(world.event, title="Late panel", starts_at=datetime(2026, 12, 2, 20, 0, tzinfo=UTC))
    login(world.organiser)
    before = db_state(app)
    response = post_form(
        client, f"/manage/events/{world.event.id}/edit", event_form(slug="event-a", timezone="Asia/Shanghai")
    )
    assert "1 session(s) would fall outside the event (Late panel)" in page(response)
    assert db_state(app) == before


def test_edit_event_time_zone_keeps_session_instants(app, client, world, login):
    login(world.organiser)
    response = post_form(
        client, f"/manage/events/{world.event.id}/edit", event_form(slug="event-a", timezone="Asia/Shanghai")
    )
    assert response.status_code == 302
    assert load(app, Event, world.event.id).timezone == "Asia/Shanghai"
    assert load(app, ProgrammeSession, world.session.id).starts_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_edit_event_join_url_raises_the_sequence_of_sessions_using_it(
    app, client, world, login, make_session
):
    own_link = make_session(
        world.event,
        title="Own link",
        starts_at=datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
        join_url="https://meet.example.org/own",
    )
    login(world.organiser)
    post_form(
        client,
        f"/manage/events/{world.event.id}/edit",
        event_form(slug="event-a", join_url="https://meet.example.org/new"),
    )
    assert load(app, ProgrammeSession, world.session.id).sequence == 1
    assert load(app, ProgrammeSession, own_link.id).sequence == 0


def test_edit_archived_event_is_refused(app, client, make_user, make_event, login):
    organiser = make_user()
    event = make_event(organiser=organiser, status=EventStatus.ARCHIVED, slug="old-one")
    login(organiser)
    before = db_state(app)
    response = post_form(client, f"/manage/events/{event.id}/edit", event_form(slug="old-one", title="New"))
    assert "This event is archived; it can no longer be changed." in page(response)
    assert db_state(app) == before


def test_overview_shows_details_and_sessions(app, client, world, login):
    login(world.organiser)
    html = page(client.get(f"/manage/events/{world.event.id}"))
    assert "Session A" in html
    assert "Times are in Europe/Brussels" in html
    assert f'action="/manage/events/{world.event.id}/publish"' in html
    assert f'href="/manage/events/{world.event.id}/sessions/{world.session.id}/edit"' in html
    assert f'action="/manage/events/{world.event.id}/sessions/{world.session.id}/cancel"' in html


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://meet.example.org/room?x=1", True),
        ("http://zoom.example.com/j/123", True),
        ("HTTPS://MEET.EXAMPLE.ORG/", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//meet.example.org/room", False),
        ("https://", False),
        ("https://meet.example.org/a b", False),
        ("https://meet.example.org/\x00", False),
    ],
)
def test_is_http_url_accepts_only_absolute_http_links(url, ok):
    from roadshow.events.services import is_http_url

    assert is_http_url(url) is ok
