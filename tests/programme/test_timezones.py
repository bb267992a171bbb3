"""Time zones: a Brussels event around the end of summer time (25 October 2026) and Shanghai companies."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from roadshow.enums import EventKind, EventStatus, SessionKind, SlotState
from tests.conftest import post_form
from tests.programme.helpers import add_slots, manage, page, set_slot


@pytest.fixture
def dst_event(app, world, make_event, make_session, make_organisation, make_user, apply_as):
    """Two pitch blocks at 10:00 Brussels on 24 October (CEST, UTC+2) and 26 October (CET, UTC+1),
    each slot held by a Shanghai company (UTC+8 all year)."""
    event = make_event(
        organiser=world.organiser,
        slug="autumn",
        title="Autumn roadshow",
        kind=EventKind.ROADSHOW,
        status=EventStatus.PUBLISHED,
        timezone="Europe/Brussels",
        start_date=date(2026, 10, 24),
        end_date=date(2026, 10, 26),
    )
    saturday = datetime(2026, 10, 24, 8, 0, tzinfo=UTC)  # 10:00 CEST
    monday = datetime(2026, 10, 26, 9, 0, tzinfo=UTC)  # 10:00 CET
    slots = []
    for day in (saturday, monday):
        block = make_session(
            event,
            starts_at=day,
            minutes=30,
            kind=SessionKind.PITCH_BLOCK,
            title="Pitches",
            slot_minutes=10,
            changeover_minutes=0,
        )
        slots += add_slots(app, block, [day])
    windows = [(datetime(2026, 10, 24, 0, tzinfo=UTC), datetime(2026, 10, 27, 0, tzinfo=UTC))]
    first = apply_as(event, world.dragon, windows=windows, timezone="Asia/Shanghai")
    second = apply_as(
        event,
        make_organisation("Pearl Biotech", "CN", owner=make_user("wu@example.org", locale="zh")),
        windows=windows,
        timezone="Asia/Shanghai",
    )
    set_slot(app, slots[0], application_id=first.id, state=SlotState.PUBLISHED)
    set_slot(app, slots[1], application_id=second.id, state=SlotState.PUBLISHED)
    return event, slots


def _article(html: str, slot_id: int) -> str:
    start = html.index(f'id="slot-{slot_id}"')
    return html[start : html.index("</article>", start)]


def test_board_shows_shanghai_time_on_both_sides_of_the_change(organiser_client, world, dst_event):
    event, (saturday, monday) = dst_event
    html = page(organiser_client.get(manage(world, "board", event=event)))
    first, second = _article(html, saturday), _article(html, monday)
    # Brussels: 10:00 both days; Shanghai: 16:00 in summer time, 17:00 after the change.
    assert "10:00 AM</time>–<time" in first and "Europe/Brussels, UTC+02:00" in first
    assert "10:00 AM</time>–<time" in second and "Europe/Brussels, UTC+01:00" in second
    assert "4:00 PM</time>–4:10 PM" in first
    assert "5:00 PM</time>–5:10 PM" in second
    assert first.count("Asia/Shanghai, UTC+08:00") == 1
    assert second.count("Asia/Shanghai, UTC+08:00") == 1


def test_company_page_shows_its_own_time_after_the_change(app, client, login, world, dst_event):
    _event, (_saturday, _monday) = dst_event
    login(world.li)
    html = page(client.get("/my/slots/"))
    article = _article(html, dst_event[1][0])
    assert "16:00</time>–16:10" in article  # Li reads Chinese: 24-hour clock
    assert "Europe/Brussels, UTC+02:00" in article


def test_proposal_places_the_shanghai_companies_across_the_change(app, organiser_client, world, dst_event):
    event, (saturday, monday) = dst_event
    # Unpublish and empty both slots; the solver should fill both again.
    for slot_id in (saturday, monday):
        set_slot(app, slot_id, application_id=None, state=SlotState.PROPOSED)
    response = post_form(organiser_client, manage(world, "propose", event=event), {"keep_published": "y"})
    assert response.status_code == 200
    assert "2 slots would change." in page(response)
