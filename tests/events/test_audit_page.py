"""The change log page: who changed what, when, from what to what."""

from __future__ import annotations

from tests.conftest import post_form
from tests.events.helpers import page, session_form


def test_audit_page_shows_who_what_and_before_after(client, world, login):
    login(world.organiser)
    post_form(
        client,
        f"/manage/events/{world.event.id}/sessions/{world.session.id}/edit",
        session_form(title="Opening keynote", start_time="09:00", end_time="10:00"),
    )
    html = page(client.get(f"/manage/events/{world.event.id}/audit"))
    assert "Alice Organiser" in html
    assert "Session changed" in html
    assert "<code>title</code>: Session A → Opening keynote" in html


def test_audit_page_lists_newest_first(client, world, login):
    login(world.organiser)
    post_form(client, f"/manage/events/{world.event.id}/sessions/{world.session.id}/cancel")
    post_form(client, f"/manage/events/{world.event.id}/sessions/{world.session.id}/delete")
    html = page(client.get(f"/manage/events/{world.event.id}/audit"))
    assert html.index("Session deleted") < html.index("Session cancelled")


def test_audit_page_of_an_unchanged_event_says_so(client, world, login):
    login(world.organiser)
    assert "Nothing has been changed yet." in page(client.get(f"/manage/events/{world.event.id}/audit"))


def test_audit_page_does_not_show_other_events_entries(client, world, login):
    login(world.other_organiser)
    post_form(client, f"/manage/events/{world.other_event.id}/sessions/{world.other_session.id}/cancel")
    login(world.organiser)
    html = page(client.get(f"/manage/events/{world.event.id}/audit"))
    assert "Session cancelled" not in html
    assert "Bob Otherevent" not in html
