"""An organiser who raises an event's capacity gives the new seats to those waiting, oldest first."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from roadshow.enums import EventStatus, RegistrationStatus
from roadshow.extensions import db
from roadshow.models import Event, Registration
from tests.conftest import fetch, post_form


def _event_form(event: Event, **changes: object) -> dict[str, object]:
    form = {
        "kind": event.kind.value,
        "title": event.title,
        "slug": event.slug,
        "timezone": event.timezone,
        "start_date": event.start_date.isoformat(),
        "end_date": event.end_date.isoformat(),
        "contact_email": event.contact_email or "",
    }
    form.update(changes)
    return form


def test_raising_capacity_promotes_the_oldest_waiting(app, client, login, make_user, make_event):
    organiser = make_user()
    event = make_event(
        organiser=organiser,
        status=EventStatus.PUBLISHED,
        capacity=1,
        start_date=date(2099, 5, 4),
        end_date=date(2099, 5, 5),
    )
    seated, first_waiting, second_waiting = make_user(), make_user(), make_user()
    with app.app_context():
        for user, status in (
            (seated, RegistrationStatus.REGISTERED),
            (first_waiting, RegistrationStatus.WAITLISTED),
            (second_waiting, RegistrationStatus.WAITLISTED),
        ):
            db.session.add(Registration(event_id=event.id, user_id=user.id, status=status))
            db.session.commit()

    login(organiser)
    response = post_form(client, f"/manage/events/{event.id}/edit", _event_form(event, capacity="2"))

    assert response.status_code == 302
    statuses = {r.user_id: r.status for r in fetch(app, sa.select(Registration))}
    assert statuses == {
        seated.id: RegistrationStatus.REGISTERED,
        first_waiting.id: RegistrationStatus.REGISTERED,
        second_waiting.id: RegistrationStatus.WAITLISTED,
    }
    assert fetch(app, sa.select(Event.capacity)) == [2]


def test_capacity_below_one_is_a_form_error(app, client, login, make_user, make_event):
    organiser = make_user()
    event = make_event(organiser=organiser)
    login(organiser)
    response = post_form(client, f"/manage/events/{event.id}/edit", _event_form(event, capacity="0"))
    assert response.status_code == 200
    assert "Number must be between 1 and 1000000." in response.get_data(as_text=True)
    assert fetch(app, sa.select(Event.capacity)) == [None]
