"""Local times stay put across a daylight-saving change, while the UTC instants move by the hour."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import sqlalchemy as sa

from roadshow.models import ProgrammeSession
from tests.conftest import fetch, post_form
from tests.events.helpers import page, session_form


def test_sessions_at_ten_local_across_the_october_change_show_ten_both_days(
    app, client, login, make_user, make_event
):
    organiser = make_user(timezone="Europe/Brussels")
    event = make_event(
        organiser=organiser,
        timezone="Europe/Brussels",
        start_date=date(2026, 10, 24),
        end_date=date(2026, 10, 26),
    )
    login(organiser)
    for day, title in (("2026-10-24", "Saturday talk"), ("2026-10-26", "Monday talk")):
        response = post_form(
            client,
            f"/manage/events/{event.id}/sessions/new",
            session_form(title=title, day=day, start_time="10:00", end_time="11:00"),
        )
        assert response.status_code == 302

    saturday, monday = fetch(
        app,
        sa.select(ProgrammeSession)
        .where(ProgrammeSession.event_id == event.id)
        .order_by(ProgrammeSession.starts_at),
    )
    # Summer time (UTC+2) on the 24th, winter time (UTC+1) on the 26th.
    assert saturday.starts_at == datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
    assert monday.starts_at == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert (monday.starts_at - saturday.starts_at).total_seconds() == 2 * 24 * 3600 + 3600

    html = page(client.get(f"/manage/events/{event.id}"))
    shown = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    assert ("2026-10-24T08:00:00+00:00", "10:00 AM") in shown
    assert ("2026-10-26T09:00:00+00:00", "10:00 AM") in shown
    assert "Europe/Brussels, UTC+02:00" in html
    assert "Europe/Brussels, UTC+01:00" in html
    assert html.index("Saturday, October 24, 2026") < html.index("Saturday talk")
    assert html.index("Monday, October 26, 2026") < html.index("Monday talk")
