"""Publishing: numbered releases with a changelog, slot states and sequences, e-mails to companies."""

from __future__ import annotations

import pytest

from roadshow.enums import SlotState
from tests.conftest import post_form
from tests.programme.helpers import (
    add_slots,
    audit_actions,
    db_state,
    manage,
    outbox,
    page,
    programme_version,
    releases_of,
    set_slot,
    slots_of,
    utc,
)


@pytest.fixture
def placed(app, world, apply_as):
    """Acme in 08:00 and Dragon (Shanghai) in 08:15 UTC; 08:30 empty; not published yet."""
    slot_ids = add_slots(app, world.block, [utc(8, 0), utc(8, 15), utc(8, 30)])
    acme = apply_as(world.event, world.acme)
    dragon = apply_as(world.event, world.dragon, timezone="Asia/Shanghai")
    set_slot(app, slot_ids[0], application_id=acme.id)
    set_slot(app, slot_ids[1], application_id=dragon.id)
    return slot_ids, acme, dragon


def test_publish_creates_release_one_with_changelog(app, organiser_client, world, placed):
    slot_ids, acme, dragon = placed
    version = programme_version(app, world.event.id)
    response = post_form(organiser_client, manage(world, "publish"))
    assert response.status_code == 302
    (release,) = releases_of(app, world.event.id)
    assert release.number == 1
    assert release.published_by_id == world.organiser.id
    assert [(e["kind"], e["application"], e["starts_at"]) for e in release.changelog] == [
        ("added", acme.id, "2026-12-01T08:00:00+00:00"),
        ("added", dragon.id, "2026-12-01T08:15:00+00:00"),
    ]
    assert [(e["slot"], e["application"]) for e in release.snapshot] == [
        (slot_ids[0], acme.id),
        (slot_ids[1], dragon.id),
        (slot_ids[2], None),
    ]
    states = [(s["state"], s["sequence"]) for s in slots_of(app, world.event.id)]
    assert states == [("published", 0), ("published", 0), ("proposed", 0)]
    assert programme_version(app, world.event.id) == version + 1
    assert audit_actions(app, world.event.id)[-1] == "pitch.published"

    html = page(organiser_client.get(manage(world, "releases")))
    assert "Release 1" in html
    assert "Added: <strong>Acme GmbH</strong>, Dec 1, 2026" in html
    assert "0 companies unchanged." in html


def test_publish_emails_each_member_in_their_language_and_zones(app, organiser_client, world, placed):
    post_form(organiser_client, manage(world, "publish"))
    messages = {m.recipient: m for m in outbox(app)}
    assert set(messages) == {"anna@example.org", "li@example.org"}
    anna = messages["anna@example.org"]
    assert anna.subject == "Your pitch slot at Roadshow A"
    text = anna.body_text.replace("\u202f", " ")
    assert "Dec 1, 2026, 9:00 AM–9:10 AM (Europe/Brussels, UTC+01:00)" in text
    assert "(Europe/Berlin, UTC+01:00)" in text
    assert "https://roadshow.test/my/slots/" in text
    li = messages["li@example.org"].body_text
    # Li reads Chinese: dates and times are formatted for zh, in Brussels and in Shanghai.
    assert "2026年12月1日, 16:15–16:25 (Asia/Shanghai, UTC+08:00)" in li
    assert "2026年12月1日, 09:15–09:25 (Europe/Brussels, UTC+01:00)" in li


def test_move_then_publish_gives_release_two_with_moved_times(app, organiser_client, world, placed):
    slot_ids, acme, dragon = placed
    post_form(organiser_client, manage(world, "publish"))
    set_slot(app, slot_ids[0], state=SlotState.CONFIRMED)  # Acme confirmed release 1
    set_slot(app, slot_ids[1], state=SlotState.CONFIRMED)  # so did Dragon
    response = post_form(
        organiser_client,
        manage(world, f"board/slots/{slot_ids[0]}/move"),
        {"target_slot_id": slot_ids[2], "holder": acme.id},
    )
    assert response.status_code == 302
    seen = {(m.id, m.message_id) for m in outbox(app)}  # SQLite may reuse a deleted row's id
    response = post_form(organiser_client, manage(world, "publish"))
    assert response.status_code == 302
    _first, second = releases_of(app, world.event.id)
    assert second.number == 2
    assert second.changelog == [
        {
            "kind": "moved",
            "application": acme.id,
            "organisation": "Acme GmbH",
            "slot": slot_ids[2],
            "starts_at": "2026-12-01T08:30:00+00:00",
            "ends_at": "2026-12-01T08:40:00+00:00",
            "old_slot": slot_ids[0],
            "old_starts_at": "2026-12-01T08:00:00+00:00",
            "old_ends_at": "2026-12-01T08:10:00+00:00",
        }
    ]
    slots = slots_of(app, world.event.id)
    # The vacated slot's sequence rose when Acme left it; the new one's at publication; Dragon's
    # unchanged slot stays confirmed.
    assert [(s["application"], s["state"], s["sequence"]) for s in slots] == [
        (None, "proposed", 1),
        (dragon.id, "confirmed", 0),
        (acme.id, "published", 1),
    ]
    # Moved to another slot: an invitation for the new slot, and a cancellation of the old one
    # (each slot is its own calendar event), both to the company's member.
    moved_mail = sorted(
        (m for m in outbox(app) if (m.id, m.message_id) not in seen), key=lambda m: m.calendar_method
    )
    assert [(m.recipient, m.calendar_method) for m in moved_mail] == [
        ("anna@example.org", "CANCEL"),
        ("anna@example.org", "REQUEST"),
    ]
    cancel, request = moved_mail
    assert request.subject == "Your pitch slot at Roadshow A has moved"
    assert "Before: Dec 1, 2026, 9:00 AM–9:10 AM" in request.body_text.replace("\u202f", " ")
    assert f"UID:slot-{slots[2]['id']}@" in request.calendar_text.replace("\r\n ", "")
    assert f"UID:slot-{slots[0]['id']}@" in cancel.calendar_text.replace("\r\n ", "")

    html = page(organiser_client.get(manage(world, "releases")))
    assert (
        'Moved: <strong>Acme GmbH</strong>, Dec 1, 2026 <span class="time-range">'
        '<time datetime="2026-12-01T08:00:00+00:00">9:00 AM</time>–'
        '<time datetime="2026-12-01T08:10:00+00:00">9:10 AM</time></span> → Dec 1, 2026 '
        '<span class="time-range"><time datetime="2026-12-01T08:30:00+00:00">9:30 AM</time>–'
        '<time datetime="2026-12-01T08:40:00+00:00">9:40 AM</time></span>'
    ) in html
    assert "1 company unchanged." in html


def test_unassign_then_publish_says_removed_and_tells_the_company(app, organiser_client, world, placed):
    slot_ids, _acme, dragon = placed
    post_form(organiser_client, manage(world, "publish"))
    post_form(organiser_client, manage(world, f"board/slots/{slot_ids[1]}/unassign"), {"holder": dragon.id})
    seen = {(m.id, m.message_id) for m in outbox(app)}  # SQLite may reuse a deleted row's id
    post_form(organiser_client, manage(world, "publish"))
    release = releases_of(app, world.event.id)[-1]
    assert [(e["kind"], e["application"], e["old_starts_at"]) for e in release.changelog] == [
        ("removed", dragon.id, "2026-12-01T08:15:00+00:00")
    ]
    # The invitation of release 1 was still waiting in the outbox: the cancellation replaced it.
    assert [(m.recipient, m.calendar_method) for m in outbox(app) if (m.id, m.message_id) not in seen] == [
        ("li@example.org", "CANCEL")
    ]


def test_publish_with_nothing_changed_is_refused(app, organiser_client, world, placed):
    post_form(organiser_client, manage(world, "publish"))
    before = db_state(app)
    response = post_form(organiser_client, manage(world, "publish"))
    assert response.status_code == 400
    assert "Nothing has changed for any company since release 1." in page(response)
    assert db_state(app) == before


def test_publish_with_no_company_placed_is_refused(app, organiser_client, world):
    add_slots(app, world.block, [utc(8)])
    before = db_state(app)
    response = post_form(organiser_client, manage(world, "publish"))
    assert response.status_code == 400
    assert "No slot holds a company yet" in page(response)
    assert db_state(app) == before


def test_releases_page_previews_unpublished_changes(app, organiser_client, world, placed):
    html = page(organiser_client.get(manage(world, "releases")))
    assert "Not published yet" in html
    assert "Added: <strong>Dragon Robotics</strong>" in html
    assert "Publish release 1" in html


def test_first_release_keeps_a_slot_already_confirmed(app, organiser_client, world, placed):
    slot_ids, _acme, _dragon = placed
    set_slot(app, slot_ids[0], state=SlotState.CONFIRMED)  # e.g. agreed by phone before any release
    assert post_form(organiser_client, manage(world, "publish")).status_code == 302
    assert [s["state"] for s in slots_of(app, world.event.id)] == ["confirmed", "published", "proposed"]


def test_publish_is_refused_for_a_cancelled_event(app, organiser_client, world, placed):
    from roadshow.enums import EventStatus
    from roadshow.extensions import db
    from roadshow.models import Event

    with app.app_context():
        db.session.get(Event, world.event.id).status = EventStatus.CANCELLED
        db.session.commit()
    before = db_state(app)
    response = post_form(organiser_client, manage(world, "publish"))
    assert response.status_code == 400
    assert "This event is cancelled" in page(response)
    assert db_state(app) == before
