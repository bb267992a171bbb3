"""Propose schedule (nothing changes), then apply exactly what was shown, unless the plan changed."""

from __future__ import annotations

import re

import pytest

from roadshow.enums import ApplicationStatus, SlotState
from tests.conftest import post_form
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

TOKEN_RE = re.compile(r'name="proposal"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="proposal"')
ROW_RE = re.compile(r'<tr id="proposal-slot-(\d+)"[^>]*>.*?</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', re.S)


@pytest.fixture
def four_slots(app, world) -> list[int]:
    """Slots 08:00, 08:15, 08:30, 08:45 UTC of 10 minutes."""
    return add_slots(app, world.block, [utc(8, 0), utc(8, 15), utc(8, 30), utc(8, 45)])


def _token(response) -> str:
    match = TOKEN_RE.search(page(response))
    assert match, page(response)[:2000]
    return match.group(1) or match.group(2)


def _proposed_names(response) -> dict[int, str]:
    """Slot id → the proposed holder's name (or "—" / "empty") from the slot-by-slot table."""
    names = {}
    for slot_id, _now, proposed in ROW_RE.findall(page(response)):
        text = re.sub(r"<[^>]+>", "", proposed).replace("Changes", "").strip()
        names[int(slot_id)] = text
    return names


def test_propose_changes_nothing_and_shows_the_proposal(
    app, organiser_client, world, apply_as, four_slots, make_organisation
):
    acme = apply_as(world.event, world.acme, windows=[(utc(8, 0), utc(8, 30))])  # slots 0, 1
    nordic = apply_as(world.event, world.nordic, windows=[(utc(8, 0), utc(8, 15))])  # slot 0 only
    dragon = apply_as(
        world.event, world.dragon, status=ApplicationStatus.WAITLISTED, windows=[(utc(8), utc(9))]
    )
    zeta = apply_as(
        world.event,
        make_organisation("Zeta SARL", "FR"),
        status=ApplicationStatus.WAITLISTED,
        windows=[(utc(14), utc(15))],
    )
    before = db_state(app)
    response = post_form(organiser_client, manage(world, "propose"), {"keep_published": "y"})
    assert response.status_code == 200
    assert db_state(app) == before
    html = page(response)
    proposed = _proposed_names(response)
    assert proposed[four_slots[0]] == "Nordic Med AB"
    assert proposed[four_slots[1]] == "Acme GmbH"
    assert {proposed[four_slots[2]], proposed[four_slots[3]]} == {"Dragon Robotics", "—"}
    placed = html[html.index("Newly placed") : html.index("Without a slot")]
    for name in ("Nordic Med AB", "Acme GmbH", "Dragon Robotics"):
        assert name in placed
    unplaced = html[html.index("Without a slot") : html.index("Slot by slot")]
    assert "Zeta SARL" in unplaced
    assert "no availability window overlaps any slot" in unplaced
    assert {acme.id, nordic.id, dragon.id, zeta.id}  # all four were considered


def test_apply_writes_exactly_the_proposal(app, organiser_client, world, apply_as, four_slots):
    apply_as(world.event, world.acme, windows=[(utc(8, 0), utc(8, 30))])
    apply_as(world.event, world.nordic, windows=[(utc(8, 0), utc(8, 15))])
    apply_as(world.event, world.dragon, status=ApplicationStatus.WAITLISTED, windows=[(utc(8), utc(9))])
    proposal = post_form(organiser_client, manage(world, "propose"), {"keep_published": "y"})
    shown = _proposed_names(proposal)
    response = post_form(organiser_client, manage(world, "apply"), {"proposal": _token(proposal)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(manage(world, "board"))
    names = {"Acme GmbH", "Nordic Med AB", "Dragon Robotics"}
    board = page(organiser_client.get(manage(world, "board")))
    after = slots_of(app, world.event.id)
    for slot in after:
        expected = shown[slot["id"]]
        if expected in names:
            assert slot["application"] is not None
            article = board[board.index(f'id="slot-{slot["id"]}"') :]
            assert expected in article[: article.index("</article>")]
        else:
            assert slot["application"] is None
        assert slot["state"] == "proposed"
    assert sum(1 for s in after if s["application"]) == 3
    assert audit_actions(app, world.event.id) == ["pitch.schedule_applied"]


def test_waitlisted_company_only_fills_a_gap(app, organiser_client, world, apply_as):
    (slot_id,) = add_slots(app, world.block, [utc(8)])
    accepted = apply_as(world.event, world.acme)
    waitlisted = apply_as(world.event, world.dragon, status=ApplicationStatus.WAITLISTED)
    proposal = post_form(organiser_client, manage(world, "propose"), {"keep_published": "y"})
    html = page(proposal)
    unplaced = html[html.index("Without a slot") : html.index("Slot by slot")]
    assert "Dragon Robotics" in unplaced
    assert "the only slot it can take went to a company of higher or equal priority" in unplaced
    post_form(organiser_client, manage(world, "apply"), {"proposal": _token(proposal)})
    assert holders(app, world.event.id) == {slot_id: accepted.id}
    assert waitlisted.id not in holders(app, world.event.id).values()


def test_waitlisted_replaces_nobody_but_takes_a_free_slot(app, organiser_client, world, apply_as):
    first, second = add_slots(app, world.block, [utc(8), utc(8, 15)])
    accepted = apply_as(world.event, world.acme, windows=[(utc(8), utc(8, 10))])
    waitlisted = apply_as(world.event, world.dragon, status=ApplicationStatus.WAITLISTED)
    proposal = post_form(organiser_client, manage(world, "propose"), {"keep_published": "y"})
    post_form(organiser_client, manage(world, "apply"), {"proposal": _token(proposal)})
    assert holders(app, world.event.id) == {first: accepted.id, second: waitlisted.id}


def test_apply_refuses_when_the_plan_changed_since(app, organiser_client, world, apply_as, four_slots):
    apply_as(world.event, world.acme)
    nordic = apply_as(world.event, world.nordic)
    proposal = post_form(organiser_client, manage(world, "propose"), {"keep_published": "y"})
    set_slot(app, four_slots[3], application_id=nordic.id)  # another organiser's change
    before = db_state(app)
    response = post_form(organiser_client, manage(world, "apply"), {"proposal": _token(proposal)})
    assert response.status_code == 409
    assert "The plan changed since this proposal was computed" in page(response)
    assert db_state(app) == before


def test_apply_refuses_a_tampered_proposal(app, organiser_client, world, apply_as, four_slots):
    apply_as(world.event, world.acme)
    proposal = post_form(organiser_client, manage(world, "propose"), {"keep_published": "y"})
    token = _token(proposal)
    before = db_state(app)
    response = post_form(organiser_client, manage(world, "apply"), {"proposal": token[:-3] + "abc"})
    assert response.status_code == 400
    assert "This proposal is damaged or too old." in page(response)
    assert db_state(app) == before


def test_apply_refuses_another_events_proposal(app, client, login, world, apply_as, four_slots, make_user):
    from roadshow.extensions import db
    from roadshow.models import EventOrganiser

    with app.app_context():  # Olga organises both events
        db.session.add(EventOrganiser(event_id=world.other_event.id, user_id=world.organiser.id))
        db.session.commit()
    apply_as(world.other_event, world.acme)
    login(world.organiser)
    proposal = post_form(client, manage(world, "propose", event=world.other_event), {"keep_published": "y"})
    before = db_state(app)
    response = post_form(client, manage(world, "apply"), {"proposal": _token(proposal)})
    assert response.status_code == 400
    assert "This proposal is not for this event." in page(response)
    assert db_state(app) == before


def test_locked_slot_is_kept_and_reason_says_locked(app, organiser_client, world, apply_as, four_slots):
    dragon = apply_as(world.event, world.dragon, status=ApplicationStatus.WAITLISTED)
    nordic = apply_as(world.event, world.nordic, windows=[(utc(8, 0), utc(8, 10))])  # slot 0 only
    set_slot(app, four_slots[0], application_id=dragon.id, locked=True)
    before = db_state(app)
    proposal = post_form(organiser_client, manage(world, "propose"), {"keep_published": "y"})
    html = page(proposal)
    assert "the only slot it can take is locked to another company" in html
    assert "The current plan is already the best one." in html
    assert db_state(app) == before
    after = slots_of(app, world.event.id)
    assert (after[0]["application"], after[0]["locked"]) == (dragon.id, True)
    assert nordic.id not in holders(app, world.event.id).values()


def test_locked_pair_the_company_cannot_take_is_refused_with_the_solvers_message(
    app, organiser_client, world, apply_as, four_slots
):
    acme = apply_as(world.event, world.acme, windows=[(utc(10), utc(11))])
    set_slot(app, four_slots[0], application_id=acme.id, locked=True)
    before = db_state(app)
    response = post_form(organiser_client, manage(world, "propose"), {"keep_published": "y"})
    assert response.status_code == 400
    assert (
        f'company "Acme GmbH #{acme.id}" cannot take slot "slot #{four_slots[0]}" '
        "(2026-12-01T08:00:00Z to 2026-12-01T08:10:00Z): no availability window covers it"
    ) in page(response).replace("&#34;", '"')
    assert db_state(app) == before


def test_published_slots_are_kept_unless_told_otherwise(app, organiser_client, world, apply_as, four_slots):
    # Acme holds the last slot (published); the proposer would rather put Nordic there.
    acme = apply_as(world.event, world.acme)
    nordic = apply_as(world.event, world.nordic, windows=[(utc(8, 45), utc(8, 55))])
    set_slot(app, four_slots[3], application_id=acme.id, state=SlotState.PUBLISHED)
    kept = post_form(organiser_client, manage(world, "propose"), {"keep_published": "y"})
    assert _proposed_names(kept)[four_slots[3]] == "Acme GmbH"
    assert "Every slot it can take is locked or already published to another company." in page(kept)

    moved = post_form(organiser_client, manage(world, "propose"), {})  # box unticked
    assert _proposed_names(moved)[four_slots[3]] == "Nordic Med AB"
    html = page(moved)
    assert "Moves" in html and "Acme GmbH" in html[html.index("Moves") : html.index("Newly placed")]
    post_form(organiser_client, manage(world, "apply"), {"proposal": _token(moved)})
    result = {s["id"]: s for s in slots_of(app, world.event.id)}
    assert result[four_slots[3]]["application"] == nordic.id
    assert result[four_slots[3]]["sequence"] == 1  # Acme had been told about this slot
    assert acme.id in holders(app, world.event.id).values()


def test_propose_without_slots_says_so(app, organiser_client, world, apply_as):
    apply_as(world.event, world.acme)
    response = post_form(organiser_client, manage(world, "propose"), {"keep_published": "y"})
    assert response.status_code == 400
    assert "There are no pitch slots yet." in page(response)


def test_apply_leaves_locked_slots_untouched(app, organiser_client, world, apply_as, four_slots):
    dragon = apply_as(world.event, world.dragon, status=ApplicationStatus.WAITLISTED)
    acme = apply_as(world.event, world.acme, windows=[(utc(8, 0), utc(8, 30))])
    set_slot(app, four_slots[1], application_id=dragon.id, locked=True)
    proposal = post_form(organiser_client, manage(world, "propose"), {"keep_published": "y"})
    assert _proposed_names(proposal)[four_slots[1]] == "Dragon Robotics"
    assert (
        post_form(organiser_client, manage(world, "apply"), {"proposal": _token(proposal)}).status_code == 302
    )
    after = {s["id"]: s for s in slots_of(app, world.event.id)}
    assert (after[four_slots[1]]["application"], after[four_slots[1]]["locked"]) == (dragon.id, True)
    assert after[four_slots[0]]["application"] == acme.id


def test_apply_is_refused_on_an_archived_event(app, organiser_client, world, apply_as, four_slots):
    from roadshow.enums import EventStatus
    from roadshow.extensions import db
    from roadshow.models import Event

    apply_as(world.event, world.acme)
    proposal = post_form(organiser_client, manage(world, "propose"), {"keep_published": "y"})
    with app.app_context():
        db.session.get(Event, world.event.id).status = EventStatus.ARCHIVED
        db.session.commit()
    before = db_state(app)
    response = post_form(organiser_client, manage(world, "apply"), {"proposal": _token(proposal)})
    assert response.status_code == 400
    assert "This event is archived; it can no longer be changed." in page(response)
    assert db_state(app) == before
