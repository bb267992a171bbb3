"""The board: assign, move, swap, unassign, lock; availability confirmation; both clocks; bad input."""

from __future__ import annotations

import re

import pytest

from roadshow.enums import ApplicationStatus, SessionKind, SlotState
from tests.conftest import post_form, recorded_statements
from tests.programme.helpers import (
    add_slots,
    audit_actions,
    db_state,
    holders,
    manage,
    page,
    set_slot,
    slots_of,
    utc,
)


@pytest.fixture
def four_slots(app, world) -> list[int]:
    """Slots 08:00, 08:15, 08:30, 08:45 UTC (09:00 … 09:45 Brussels) of 10 minutes."""
    return add_slots(app, world.block, [utc(8, 0), utc(8, 15), utc(8, 30), utc(8, 45)])


def test_board_shows_event_time_holder_region_and_own_time(
    app, organiser_client, world, apply_as, four_slots
):
    dragon = apply_as(world.event, world.dragon, timezone="Asia/Shanghai")
    set_slot(app, four_slots[0], application_id=dragon.id)
    response = organiser_client.get(manage(world, "board"))
    assert response.status_code == 200
    html = page(response)
    article = html[html.index(f'id="slot-{four_slots[0]}"') :]
    article = article[: article.index("</article>")]
    assert "9:00 AM" in article and "9:10 AM" in article  # Brussels
    assert "Dragon Robotics" in article
    assert ">China</span>" in article
    assert "4:00 PM</time>–4:10 PM" in article  # Shanghai, UTC+8
    assert "Asia/Shanghai, UTC+08:00" in article


def test_assign_puts_company_in_empty_slot(app, organiser_client, world, apply_as, four_slots):
    acme = apply_as(world.event, world.acme)
    response = post_form(
        organiser_client, manage(world, f"board/slots/{four_slots[1]}/assign"), {"application_id": acme.id}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/board#slot-{four_slots[1]}")
    assert holders(app, world.event.id) == {
        four_slots[0]: None,
        four_slots[1]: acme.id,
        four_slots[2]: None,
        four_slots[3]: None,
    }
    assert audit_actions(app, world.event.id) == ["pitch.assigned"]


def test_assign_outside_availability_asks_first_then_confirms(
    app, organiser_client, world, apply_as, four_slots
):
    # Acme is available 09:00–09:20 Berlin; the slot is 09:30–09:40.
    acme = apply_as(world.event, world.acme, windows=[(utc(8, 0), utc(8, 20))])
    before = db_state(app)
    url = manage(world, f"board/slots/{four_slots[2]}/assign")
    response = post_form(organiser_client, url, {"application_id": acme.id})
    assert response.status_code == 200
    html = page(response)
    assert (
        "Acme GmbH is available 9:00 AM–9:20 AM Europe/Berlin on Dec 1, 2026; this slot is "
        "9:30 AM–9:40 AM Europe/Berlin on Dec 1, 2026 (9:30 AM–9:40 AM Europe/Brussels on Dec 1, 2026)."
    ) in html
    assert 'name="confirm"' in html
    assert db_state(app) == before

    response = post_form(organiser_client, url, {"application_id": acme.id, "confirm": "y"})
    assert response.status_code == 302
    assert holders(app, world.event.id)[four_slots[2]] == acme.id


def test_assign_refuses_company_that_holds_a_slot(app, organiser_client, world, apply_as, four_slots):
    acme = apply_as(world.event, world.acme)
    set_slot(app, four_slots[0], application_id=acme.id)
    before = db_state(app)
    response = post_form(
        organiser_client, manage(world, f"board/slots/{four_slots[1]}/assign"), {"application_id": acme.id}
    )
    assert response.status_code == 409
    assert "Acme GmbH already holds the slot at" in page(response)
    assert db_state(app) == before


def test_assign_refuses_a_held_slot_with_conflict(app, organiser_client, world, apply_as, four_slots):
    acme = apply_as(world.event, world.acme)
    nordic = apply_as(world.event, world.nordic)
    set_slot(app, four_slots[0], application_id=acme.id)
    before = db_state(app)
    response = post_form(
        organiser_client, manage(world, f"board/slots/{four_slots[0]}/assign"), {"application_id": nordic.id}
    )
    assert response.status_code == 409
    assert "This slot or company was just taken by another organiser; reload the board" in page(response)
    assert db_state(app) == before


@pytest.mark.parametrize(
    "status", [ApplicationStatus.SUBMITTED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN]
)
def test_assign_refuses_an_application_not_accepted_or_waitlisted(
    app, organiser_client, world, apply_as, four_slots, status
):
    application = apply_as(world.event, world.acme, status=status)
    before = db_state(app)
    response = post_form(
        organiser_client,
        manage(world, f"board/slots/{four_slots[0]}/assign"),
        {"application_id": application.id},
    )
    assert response.status_code == 400
    assert "application is not accepted or waitlisted, so it cannot have a slot." in page(response)
    assert db_state(app) == before


def test_assign_another_events_application_is_404(app, organiser_client, world, apply_as, four_slots):
    foreign = apply_as(world.other_event, world.acme)
    before = db_state(app)
    response = post_form(
        organiser_client, manage(world, f"board/slots/{four_slots[0]}/assign"), {"application_id": foreign.id}
    )
    assert response.status_code == 404
    assert db_state(app) == before


def test_assign_into_another_events_slot_is_404(app, organiser_client, world, apply_as):
    acme = apply_as(world.event, world.acme)
    before = db_state(app)
    response = post_form(
        organiser_client,
        manage(world, f"board/slots/{world.other_slot.id}/assign"),
        {"application_id": acme.id},
    )
    assert response.status_code == 404
    assert db_state(app) == before


def test_assign_with_garbage_id_is_400(app, organiser_client, world, four_slots):
    before = db_state(app)
    response = post_form(
        organiser_client, manage(world, f"board/slots/{four_slots[0]}/assign"), {"application_id": "many"}
    )
    assert response.status_code == 400
    assert db_state(app) == before


def test_move_holder_to_empty_slot(app, organiser_client, world, apply_as, four_slots):
    acme = apply_as(world.event, world.acme)
    set_slot(app, four_slots[0], application_id=acme.id)
    response = post_form(
        organiser_client,
        manage(world, f"board/slots/{four_slots[0]}/move"),
        {"target_slot_id": four_slots[3], "holder": acme.id},
    )
    assert response.status_code == 302
    assert holders(app, world.event.id) == {
        four_slots[0]: None,
        four_slots[1]: None,
        four_slots[2]: None,
        four_slots[3]: acme.id,
    }
    assert audit_actions(app, world.event.id) == ["pitch.moved"]


def test_move_outside_availability_asks_then_moves(app, organiser_client, world, apply_as, four_slots):
    acme = apply_as(world.event, world.acme, windows=[(utc(8, 0), utc(8, 20))])
    set_slot(app, four_slots[0], application_id=acme.id)
    url = manage(world, f"board/slots/{four_slots[0]}/move")
    before = db_state(app)
    response = post_form(organiser_client, url, {"target_slot_id": four_slots[3], "holder": acme.id})
    assert response.status_code == 200
    assert "this slot is 9:45 AM–9:55 AM Europe/Berlin on Dec 1, 2026" in page(response)
    assert db_state(app) == before
    response = post_form(
        organiser_client, url, {"target_slot_id": four_slots[3], "holder": acme.id, "confirm": "y"}
    )
    assert response.status_code == 302
    assert holders(app, world.event.id)[four_slots[3]] == acme.id


def test_move_to_a_held_slot_is_a_conflict(app, organiser_client, world, apply_as, four_slots):
    acme = apply_as(world.event, world.acme)
    nordic = apply_as(world.event, world.nordic)
    set_slot(app, four_slots[0], application_id=acme.id)
    set_slot(app, four_slots[1], application_id=nordic.id)
    before = db_state(app)
    response = post_form(
        organiser_client,
        manage(world, f"board/slots/{four_slots[0]}/move"),
        {"target_slot_id": four_slots[1], "holder": acme.id},
    )
    assert response.status_code == 409
    assert db_state(app) == before


def test_move_when_the_holder_changed_meanwhile_is_a_conflict(
    app, organiser_client, world, apply_as, four_slots
):
    acme = apply_as(world.event, world.acme)
    nordic = apply_as(world.event, world.nordic)
    set_slot(app, four_slots[0], application_id=nordic.id)
    before = db_state(app)
    response = post_form(
        organiser_client,
        manage(world, f"board/slots/{four_slots[0]}/move"),
        {"target_slot_id": four_slots[1], "holder": acme.id},
    )
    assert response.status_code == 409
    assert db_state(app) == before


def test_move_to_another_events_slot_is_404(app, organiser_client, world, apply_as, four_slots):
    acme = apply_as(world.event, world.acme)
    set_slot(app, four_slots[0], application_id=acme.id)
    before = db_state(app)
    response = post_form(
        organiser_client,
        manage(world, f"board/slots/{four_slots[0]}/move"),
        {"target_slot_id": world.other_slot.id, "holder": acme.id},
    )
    assert response.status_code == 404
    assert db_state(app) == before


def test_swap_exchanges_holders(app, organiser_client, world, apply_as, four_slots):
    acme = apply_as(world.event, world.acme)
    nordic = apply_as(world.event, world.nordic)
    set_slot(app, four_slots[0], application_id=acme.id)
    set_slot(app, four_slots[2], application_id=nordic.id)
    response = post_form(
        organiser_client,
        manage(world, f"board/slots/{four_slots[0]}/swap"),
        {"other_slot_id": four_slots[2], "holder": acme.id},
    )
    assert response.status_code == 302
    result = holders(app, world.event.id)
    assert (result[four_slots[0]], result[four_slots[2]]) == (nordic.id, acme.id)
    assert audit_actions(app, world.event.id) == ["pitch.swapped"]


def test_swap_outside_availability_names_both_problems(app, organiser_client, world, apply_as, four_slots):
    acme = apply_as(world.event, world.acme, windows=[(utc(8, 0), utc(8, 10))])
    nordic = apply_as(
        world.event, world.nordic, windows=[(utc(8, 30), utc(8, 40))], timezone="Europe/Stockholm"
    )
    set_slot(app, four_slots[0], application_id=acme.id)
    set_slot(app, four_slots[2], application_id=nordic.id)
    before = db_state(app)
    url = manage(world, f"board/slots/{four_slots[0]}/swap")
    response = post_form(organiser_client, url, {"other_slot_id": four_slots[2], "holder": acme.id})
    assert response.status_code == 200
    html = page(response)
    assert "Acme GmbH is available 9:00 AM–9:10 AM Europe/Berlin" in html
    assert "Nordic Med AB is available 9:30 AM–9:40 AM Europe/Stockholm" in html
    assert db_state(app) == before
    response = post_form(
        organiser_client,
        url,
        {"other_slot_id": four_slots[2], "holder": acme.id, "other_holder": nordic.id, "confirm": "y"},
    )
    assert response.status_code == 302
    result = holders(app, world.event.id)
    assert (result[four_slots[0]], result[four_slots[2]]) == (nordic.id, acme.id)


def test_unassign_frees_slot(app, organiser_client, world, apply_as, four_slots):
    acme = apply_as(world.event, world.acme)
    set_slot(app, four_slots[0], application_id=acme.id)
    response = post_form(
        organiser_client, manage(world, f"board/slots/{four_slots[0]}/unassign"), {"holder": acme.id}
    )
    assert response.status_code == 302
    assert holders(app, world.event.id)[four_slots[0]] is None
    assert audit_actions(app, world.event.id) == ["pitch.unassigned"]


def test_lock_then_unassign_is_refused_until_unlocked(app, organiser_client, world, apply_as, four_slots):
    acme = apply_as(world.event, world.acme)
    set_slot(app, four_slots[0], application_id=acme.id)
    response = post_form(
        organiser_client, manage(world, f"board/slots/{four_slots[0]}/lock"), {"holder": acme.id}
    )
    assert response.status_code == 302
    assert slots_of(app, world.event.id)[0]["locked"] is True
    before = db_state(app)
    for path, data in (
        ("unassign", {"holder": acme.id}),
        ("move", {"target_slot_id": four_slots[1], "holder": acme.id}),
    ):
        response = post_form(organiser_client, manage(world, f"board/slots/{four_slots[0]}/{path}"), data)
        assert response.status_code == 400, path
        assert "This slot is locked; unlock it first." in page(response)
    assert db_state(app) == before
    response = post_form(
        organiser_client, manage(world, f"board/slots/{four_slots[0]}/unlock"), {"holder": acme.id}
    )
    assert response.status_code == 302
    assert slots_of(app, world.event.id)[0]["locked"] is False
    assert audit_actions(app, world.event.id) == ["pitch.locked", "pitch.unlocked"]


def test_lock_refuses_a_pair_the_company_cannot_take_with_the_solvers_message(
    app, organiser_client, world, apply_as, four_slots
):
    acme = apply_as(world.event, world.acme, windows=[(utc(10), utc(11))])
    set_slot(app, four_slots[0], application_id=acme.id)
    before = db_state(app)
    response = post_form(
        organiser_client, manage(world, f"board/slots/{four_slots[0]}/lock"), {"holder": acme.id}
    )
    assert response.status_code == 400
    assert (
        f'locked[0]: company "Acme GmbH #{acme.id}" cannot take slot "slot #{four_slots[0]}" '
        "(2026-12-01T08:00:00Z to 2026-12-01T08:10:00Z): no availability window covers it"
    ) in page(response).replace("&#34;", '"')
    assert db_state(app) == before


def test_lock_refuses_an_empty_slot(app, organiser_client, world, four_slots):
    before = db_state(app)
    response = post_form(organiser_client, manage(world, f"board/slots/{four_slots[0]}/lock"), {})
    assert response.status_code == 400
    assert "Only a slot holding a company can be locked." in page(response)
    assert db_state(app) == before


def test_changing_a_published_slot_raises_its_sequence_and_unpublishes(
    app, organiser_client, world, apply_as, four_slots
):
    acme = apply_as(world.event, world.acme)
    set_slot(app, four_slots[0], application_id=acme.id, state=SlotState.CONFIRMED)
    response = post_form(
        organiser_client,
        manage(world, f"board/slots/{four_slots[0]}/move"),
        {"target_slot_id": four_slots[1], "holder": acme.id},
    )
    assert response.status_code == 302
    first, second = slots_of(app, world.event.id)[:2]
    assert (first["application"], first["state"], first["sequence"]) == (None, "proposed", 1)
    assert (second["application"], second["state"], second["sequence"]) == (acme.id, "proposed", 0)


def test_slot_page_offers_companies_without_a_slot(app, organiser_client, world, apply_as, four_slots):
    acme = apply_as(world.event, world.acme)
    apply_as(world.event, world.nordic, status=ApplicationStatus.REJECTED)
    dragon = apply_as(
        world.event, world.dragon, status=ApplicationStatus.WAITLISTED, windows=[(utc(12), utc(13))]
    )
    response = organiser_client.get(manage(world, f"board/slots/{four_slots[0]}"))
    assert response.status_code == 200
    options = re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>', page(response))
    assert options == [
        (str(acme.id), "Acme GmbH (accepted)"),
        (str(dragon.id), "Dragon Robotics (waitlisted) — outside its availability"),
    ]


def test_slot_page_of_another_event_is_404(organiser_client, world):
    assert organiser_client.get(manage(world, f"board/slots/{world.other_slot.id}")).status_code == 404


def test_board_shows_a_slot_of_a_cancelled_block_marked(app, organiser_client, world, make_session):
    from roadshow.enums import SessionStatus

    block = make_session(
        world.event,
        starts_at=utc(12),
        kind=SessionKind.PITCH_BLOCK,
        title="Cancelled block",
        slot_minutes=10,
        changeover_minutes=0,
        status=SessionStatus.CANCELLED,
    )
    (slot_id,) = add_slots(app, block, [utc(12)])
    html = page(organiser_client.get(manage(world, "board")))
    assert f'class="session board-slot cancelled" id="slot-{slot_id}"' in html


def test_board_query_count_does_not_grow_with_slots(
    app, organiser_client, world, apply_as, make_organisation
):
    """1 slot and 20 slots (every one held by a company) cost the same number of queries."""
    from datetime import timedelta

    def count_queries(url: str) -> int:
        with recorded_statements(app) as statements:
            assert organiser_client.get(url).status_code == 200
        return len(statements)

    starts = [utc(8) + timedelta(minutes=3 * i) for i in range(20)]
    slot_ids = add_slots(app, world.block, starts[:1], minutes=3)
    first = apply_as(world.event, world.acme)
    set_slot(app, slot_ids[0], application_id=first.id)
    one = count_queries(manage(world, "board"))

    more = add_slots(app, world.block, starts[1:], minutes=3)
    for i, slot_id in enumerate(more):
        organisation = make_organisation(f"Company {i:02d}", "FR" if i % 2 else "CN")
        application = apply_as(
            world.event, organisation, timezone="Asia/Shanghai" if i % 2 == 0 else "Europe/Paris"
        )
        set_slot(app, slot_id, application_id=application.id)
    twenty = count_queries(manage(world, "board"))
    assert len(slots_of(app, world.event.id)) == 20
    assert twenty == one, (one, twenty)
    assert one > 3
