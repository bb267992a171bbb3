"""The company side: its published slots, confirm, decline; the board's suggestion for a freed slot."""

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
    programme_version,
    releases_of,
    set_slot,
    slots_of,
    utc,
)


@pytest.fixture
def published(app, world, apply_as, client, login):
    """Acme (08:00) and Dragon (08:15) placed and published by the organiser; then logged out."""
    slot_ids = add_slots(app, world.block, [utc(8, 0), utc(8, 15), utc(8, 30)])
    acme = apply_as(world.event, world.acme, windows=[(utc(8), utc(8, 40))])
    dragon = apply_as(world.event, world.dragon, timezone="Asia/Shanghai")
    set_slot(app, slot_ids[0], application_id=acme.id)
    set_slot(app, slot_ids[1], application_id=dragon.id)
    login(world.organiser)
    assert post_form(client, manage(world, "publish")).status_code == 302
    post_form(client, "/logout")
    return slot_ids, acme, dragon


def test_member_sees_published_slot_with_both_clocks(app, client, login, world, published):
    slot_ids, _acme, _dragon = published
    login(world.li)
    response = client.get("/my/slots/")
    assert response.status_code == 200
    html = page(response)
    assert "Dragon Robotics" in html
    assert "Acme GmbH" not in html
    assert "Europe/Brussels, UTC+01:00" in html
    assert "Asia/Shanghai, UTC+08:00" in html
    assert "16:15</time>–16:25" in html  # Li reads Chinese: 24-hour clock, Shanghai time
    assert f'action="/my/slots/{slot_ids[1]}/confirm"' in html


def test_unpublished_slot_is_not_shown_to_the_company(app, client, login, world, apply_as):
    (slot_id,) = add_slots(app, world.block, [utc(8)])
    acme = apply_as(world.event, world.acme)
    set_slot(app, slot_id, application_id=acme.id)
    login(world.anna)
    html = page(client.get("/my/slots/"))
    assert "None of your organisations has a published pitch slot yet." in html


def test_confirm_marks_slot_confirmed(app, client, login, world, published):
    slot_ids, acme, _dragon = published
    login(world.anna)
    version = programme_version(app, world.event.id)
    response = post_form(client, f"/my/slots/{slot_ids[0]}/confirm")
    assert response.status_code == 302
    slot = slots_of(app, world.event.id)[0]
    assert (slot["application"], slot["state"]) == (acme.id, "confirmed")
    assert programme_version(app, world.event.id) == version + 1
    assert audit_actions(app, world.event.id)[-1] == "pitch.confirmed"
    response = post_form(client, f"/my/slots/{slot_ids[0]}/confirm")
    assert response.status_code == 400
    assert "You have already confirmed this slot." in page(response)


def test_decline_frees_the_slot_and_keeps_history(app, client, login, world, published):
    slot_ids, _acme, _dragon = published
    login(world.anna)
    version = programme_version(app, world.event.id)
    response = post_form(client, f"/my/slots/{slot_ids[0]}/decline", {"confirm": "y"})
    assert response.status_code == 302
    slot = slots_of(app, world.event.id)[0]
    assert (slot["application"], slot["state"], slot["sequence"]) == (None, "declined", 1)
    assert programme_version(app, world.event.id) == version + 1
    assert audit_actions(app, world.event.id)[-1] == "pitch.declined"
    assert "None of your organisations has a published pitch slot yet." in page(client.get("/my/slots/"))


def test_decline_needs_the_confirmation_box(app, client, login, world, published):
    slot_ids, _acme, _dragon = published
    login(world.anna)
    before = db_state(app)
    response = post_form(client, f"/my/slots/{slot_ids[0]}/decline", {})
    assert response.status_code == 400
    assert db_state(app) == before


def test_other_companys_slot_is_404_and_unchanged(app, client, login, world, published):
    slot_ids, _acme, _dragon = published
    login(world.anna)
    before = db_state(app)
    assert post_form(client, f"/my/slots/{slot_ids[1]}/confirm").status_code == 404
    assert post_form(client, f"/my/slots/{slot_ids[1]}/decline", {"confirm": "y"}).status_code == 404
    assert post_form(client, f"/my/slots/{slot_ids[2]}/confirm").status_code == 404  # empty slot
    assert db_state(app) == before


def test_anonymous_company_routes_redirect_to_login(app, client, world, published):
    slot_ids, _acme, _dragon = published
    before = db_state(app)
    assert client.get("/my/slots/").status_code == 302
    response = post_form(client, f"/my/slots/{slot_ids[0]}/confirm")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert db_state(app) == before


def test_board_suggests_best_waitlisted_for_a_declined_slot(
    app, client, login, world, published, apply_as, make_organisation
):
    slot_ids, acme, _dragon = published
    # Nordic (waitlisted) can take the freed 08:00 slot; Zeta (waitlisted) cannot.
    nordic = apply_as(
        world.event, world.nordic, status=ApplicationStatus.WAITLISTED, windows=[(utc(8), utc(8, 10))]
    )
    apply_as(
        world.event,
        make_organisation("Zeta SARL", "FR"),
        status=ApplicationStatus.WAITLISTED,
        windows=[(utc(15), utc(16))],
    )
    login(world.anna)
    post_form(client, f"/my/slots/{slot_ids[0]}/decline", {"confirm": "y"})
    post_form(client, "/logout")
    login(world.organiser)
    html = page(client.get(manage(world, "board")))
    article = html[html.index(f'id="slot-{slot_ids[0]}"') :]
    article = article[: article.index("</article>")]
    assert "Suggested: Nordic Med AB" in article
    assert (
        "Highest on the waiting list that can take it; available 9:00 AM–9:10 AM Europe/Berlin on "
        "Dec 1, 2026; can take 1 free slot(s)."
    ) in article
    assert "Zeta SARL" not in article
    match = re.search(r'<input type="hidden" name="application_id" value="(\d+)">', article)
    assert match and int(match.group(1)) == nordic.id

    response = post_form(
        client, manage(world, f"board/slots/{slot_ids[0]}/assign"), {"application_id": nordic.id}
    )
    assert response.status_code == 302
    slot = slots_of(app, world.event.id)[0]
    assert (slot["application"], slot["state"]) == (nordic.id, "proposed")
    # Publishing tells Nordic; Acme's departure is in the changelog as declined, without an e-mail.
    assert post_form(client, manage(world, "publish")).status_code == 302
    release = releases_of(app, world.event.id)[-1]
    kinds = sorted((e["kind"], e["application"], e.get("declined", False)) for e in release.changelog)
    assert kinds == [("added", nordic.id, False), ("removed", acme.id, True)]


def test_suggestion_prefers_an_accepted_company_without_a_slot(
    app, client, login, world, published, apply_as, make_organisation
):
    slot_ids, _acme, _dragon = published
    # The 08:30 slot was freed; Nordic (waitlisted) and Zeta (accepted, not placed) can both take it.
    set_slot(app, slot_ids[2], state=SlotState.DECLINED)
    apply_as(
        world.event, world.nordic, status=ApplicationStatus.WAITLISTED, windows=[(utc(8, 30), utc(8, 40))]
    )
    apply_as(
        world.event, make_organisation("Zeta SARL", "FR"), windows=[(utc(8), utc(9))], timezone="Europe/Paris"
    )
    login(world.organiser)
    html = page(client.get(manage(world, "board")))
    article = html[html.index(f'id="slot-{slot_ids[2]}"') :]
    article = article[: article.index("</article>")]
    assert "Suggested: Zeta SARL" in article
    assert (
        "Accepted and not placed yet; available 9:00 AM–10:00 AM Europe/Paris on Dec 1, 2026; "
        "can take 1 free slot(s)."
    ) in article
    assert holders(app, world.event.id)[slot_ids[2]] is None


def test_company_is_not_offered_the_time_it_declined(app, client, login, world, published):
    slot_ids, acme, _dragon = published
    login(world.anna)
    post_form(client, f"/my/slots/{slot_ids[0]}/decline", {"confirm": "y"})
    post_form(client, "/logout")
    login(world.organiser)
    # The board suggests nobody (Acme declined that time), the proposer puts Acme in 08:30 instead.
    html = page(client.get(manage(world, "board")))
    article = html[html.index(f'id="slot-{slot_ids[0]}"') :]
    assert "No company without a slot can take this one." in article[: article.index("</article>")]
    proposal = page(post_form(client, manage(world, "propose"), {"keep_published": "y"}))
    assert re.search(
        rf'<tr id="proposal-slot-{slot_ids[2]}"[^>]*>.*?<strong>Acme GmbH</strong>', proposal, re.S
    )
    # Giving it back by hand asks first.
    before = db_state(app)
    response = post_form(
        client, manage(world, f"board/slots/{slot_ids[0]}/assign"), {"application_id": acme.id}
    )
    assert response.status_code == 200
    assert "Acme GmbH declined a slot at this time (9:00 AM–9:10 AM Europe/Brussels on Dec 1, 2026)." in page(
        response
    )
    assert db_state(app) == before


def test_member_sees_a_slot_being_changed(app, client, login, world, published):
    slot_ids, acme, _dragon = published
    login(world.organiser)
    post_form(
        client,
        manage(world, f"board/slots/{slot_ids[0]}/move"),
        {"target_slot_id": slot_ids[2], "holder": acme.id},
    )
    post_form(client, "/logout")
    login(world.anna)
    html = page(client.get("/my/slots/"))
    assert "The organisers are changing your pitch slot." in html
    assert "Confirm this slot" not in html
