"""My agenda: starred sessions and pitches as a list by day and as a day grid, in the viewer's zone
with the event's zone beside it, and nothing of anyone else's or of drafts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from roadshow.attendees import services
from roadshow.enums import RegistrationStatus, SlotState
from roadshow.extensions import db
from roadshow.models import PitchSlot
from tests.attendees.conftest import NNBSP, logged_in_client, page, star, utc
from tests.conftest import count_statements


def _times(html: str) -> list[tuple[str, str]]:
    """(datetime attribute, text) of every <time> element."""
    return re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', html)


def _agenda_titles(html: str) -> list[str]:
    """The titles of the agenda's items, in page order."""
    return [" ".join(t.split()) for t in re.findall(r"<h4>\s*(.*?)\s*(?:<span|</h4>)", html, re.S)]


def test_agenda_without_login_redirects_to_login(client):
    for path in ("/my/agenda", "/my/agenda/grid"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_agenda_lists_starred_items_in_the_viewers_zone_with_the_events_zone_beside(
    app, login, make_user, make_registration, summit
):
    viewer = make_user(timezone="Asia/Shanghai")
    registration = make_registration(summit.event, viewer)
    star(app, registration.id, sessions=(summit.keynote.id,))
    html = page(logged_in_client(app, login, viewer).get("/my/agenda"))
    assert "Times are shown in your time zone, Asia/Shanghai (China Time)." in html
    assert ("2030-12-01T08:00:00+00:00", f"4:00{NNBSP}PM") in _times(html)
    assert ("2030-12-01T09:00:00+00:00", f"5:00{NNBSP}PM") in _times(html)
    assert "Asia/Shanghai, UTC+08:00" in html
    event_clock = rf"Event time:</span>\s*9:00{NNBSP}AM–10:00{NNBSP}AM\s*<span class=\"zone\">"
    assert re.search(event_clock + r"Europe/Brussels, UTC\+01:00", html)


def test_agenda_in_the_events_own_zone_shows_one_clock(app, login, make_user, make_registration, summit):
    viewer = make_user(timezone="Europe/Brussels")
    registration = make_registration(summit.event, viewer)
    star(app, registration.id, sessions=(summit.keynote.id,))
    html = page(logged_in_client(app, login, viewer).get("/my/agenda"))
    assert ("2030-12-01T08:00:00+00:00", f"9:00{NNBSP}AM") in _times(html)
    assert "Europe/Brussels, UTC+01:00" in html
    assert "Event time:" not in html


def test_agenda_groups_by_the_viewers_day_not_the_events(
    app, login, make_user, make_session, make_registration, summit
):
    # 21:00 in Brussels on 1 December is 04:00 on 2 December in Shanghai.
    late = make_session(summit.event, starts_at=utc(1, 20), minutes=60, title="Late networking")
    viewer = make_user(timezone="Asia/Shanghai")
    registration = make_registration(summit.event, viewer)
    star(app, registration.id, sessions=(summit.keynote.id, late.id))
    html = page(logged_in_client(app, login, viewer).get("/my/agenda"))
    first_day, second_day = html.index("Sunday, December 1, 2030"), html.index("Monday, December 2, 2030")
    assert first_day < html.index("Opening keynote") < second_day < html.index("Late networking")
    assert "(Dec 1, 2030)" in html[second_day:]  # the event's own day, beside its clock


def test_agenda_shows_pitches_with_company_and_title(app, login, make_user, make_registration, summit):
    viewer = make_user(timezone="Europe/Brussels")
    registration = make_registration(summit.roadshow, viewer)
    star(app, registration.id, slots=(summit.published_slot.id,))
    html = page(logged_in_client(app, login, viewer).get("/my/agenda"))
    assert _agenda_titles(html) == ["Acme Robotics GmbH — Rehab exoskeleton"]
    assert f'action="/registrations/{registration.id}/slots/{summit.published_slot.id}/star"' in html
    assert "Asia/Shanghai, UTC+08:00" in html


def test_agenda_shows_only_the_viewers_own_active_public_registrations(
    app, login, make_user, make_registration, summit
):
    viewer, other = make_user(timezone="Europe/Brussels"), make_user()
    mine = make_registration(summit.event, viewer)
    cancelled = make_registration(summit.roadshow, viewer, status=RegistrationStatus.CANCELLED)
    draft = make_registration(summit.draft, viewer)
    theirs = make_registration(summit.event, other)
    star(app, mine.id, sessions=(summit.keynote.id,))
    star(app, cancelled.id, slots=(summit.published_slot.id,))
    star(app, draft.id, sessions=(summit.draft_session.id,))
    star(app, theirs.id, sessions=(summit.panel.id,))
    html = page(logged_in_client(app, login, viewer).get("/my/agenda"))
    assert _agenda_titles(html) == ["Opening keynote"]
    assert "Draft Summit" not in html
    assert "Projects Roadshow" in html  # listed among the registrations, as cancelled
    assert f'action="/registrations/{cancelled.id}/cancel"' not in html


def test_agenda_drops_a_pitch_that_is_no_longer_published(app, login, make_user, make_registration, summit):
    viewer = make_user()
    registration = make_registration(summit.roadshow, viewer)
    star(app, registration.id, slots=(summit.published_slot.id,))
    with app.app_context():
        db.session.get(PitchSlot, summit.published_slot.id).state = SlotState.PROPOSED
        db.session.commit()
    html = page(logged_in_client(app, login, viewer).get("/my/agenda"))
    assert _agenda_titles(html) == []
    assert "Nothing in your agenda yet." in html


def test_agenda_marks_cancelled_sessions(app, login, make_user, make_registration, summit):
    viewer = make_user()
    registration = make_registration(summit.event, viewer)
    star(app, registration.id, sessions=(summit.cancelled_talk.id,))
    html = page(logged_in_client(app, login, viewer).get("/my/agenda"))
    assert _agenda_titles(html) == ["Withdrawn talk"]
    assert '<li class="session cancelled" id="session-' in html


def test_agenda_links_the_calendar_feed_and_the_grid(app, login, make_user, summit):
    html = page(logged_in_client(app, login, make_user()).get("/my/agenda"))
    assert 'href="/account/calendar"' in html
    assert 'href="/my/agenda/grid"' in html


def test_agenda_reads_a_fixed_number_of_queries_whatever_the_number_of_items(
    app, login, make_user, make_session, make_organisation, make_application, make_registration, summit
):
    viewer = make_user()
    registration = make_registration(summit.event, viewer)
    roadshow_registration = make_registration(summit.roadshow, viewer)
    star(app, registration.id, sessions=(summit.keynote.id,))
    star(app, roadshow_registration.id, slots=(summit.published_slot.id,))
    client = logged_in_client(app, login, viewer)
    one = count_statements(app, lambda: client.get("/my/agenda"))
    extra_sessions = [
        make_session(summit.event, starts_at=utc(2, 9 + i), title=f"Talk {i}") for i in range(2)
    ]
    extra_slots = []
    with app.app_context():
        for i in range(2):
            company = make_organisation(f"Company {i} SA", "FR")
            application = make_application(summit.roadshow, company, title=f"Project {i}")
            slot = PitchSlot(
                session_id=summit.block.id,
                starts_at=utc(3, 8, 30 + 10 * i),
                ends_at=utc(3, 8, 40 + 10 * i),
                application_id=application.id,
                state=SlotState.CONFIRMED,
            )
            db.session.add(slot)
            db.session.commit()
            extra_slots.append(slot.id)
    star(app, registration.id, sessions=tuple(s.id for s in extra_sessions))
    star(app, roadshow_registration.id, slots=tuple(extra_slots))
    many = count_statements(app, lambda: client.get("/my/agenda"))
    assert len(_agenda_titles(page(client.get("/my/agenda")))) == 6
    assert many == one


def test_grid_places_items_by_quarter_hour_with_overlaps_side_by_side(
    app, login, make_user, make_session, make_registration, summit
):
    # Keynote 09:00–10:00, overlapping talk 09:30–10:15, panel 10:30–12:00 (Brussels).
    overlapping = make_session(summit.event, starts_at=utc(1, 8, 30), minutes=45, title="Side talk")
    viewer = make_user(timezone="Europe/Brussels")
    registration = make_registration(summit.event, viewer)
    star(app, registration.id, sessions=(summit.keynote.id, summit.panel.id, overlapping.id))
    html = page(logged_in_client(app, login, viewer).get("/my/agenda/grid?day=2030-12-01"))
    placed = re.findall(r'<article class="grid-item ([^"]+)">\s*<h3>([^<]+?)\s*<', html)
    assert placed == [
        ("gr-s-1 gr-n-4 gc-2", "Opening keynote"),
        ("gr-s-3 gr-n-3 gc-3", "Side talk"),
        ("gr-s-7 gr-n-6 gc-2", "Parks panel"),
    ]
    hours = re.findall(
        r'<div class="grid-hour (gr-s-\d+) gr-n-4" aria-hidden="true"><time[^>]*>([^<]+)</time>', html
    )
    assert hours == [
        ("gr-s-1", f"9:00{NNBSP}AM"),
        ("gr-s-5", f"10:00{NNBSP}AM"),
        ("gr-s-9", f"11:00{NNBSP}AM"),
    ]
    assert 'class="day-grid lanes-2"' in html
    assert 'style="' not in html  # positions are classes: a strict CSP forbids style attributes


def test_grid_defaults_to_the_first_agenda_day_from_today(app, login, make_user, make_registration, summit):
    viewer = make_user(timezone="Europe/Brussels")
    registration = make_registration(summit.event, viewer)
    star(app, registration.id, sessions=(summit.cancelled_talk.id, summit.keynote.id))
    html = page(logged_in_client(app, login, viewer).get("/my/agenda/grid"))
    assert "<h2>Sunday, December 1, 2030</h2>" in html
    assert 'href="/my/agenda/grid?day=2030-12-02"' in html


def test_grid_of_a_day_without_items_says_so(app, login, make_user, summit):
    html = page(logged_in_client(app, login, make_user()).get("/my/agenda/grid?day=2030-06-01"))
    assert "Nothing in your agenda on this day." in html


@pytest.mark.parametrize("day", ["2030-13-01", "tomorrow", "", "9999-12-31"])
def test_grid_with_a_bad_day_is_400_with_a_message(app, login, make_user, summit, day):
    response = logged_in_client(app, login, make_user()).get(f"/my/agenda/grid?day={day}")
    assert response.status_code == 400
    assert "Enter the day as YYYY-MM-DD, for example 2026-10-26." in page(response)


@dataclass
class _Item:
    starts_at: datetime
    ends_at: datetime


def test_day_grid_on_the_autumn_change_counts_the_repeated_hour_twice():
    # 27 October 2030 in Brussels: 03:00 CEST falls back to 02:00 CET (01:00 UTC); the day has 25 hours.
    talk = _Item(datetime(2030, 10, 27, 0, 30, tzinfo=UTC), datetime(2030, 10, 27, 2, 30, tzinfo=UTC))
    grid = services.day_grid([talk], date(2030, 10, 27), "Europe/Brussels")
    assert [(hour.instant.hour, hour.row) for hour in grid.hours] == [(0, 1), (1, 5), (2, 9)]
    local_hours = [hour.instant.astimezone(ZoneInfo("Europe/Brussels")).hour for hour in grid.hours]
    assert local_hours == [2, 2, 3]
    ((placed,),) = [grid.items]
    assert (placed.row, placed.span, placed.lane) == (3, 8, 0)


def test_day_grid_clips_an_item_that_runs_past_midnight():
    evening = _Item(datetime(2030, 12, 1, 22, 0, tzinfo=UTC), datetime(2030, 12, 2, 1, 0, tzinfo=UTC))
    grid = services.day_grid([evening], date(2030, 12, 1), "UTC")
    ((placed,),) = [grid.items]
    assert (placed.row, placed.span, placed.starts_before, placed.ends_after) == (1, 8, False, True)
    assert [hour.instant.hour for hour in grid.hours] == [22, 23]
    assert services.grid_days([evening], "UTC") == [date(2030, 12, 1), date(2030, 12, 2)]
