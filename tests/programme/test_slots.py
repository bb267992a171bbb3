"""Slots of a pitch block: generating them, and shortening, splitting and deleting empty ones."""

from __future__ import annotations

from datetime import timedelta

from roadshow.enums import SessionKind, SlotState
from tests.conftest import post_form
from tests.programme.helpers import add_slots, audit_actions, db_state, manage, page, set_slot, slots_of, utc


def test_slots_page_lists_each_pitch_block(organiser_client, world):
    response = organiser_client.get(manage(world))
    assert response.status_code == 200
    html = page(response)
    assert "Morning pitches" in html
    assert "Generate slots" in html
    assert "Other pitches" not in html


def test_generate_slots_fills_block_with_pitch_and_changeover(app, organiser_client, world):
    response = post_form(organiser_client, manage(world, f"blocks/{world.block.id}/generate"))
    assert response.status_code == 302
    slots = slots_of(app, world.event.id)
    # 60 minutes of 10-minute pitches with 5 minutes between: 08:00, 08:15, 08:30, 08:45 (UTC).
    assert [(s["starts_at"], s["ends_at"]) for s in slots] == [
        (utc(8, 0), utc(8, 10)),
        (utc(8, 15), utc(8, 25)),
        (utc(8, 30), utc(8, 40)),
        (utc(8, 45), utc(8, 55)),
    ]
    assert all(s["application"] is None and s["state"] == "proposed" for s in slots)
    assert audit_actions(app, world.event.id) == ["pitch.slots_generated"]


def test_generate_slots_last_slot_ends_by_block_end(app, organiser_client, world, make_session):
    # 09:00–09:50 UTC with 15 + 5: 09:00, 09:20 fit; 09:40–09:55 would end after 09:50.
    block = make_session(
        world.event,
        starts_at=utc(9),
        minutes=50,
        kind=SessionKind.PITCH_BLOCK,
        title="Tight",
        slot_minutes=15,
        changeover_minutes=5,
    )
    response = post_form(organiser_client, manage(world, f"blocks/{block.id}/generate"))
    assert response.status_code == 302
    slots = [s for s in slots_of(app, world.event.id) if s["session"] == block.id]
    assert [(s["starts_at"], s["ends_at"]) for s in slots] == [
        (utc(9, 0), utc(9, 15)),
        (utc(9, 20), utc(9, 35)),
    ]
    assert slots[-1]["ends_at"] <= utc(9, 50)


def test_generate_slots_again_replaces_empty_slots(app, organiser_client, world):
    add_slots(app, world.block, [utc(8, 0)], minutes=30)
    response = post_form(organiser_client, manage(world, f"blocks/{world.block.id}/generate"))
    assert response.status_code == 302
    assert len(slots_of(app, world.event.id)) == 4


def test_generate_slots_refused_while_a_slot_is_held(app, organiser_client, world, apply_as):
    application = apply_as(world.event, world.acme)
    (slot_id,) = add_slots(app, world.block, [utc(8, 0)])
    set_slot(app, slot_id, application_id=application.id)
    before = db_state(app)
    response = post_form(organiser_client, manage(world, f"blocks/{world.block.id}/generate"))
    assert response.status_code == 400
    assert "1 slot(s) of this block hold a company" in page(response)
    assert db_state(app) == before


def test_generate_slots_refused_for_a_keynote(app, organiser_client, world, make_session):
    keynote = make_session(world.event, starts_at=utc(10), kind=SessionKind.KEYNOTE, title="Keynote")
    before = db_state(app)
    response = post_form(organiser_client, manage(world, f"blocks/{keynote.id}/generate"))
    assert response.status_code == 400
    assert "Only a pitch block has pitch slots." in page(response)
    assert db_state(app) == before


def test_generate_slots_of_another_events_block_is_404(app, organiser_client, world):
    before = db_state(app)
    response = post_form(organiser_client, manage(world, f"blocks/{world.other_block.id}/generate"))
    assert response.status_code == 404
    assert db_state(app) == before


def test_shorten_empty_slot_sets_new_end(app, organiser_client, world):
    (slot_id,) = add_slots(app, world.block, [utc(8, 0)], minutes=15)
    # 09:08 in Brussels is 08:08 UTC.
    response = post_form(organiser_client, manage(world, f"slots/{slot_id}/shorten"), {"end_time": "09:08"})
    assert response.status_code == 302
    assert slots_of(app, world.event.id)[0]["ends_at"] == utc(8, 8)


def test_shorten_refuses_an_end_outside_the_slot(app, organiser_client, world):
    (slot_id,) = add_slots(app, world.block, [utc(8, 0)], minutes=15)
    before = db_state(app)
    response = post_form(organiser_client, manage(world, f"slots/{slot_id}/shorten"), {"end_time": "09:20"})
    assert response.status_code == 400
    assert "The new end must be after the slot" in page(response)
    assert db_state(app) == before


def test_shorten_refuses_a_missing_time(app, organiser_client, world):
    (slot_id,) = add_slots(app, world.block, [utc(8, 0)], minutes=15)
    before = db_state(app)
    response = post_form(organiser_client, manage(world, f"slots/{slot_id}/shorten"), {"end_time": "soon"})
    assert response.status_code == 400
    assert db_state(app) == before


def test_split_empty_slot_in_the_middle(app, organiser_client, world):
    (slot_id,) = add_slots(app, world.block, [utc(8, 0)], minutes=20)
    response = post_form(organiser_client, manage(world, f"slots/{slot_id}/split"), {"split_time": ""})
    assert response.status_code == 302
    slots = slots_of(app, world.event.id)
    assert [(s["starts_at"], s["ends_at"]) for s in slots] == [
        (utc(8, 0), utc(8, 10)),
        (utc(8, 10), utc(8, 20)),
    ]


def test_split_empty_slot_at_a_given_time(app, organiser_client, world):
    (slot_id,) = add_slots(app, world.block, [utc(8, 0)], minutes=20)
    response = post_form(organiser_client, manage(world, f"slots/{slot_id}/split"), {"split_time": "09:05"})
    assert response.status_code == 302
    slots = slots_of(app, world.event.id)
    assert [(s["starts_at"], s["ends_at"]) for s in slots] == [
        (utc(8, 0), utc(8, 5)),
        (utc(8, 5), utc(8, 20)),
    ]


def test_delete_empty_slot(app, organiser_client, world):
    first, second = add_slots(app, world.block, [utc(8, 0), utc(8, 15)])
    response = post_form(organiser_client, manage(world, f"slots/{first}/delete"))
    assert response.status_code == 302
    assert [s["id"] for s in slots_of(app, world.event.id)] == [second]


def test_edits_refuse_a_held_slot(app, organiser_client, world, apply_as):
    application = apply_as(world.event, world.acme)
    (slot_id,) = add_slots(app, world.block, [utc(8, 0)], minutes=20)
    set_slot(app, slot_id, application_id=application.id)
    before = db_state(app)
    for path, data in (
        ("shorten", {"end_time": "09:10"}),
        ("split", {"split_time": ""}),
        ("delete", {}),
    ):
        response = post_form(organiser_client, manage(world, f"slots/{slot_id}/{path}"), data)
        assert response.status_code == 400, path
        assert "This slot holds Acme GmbH; only empty slots can be changed." in page(response)
    assert db_state(app) == before


def test_edits_refuse_a_published_slot(app, organiser_client, world):
    (slot_id,) = add_slots(app, world.block, [utc(8, 0)], minutes=20)
    set_slot(app, slot_id, state=SlotState.PUBLISHED)
    before = db_state(app)
    response = post_form(organiser_client, manage(world, f"slots/{slot_id}/delete"))
    assert response.status_code == 400
    assert "This slot is published; it cannot be changed." in page(response)
    assert db_state(app) == before


def test_edit_of_another_events_slot_is_404(app, organiser_client, world):
    before = db_state(app)
    response = post_form(organiser_client, manage(world, f"slots/{world.other_slot.id}/delete"))
    assert response.status_code == 404
    assert db_state(app) == before


def test_edit_of_a_slot_in_a_keynote_is_404(app, organiser_client, world, make_session):
    keynote = make_session(world.event, starts_at=utc(10), kind=SessionKind.KEYNOTE, title="Keynote")
    (slot_id,) = add_slots(app, keynote, [utc(10)])
    before = db_state(app)
    response = post_form(organiser_client, manage(world, f"slots/{slot_id}/delete"))
    assert response.status_code == 404
    assert db_state(app) == before


def test_split_rounds_middle_down_to_the_minute(app, organiser_client, world):
    (slot_id,) = add_slots(app, world.block, [utc(8, 0)], minutes=15)
    response = post_form(organiser_client, manage(world, f"slots/{slot_id}/split"), {"split_time": ""})
    assert response.status_code == 302
    assert [s["ends_at"] - s["starts_at"] for s in slots_of(app, world.event.id)] == [
        timedelta(minutes=7),
        timedelta(minutes=8),
    ]
