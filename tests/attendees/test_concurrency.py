"""Many people registering for the last seats at once: never over capacity, everyone else waits.

Needs real concurrent transactions, hence PostgreSQL (SQLite runs one writer at a time and ignores
SELECT … FOR UPDATE, so the race cannot happen there).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from roadshow.enums import RegistrationStatus
from roadshow.extensions import db
from tests.attendees.conftest import logged_in_client, outbox, registrations, set_capacity
from tests.conftest import csrf_token, post_form

THREADS = 24
CAPACITY = 5


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL: SQLite has no row locks and runs one writer at a time")


def _race(calls: list[Any]) -> list[Any]:
    """Run *calls* in threads released together by a barrier; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _signed_in_clients(app, login, make_user, count: int) -> list[tuple[Any, str, Any]]:
    """*count* users, each with their own signed-in client and CSRF token."""
    clients = []
    for i in range(count):
        user = make_user(f"racer{i}@example.org")
        client = logged_in_client(app, login, user)
        clients.append((user, csrf_token(client), client))
    return clients


def test_concurrent_registrations_never_exceed_capacity(app, login, make_user, summit):
    set_capacity(app, summit.event, CAPACITY)
    racers = _signed_in_clients(app, login, make_user, THREADS)
    responses = _race(
        [
            lambda client=client, token=token: post_form(
                client, "/events/summit/register", {"role": "attendee", "csrf_token": token}
            )
            for _, token, client in racers
        ]
    )
    assert [response.status_code for response in responses] == [302] * THREADS
    statuses = [status for status, _ in registrations(app, summit.event).values()]
    assert statuses.count(RegistrationStatus.REGISTERED.value) == CAPACITY
    assert statuses.count(RegistrationStatus.WAITLISTED.value) == THREADS - CAPACITY


def test_concurrent_cancellations_promote_each_waiting_person_once(
    app, login, make_user, make_registration, summit
):
    set_capacity(app, summit.event, CAPACITY)
    holders = _signed_in_clients(app, login, make_user, CAPACITY)
    seats = {user.id: make_registration(summit.event, user).id for user, _, _ in holders}
    waiting = [make_user(f"waiting{i}@example.org") for i in range(THREADS - CAPACITY)]
    for user in waiting:
        make_registration(summit.event, user, status=RegistrationStatus.WAITLISTED)
    responses = _race(
        [
            lambda client=client, token=token, user=user: post_form(
                client, f"/registrations/{seats[user.id]}/cancel", {"csrf_token": token}
            )
            for user, token, client in holders
        ]
    )
    assert [response.status_code for response in responses] == [302] * CAPACITY
    result = registrations(app, summit.event)
    assert [result[user.id][0] for user in waiting] == ["registered"] * CAPACITY + ["waitlisted"] * (
        THREADS - 2 * CAPACITY
    )
    assert sorted(message[0] for message in outbox(app)) == sorted(user.email for user in waiting[:CAPACITY])
