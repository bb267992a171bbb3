"""Two organisers at once can never double-book: row locks, the UNIQUE constraint, a clear 409.

These need real concurrent transactions, hence PostgreSQL (SQLite runs one writer at a time and
ignores SELECT … FOR UPDATE).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from roadshow.extensions import db
from roadshow.models import EventOrganiser, PitchApplication, PitchSlot, User
from roadshow.programme import services
from tests.conftest import csrf_token, post_form
from tests.programme.helpers import add_slots, holders, manage, page, utc


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL: SQLite has no row locks and runs one writer at a time")


@pytest.fixture
def co_organiser(app, world, make_user) -> User:
    """A second organiser of event A."""
    user = make_user("carl@example.org", name="Carl Coorganiser")
    with app.app_context():
        db.session.add(EventOrganiser(event_id=world.event.id, user_id=user.id))
        db.session.commit()
    return user


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run *calls* in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return results


def _client_of(app, login, user):
    client = app.test_client()
    login(user, on=client)
    return client, csrf_token(client)


def test_two_organisers_assign_two_companies_to_one_slot_one_wins(app, login, world, co_organiser, apply_as):
    (slot_id,) = add_slots(app, world.block, [utc(8)])
    acme = apply_as(world.event, world.acme)
    nordic = apply_as(world.event, world.nordic)
    first, first_token = _client_of(app, login, world.organiser)
    second, second_token = _client_of(app, login, co_organiser)
    url = manage(world, f"board/slots/{slot_id}/assign")
    responses = _race(
        lambda: post_form(first, url, {"application_id": acme.id, "csrf_token": first_token}),
        lambda: post_form(second, url, {"application_id": nordic.id, "csrf_token": second_token}),
    )
    assert sorted(r.status_code for r in responses) == [302, 409]
    winner = acme.id if responses[0].status_code == 302 else nordic.id
    loser = next(r for r in responses if r.status_code == 409)
    assert "This slot or company was just taken by another organiser; reload the board" in page(loser)
    assert holders(app, world.event.id) == {slot_id: winner}


def test_two_organisers_assign_one_company_to_two_slots_one_wins(app, login, world, co_organiser, apply_as):
    first_slot, second_slot = add_slots(app, world.block, [utc(8), utc(8, 15)])
    acme = apply_as(world.event, world.acme)
    first, first_token = _client_of(app, login, world.organiser)
    second, second_token = _client_of(app, login, co_organiser)
    responses = _race(
        lambda: post_form(
            first,
            manage(world, f"board/slots/{first_slot}/assign"),
            {"application_id": acme.id, "csrf_token": first_token},
        ),
        lambda: post_form(
            second,
            manage(world, f"board/slots/{second_slot}/assign"),
            {"application_id": acme.id, "csrf_token": second_token},
        ),
    )
    assert sorted(r.status_code for r in responses) == [302, 409]
    result = holders(app, world.event.id)
    assert sorted(result.values(), key=lambda v: v is None) == [acme.id, None]
    assert list(result.values()).count(acme.id) == 1


def _assign_in_own_transaction(
    app,
    user_id: int,
    slot_id: int,
    application_id: int,
    *,
    hold: float = 0.0,
    flushed: threading.Event | None = None,
) -> tuple[str, float]:
    """Call services.assign in a transaction of its own; commit after *hold* seconds. Returns the
    outcome ("done" or "conflict") and how long the call waited."""
    with app.app_context():
        user = db.session.get(User, user_id)
        slot = db.session.get(PitchSlot, slot_id)
        event = slot.session.event
        application = db.session.get(PitchApplication, application_id)
        started = time.perf_counter()
        try:
            services.assign(user, event, slot, application)
        except services.SlotConflictError:
            db.session.rollback()
            return "conflict", time.perf_counter() - started
        waited = time.perf_counter() - started
        if flushed is not None:
            flushed.set()
        time.sleep(hold)
        db.session.commit()
        return "done", waited


def test_second_transaction_waits_for_the_slot_lock_then_sees_it_taken(app, world, apply_as):
    (slot_id,) = add_slots(app, world.block, [utc(8)])
    acme = apply_as(world.event, world.acme)
    nordic = apply_as(world.event, world.nordic)
    flushed = threading.Event()
    outcome: dict[str, tuple[str, float]] = {}

    def first() -> None:
        outcome["first"] = _assign_in_own_transaction(
            app, world.organiser.id, slot_id, acme.id, hold=0.4, flushed=flushed
        )

    thread = threading.Thread(target=first)
    thread.start()
    assert flushed.wait(10)
    outcome["second"] = _assign_in_own_transaction(app, world.organiser.id, slot_id, nordic.id)
    thread.join(10)
    assert outcome["first"][0] == "done"
    assert outcome["second"][0] == "conflict"
    assert outcome["second"][1] >= 0.2  # it waited for the first transaction's row lock
    assert holders(app, world.event.id) == {slot_id: acme.id}


def test_unique_constraint_stops_a_writer_that_skips_the_locks(app, login, world, apply_as):
    """Another writer puts Acme in slot 1 without our locks; our request for slot 2 then fails on
    UNIQUE(application_id) and answers 409, changing nothing."""
    first_slot, second_slot = add_slots(app, world.block, [utc(8), utc(8, 15)])
    acme = apply_as(world.event, world.acme)
    client, token = _client_of(app, login, world.organiser)
    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    transaction = connection.begin()
    connection.execute(sa.update(PitchSlot).where(PitchSlot.id == first_slot).values(application_id=acme.id))

    def commit_later() -> None:
        time.sleep(0.4)
        transaction.commit()

    thread = threading.Thread(target=commit_later)
    thread.start()
    try:
        response = post_form(
            client,
            manage(world, f"board/slots/{second_slot}/assign"),
            {"application_id": acme.id, "csrf_token": token},
        )
    finally:
        thread.join(10)
        connection.close()
    assert response.status_code == 409
    assert "This slot or company was just taken by another organiser; reload the board" in page(response)
    assert holders(app, world.event.id) == {first_slot: acme.id, second_slot: None}


def test_publishing_while_a_company_declines_never_deadlocks(app, login, world, apply_as):
    first_slot, second_slot = add_slots(app, world.block, [utc(8), utc(8, 15)])
    acme = apply_as(world.event, world.acme)
    nordic = apply_as(world.event, world.nordic)
    organiser, organiser_token = _client_of(app, login, world.organiser)
    url = manage(world, f"board/slots/{first_slot}/assign")
    post_form(organiser, url, {"application_id": acme.id, "csrf_token": organiser_token})
    assert post_form(organiser, manage(world, "publish"), {"csrf_token": organiser_token}).status_code == 302
    # Something new to publish (Nordic), while Acme gives its slot back.
    url = manage(world, f"board/slots/{second_slot}/assign")
    post_form(organiser, url, {"application_id": nordic.id, "csrf_token": organiser_token})
    company, company_token = _client_of(app, login, world.anna)
    responses = _race(
        lambda: post_form(organiser, manage(world, "publish"), {"csrf_token": organiser_token}),
        lambda: post_form(
            company, f"/my/slots/{first_slot}/decline", {"confirm": "y", "csrf_token": company_token}
        ),
    )
    assert [r.status_code for r in responses] == [302, 302]
    assert holders(app, world.event.id) == {first_slot: None, second_slot: nordic.id}
