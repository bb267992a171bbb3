"""Races through the HTTP layer, on SQLite and PostgreSQL: 50 organisers' browsers claim one pitch
slot for 50 companies at once → exactly one succeeds, the others get a clear 409, never a 5xx; and
50 people register for the last seats → never over capacity.

Each claim runs in its own thread with its own test client (its own database connection and
transaction), released together by a barrier. The control runs replace the guard (the row lock,
or the write lock SQLite takes instead) by a plain read, with a short pause that any real server
could take between reading and writing, and show that the race then happens: the harness can see
a double booking, so its absence with the guard is meaningful.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from roadshow.enums import ApplicationStatus, RegistrationStatus
from roadshow.extensions import db
from roadshow.models import (
    AuditLogEntry,
    Base,
    Event,
    Organisation,
    PitchApplication,
    PitchSlot,
    Registration,
    User,
)
from roadshow.programme import services as programme
from tests.conftest import TEST_PASSWORD, csrf_token, post_form
from tests.threats.world import DAY_A, World, signed_in_client, utc

CLAIMS = 50
CONFLICT = "This slot or company was just taken by another organiser; reload the board and try again."


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run *calls* in threads released together; their results (or exceptions) in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:  # reported by the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _companies(app, world: World, count: int) -> list[int]:
    """*count* more accepted applications to event A (their own companies); their ids."""
    with app.app_context():
        organisations = [
            Organisation(name=f"Racer {i} GmbH", normalised_name=f"racer {i}", country="DE", region="EU")
            for i in range(count)
        ]
        db.session.add_all(organisations)
        db.session.flush()
        applications = [
            PitchApplication(
                event_id=world.event_a.id,
                organisation_id=organisation.id,
                status=ApplicationStatus.ACCEPTED,
                title=f"Project {i}",
                summary="Fast.",
                stage="prototype",
                timezone="Europe/Brussels",
            )
            for i, organisation in enumerate(organisations)
        ]
        db.session.add_all(applications)
        db.session.commit()
        return [application.id for application in applications]


def _organiser_clients(app, world: World, count: int) -> list[tuple[Any, str]]:
    clients = []
    for _ in range(count):
        client = signed_in_client(app, world.user("organiser_a"))
        clients.append((client, csrf_token(client)))
    return clients


def _claim_all(app, world: World) -> tuple[list[Any], list[int]]:
    applications = _companies(app, world, CLAIMS)
    clients = _organiser_clients(app, world, CLAIMS)
    url = f"/manage/events/{world.event_a.id}/pitches/board/slots/{world.slot_a_empty}/assign"
    calls = [
        lambda client=client, token=token, application=application: post_form(
            client, url, {"application_id": str(application), "confirm": "y", "csrf_token": token}
        )
        for (client, token), application in zip(clients, applications, strict=True)
    ]
    return race(calls), applications


def _holder(app, slot_id: int) -> int | None:
    with app.app_context():
        return db.session.get(PitchSlot, slot_id).application_id


def _assigned_entries(app, slot_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditLogEntry)
            .where(AuditLogEntry.action == "pitch.assigned", AuditLogEntry.target_id == slot_id)
        )


def test_fifty_concurrent_claims_of_one_slot_one_wins_the_rest_409(app, world: World):
    responses, applications = _claim_all(app, world)
    errors = [r for r in responses if isinstance(r, Exception)]
    assert errors == []
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302] + [409] * (CLAIMS - 1)
    winner = applications[next(i for i, r in enumerate(responses) if r.status_code == 302)]
    assert _holder(app, world.slot_a_empty) == winner
    assert _assigned_entries(app, world.slot_a_empty) == 1
    loser = next(r for r in responses if r.status_code == 409)
    assert CONFLICT in loser.get_data(as_text=True)


def _unguarded_lock_slots(everyone_has_read: threading.Barrier) -> Callable[[list[int]], dict]:
    """The guard removed: a plain read of the slots; every request reads before any of them writes.

    Waiting for all readers makes the interleaving that a busy server produces by chance certain,
    so the control shows the race on every run (and on SQLite as on PostgreSQL).
    """

    def read_slots(slot_ids: list[int]) -> dict:
        rows = db.session.scalars(
            sa.select(PitchSlot)
            .where(PitchSlot.id.in_(sorted(set(slot_ids))))
            .execution_options(populate_existing=True)
        ).all()
        try:
            everyone_has_read.wait()
        except threading.BrokenBarrierError:
            time.sleep(0.05)
        return {row.id: row for row in rows}

    return read_slots


def test_control_without_the_slot_lock_the_harness_sees_a_double_booking(app, world: World, monkeypatch):
    monkeypatch.setattr(
        programme, "_lock_slots", _unguarded_lock_slots(threading.Barrier(CLAIMS, timeout=20))
    )
    monkeypatch.setattr(programme, "_lock_application", lambda application: None)
    responses, _ = _claim_all(app, world)
    successes = [r for r in responses if not isinstance(r, Exception) and r.status_code == 302]
    # Several requests each believed they gave the slot away: the race the guard prevents.
    assert len(successes) > 1
    assert _assigned_entries(app, world.slot_a_empty) == len(successes)


# --- One company claimed for many slots: the UNIQUE constraint --------------------------------------


def _claim_one_company_for_many_slots(app, world: World, count: int) -> tuple[list[Any], list[int]]:
    with app.app_context():
        slots = [
            PitchSlot(
                session_id=world.empty_block_a.id,
                starts_at=world.empty_block_a.starts_at
                + (i * (world.empty_block_a.ends_at - world.empty_block_a.starts_at) / count),
                ends_at=world.empty_block_a.starts_at
                + ((i + 1) * (world.empty_block_a.ends_at - world.empty_block_a.starts_at) / count),
            )
            for i in range(count)
        ]
        db.session.add_all(slots)
        db.session.commit()
        slot_ids = [slot.id for slot in slots]
    clients = _organiser_clients(app, world, count)
    calls = [
        lambda client=client, token=token, slot=slot: post_form(
            client,
            f"/manage/events/{world.event_a.id}/pitches/board/slots/{slot}/assign",
            {"application_id": str(world.app_c.id), "confirm": "y", "csrf_token": token},
        )
        for (client, token), slot in zip(clients, slot_ids, strict=True)
    ]
    return race(calls), slot_ids


def test_one_company_claimed_for_twenty_slots_at_once_gets_exactly_one(app, world: World):
    responses, _ = _claim_one_company_for_many_slots(app, world, 20)
    assert [r for r in responses if isinstance(r, Exception)] == []
    assert sorted(r.status_code for r in responses) == [302] + [409] * 19
    with app.app_context():
        held = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PitchSlot)
            .where(PitchSlot.application_id == world.app_c.id)
        )
    assert held == 1


def test_control_without_locks_the_unique_constraint_still_allows_one_holder(app, world: World, monkeypatch):
    """With the locks and the holder check removed, UNIQUE(application_id) is the last line: the
    losers fail on it (409 through the routes' IntegrityError handling), never a second holder."""
    monkeypatch.setattr(programme, "_lock_slots", _unguarded_lock_slots(threading.Barrier(10, timeout=20)))
    monkeypatch.setattr(programme, "_lock_application", lambda application: None)
    monkeypatch.setattr(programme, "_slot_holding", lambda application_id: None)
    responses, _ = _claim_one_company_for_many_slots(app, world, 10)
    assert [r for r in responses if isinstance(r, Exception)] == []
    statuses = [r.status_code for r in responses]
    assert statuses.count(302) == 1
    assert sorted(set(statuses)) == [302, 409]
    with app.app_context():
        held = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PitchSlot)
            .where(PitchSlot.application_id == world.app_c.id)
        )
    assert held == 1


def _schema_without_unique_holder(url: str) -> None:
    """Create every table in the database at *url*, but pitch_slots without UNIQUE(application_id)."""
    metadata = sa.MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    slots = metadata.tables["pitch_slots"]
    slots.c.application_id.unique = False
    slots.constraints = {
        constraint
        for constraint in slots.constraints
        if not (
            isinstance(constraint, sa.UniqueConstraint) and constraint.columns.keys() == ["application_id"]
        )
    }
    engine = sa.create_engine(url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


def _throwaway_world(application, slot_count: int) -> tuple[int, int, list[int], User]:
    """An organiser, a roadshow with a pitch block of *slot_count* slots, one accepted company."""
    from roadshow.auth.services import hash_password
    from roadshow.enums import EventKind, EventStatus, SessionKind
    from roadshow.models import EventOrganiser, ProgrammeSession

    with application.app_context():
        organiser = User(email="olga@example.org", name="Olga", password_hash=hash_password(TEST_PASSWORD))
        event = Event(
            slug="throwaway",
            kind=EventKind.ROADSHOW,
            status=EventStatus.PUBLISHED,
            title="Throwaway",
            timezone="Europe/Brussels",
            start_date=DAY_A,
            end_date=DAY_A,
        )
        db.session.add_all([organiser, event])
        db.session.flush()
        block = ProgrammeSession(
            event_id=event.id,
            kind=SessionKind.PITCH_BLOCK,
            title="Pitches",
            starts_at=utc(8),
            ends_at=utc(8) + timedelta(minutes=10 * slot_count),
            slot_minutes=10,
            changeover_minutes=0,
        )
        organisation = Organisation(name="Gamma AB", normalised_name="gamma", country="SE", region="EU")
        db.session.add_all([EventOrganiser(event_id=event.id, user_id=organiser.id), block, organisation])
        db.session.flush()
        application_row = PitchApplication(
            event_id=event.id,
            organisation_id=organisation.id,
            status=ApplicationStatus.ACCEPTED,
            title="Scanner",
            summary="Fast.",
            stage="prototype",
            timezone="Europe/Brussels",
        )
        slots = [
            PitchSlot(
                session_id=block.id,
                starts_at=utc(8) + timedelta(minutes=10 * i),
                ends_at=utc(8) + timedelta(minutes=10 * (i + 1)),
            )
            for i in range(slot_count)
        ]
        db.session.add_all([application_row, *slots])
        db.session.commit()
        ids = event.id, application_row.id, [slot.id for slot in slots]
        db.session.refresh(organiser)
        db.session.expunge(organiser)
        return (*ids, organiser)


def test_control_without_the_unique_constraint_one_company_holds_several_slots(
    fresh_database, make_app, restore_limiter, monkeypatch, database_kind
):
    """On a throwaway schema without UNIQUE(pitch_slots.application_id), with the locks and the
    holder check removed, concurrent claims put one company into several slots: what the
    constraint (and the guards before it) exist to prevent."""
    url = fresh_database(database_kind)
    _schema_without_unique_holder(url)
    application = make_app(url)
    event_id, application_id, slot_ids, organiser = _throwaway_world(application, 10)
    monkeypatch.setattr(
        programme, "_lock_slots", _unguarded_lock_slots(threading.Barrier(len(slot_ids), timeout=20))
    )
    monkeypatch.setattr(programme, "_lock_application", lambda application: None)
    monkeypatch.setattr(programme, "_slot_holding", lambda application_id: None)
    clients = []
    for _ in slot_ids:
        client = signed_in_client(application, organiser)
        clients.append((client, csrf_token(client)))
    responses = race(
        [
            lambda client=client, token=token, slot=slot: post_form(
                client,
                f"/manage/events/{event_id}/pitches/board/slots/{slot}/assign",
                {"application_id": str(application_id), "confirm": "y", "csrf_token": token},
            )
            for (client, token), slot in zip(clients, slot_ids, strict=True)
        ]
    )
    assert [r for r in responses if isinstance(r, Exception)] == []
    with application.app_context():
        held = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PitchSlot)
            .where(PitchSlot.application_id == application_id)
        )
    assert held > 1


# --- Capacity -----------------------------------------------------------------------------------------

SEATS = 5
REGISTRANTS = 30


def _registrants(app, make_user, count: int) -> list[tuple[Any, str]]:
    clients = []
    for i in range(count):
        user = make_user(f"racer{i}@example.org")
        client = signed_in_client(app, user)
        clients.append((client, csrf_token(client)))
    return clients


def _register_all(app, world: World, make_user) -> list[Any]:
    with app.app_context():
        db.session.get(Event, world.event_a.id).capacity = SEATS + 1  # the attendee holds one seat
        db.session.commit()
    clients = _registrants(app, make_user, REGISTRANTS)
    return race(
        [
            lambda client=client, token=token: post_form(
                client, "/events/event-a/register", {"role": "attendee", "csrf_token": token}
            )
            for client, token in clients
        ]
    )


def _seats(app, event_id: int) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Registration.status, sa.func.count())
            .where(Registration.event_id == event_id)
            .group_by(Registration.status)
        ).all()
    return {status.value: count for status, count in rows}


def test_concurrent_registrations_never_exceed_capacity(app, world: World, make_user):
    responses = _register_all(app, world, make_user)
    assert [r for r in responses if isinstance(r, Exception)] == []
    assert [r.status_code for r in responses] == [302] * REGISTRANTS
    assert _seats(app, world.event_a.id) == {
        RegistrationStatus.REGISTERED.value: SEATS + 1,
        RegistrationStatus.WAITLISTED.value: REGISTRANTS - SEATS,
    }


def test_control_without_the_event_lock_registrations_overbook(app, world: World, make_user, monkeypatch):
    from roadshow.attendees import services as attendees

    original_is_full = attendees._is_full

    def unguarded_lock_event(event):
        return db.session.scalars(
            sa.select(Event).where(Event.id == event.id).execution_options(populate_existing=True)
        ).one()

    def slow_is_full(event):
        full = original_is_full(event)
        time.sleep(0.05)
        return full

    monkeypatch.setattr(attendees, "_lock_event", unguarded_lock_event)
    monkeypatch.setattr(attendees, "_is_full", slow_is_full)
    responses = _register_all(app, world, make_user)
    assert [r for r in responses if isinstance(r, Exception)] == []
    assert _seats(app, world.event_a.id).get(RegistrationStatus.REGISTERED.value, 0) > SEATS + 1
