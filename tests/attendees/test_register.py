"""Registering, changing role, cancelling; capacity, the waiting list and its promotions by e-mail."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from roadshow.attendees import services
from roadshow.enums import EventStatus, RegistrationStatus
from roadshow.extensions import db
from roadshow.models import Event, Registration
from tests.attendees.conftest import (
    logged_in_client,
    outbox,
    page,
    registration_ids,
    registrations,
    set_capacity,
)
from tests.conftest import post_form


def test_register_as_investor_creates_a_registered_row(app, client, login, make_user, summit):
    ida = make_user("ida@example.org", name="Ida Investor")
    login(ida)
    response = post_form(client, "/events/summit/register", {"role": "investor"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/events/summit/register"
    assert registrations(app, summit.event) == {ida.id: ("registered", "investor")}
    html = page(client.get("/events/summit/register"))
    assert "You are registered. Star the sessions you want in your agenda." in html
    assert "as Investor" in html


def test_register_page_without_login_redirects_to_login(client, summit):
    response = client.get("/events/summit/register")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_register_post_without_login_redirects_and_writes_nothing(app, client, summit):
    response = post_form(client, "/events/summit/register", {"role": "attendee"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert registrations(app, summit.event) == {}


def test_register_for_a_draft_is_404_even_for_its_organiser(app, client, login, summit):
    login(summit.organiser)
    assert client.get("/events/draft/register").status_code == 404
    assert post_form(client, "/events/draft/register", {"role": "attendee"}).status_code == 404
    assert registrations(app, summit.draft) == {}


def test_register_for_an_unknown_slug_is_404(client, login, make_user, summit):
    login(make_user())
    assert client.get("/events/no-such-event/register").status_code == 404


def test_register_with_an_unknown_role_is_400_and_writes_nothing(app, client, login, make_user, summit):
    login(make_user())
    response = post_form(client, "/events/summit/register", {"role": "speaker"})
    assert response.status_code == 400
    assert "Not a valid choice" in page(response)
    assert registrations(app, summit.event) == {}


def test_register_without_csrf_token_is_refused(app, client, login, make_user, summit):
    login(make_user())
    response = client.post("/events/summit/register", data={"role": "attendee"})
    assert response.status_code == 400
    assert registrations(app, summit.event) == {}


def test_register_twice_keeps_one_row_and_says_so(app, client, login, make_user, summit):
    user = make_user()
    login(user)
    post_form(client, "/events/summit/register", {"role": "attendee"})
    response = post_form(client, "/events/summit/register", {"role": "attendee"}, follow_redirects=True)
    assert "You are already registered for this event." in page(response)
    assert registrations(app, summit.event) == {user.id: ("registered", "attendee")}


def test_register_again_with_another_role_changes_the_role(app, client, login, make_user, summit):
    user = make_user()
    login(user)
    post_form(client, "/events/summit/register", {"role": "attendee"})
    response = post_form(client, "/events/summit/register", {"role": "investor"}, follow_redirects=True)
    assert "Your role is now: Investor." in page(response)
    assert registrations(app, summit.event) == {user.id: ("registered", "investor")}


def test_register_for_a_cancelled_event_is_refused_with_409(app, client, login, make_user, make_event):
    event = make_event(slug="gone", status=EventStatus.CANCELLED, start_date=date(2030, 5, 1))
    login(make_user())
    response = post_form(client, "/events/gone/register", {"role": "attendee"})
    assert response.status_code == 409
    assert "This event has been cancelled; registration is closed." in page(response)
    assert registrations(app, event) == {}


def test_register_for_a_past_event_is_refused_with_409(app, client, login, make_user, make_event):
    event = make_event(slug="past", status=EventStatus.PUBLISHED, start_date=date(2020, 5, 1))
    login(make_user())
    response = post_form(client, "/events/past/register", {"role": "attendee"})
    assert response.status_code == 409
    assert "This event is over; registration is closed." in page(response)
    assert registrations(app, event) == {}


def test_register_when_full_puts_the_attendee_on_the_waiting_list(app, login, make_user, summit):
    set_capacity(app, summit.event, 2)
    users = [make_user(f"u{i}@example.org") for i in range(4)]
    for user in users:
        response = post_form(
            logged_in_client(app, login, user), "/events/summit/register", {"role": "attendee"}
        )
        assert response.status_code == 302
    assert registrations(app, summit.event) == {
        users[0].id: ("registered", "attendee"),
        users[1].id: ("registered", "attendee"),
        users[2].id: ("waitlisted", "attendee"),
        users[3].id: ("waitlisted", "attendee"),
    }
    last = logged_in_client(app, login, users[3])
    html = page(last.get("/events/summit/register"))
    assert "2 of 2 seats taken; 2 waiting." in html
    assert "Position 2 on the waiting list." in html


def test_waitlisted_message_names_the_position(app, client, login, make_user, make_registration, summit):
    set_capacity(app, summit.event, 1)
    make_registration(summit.event, make_user())
    login(make_user())
    response = post_form(client, "/events/summit/register", {"role": "attendee"}, follow_redirects=True)
    assert "The event is full: you are on the waiting list (position 1)." in page(response)


def test_cancel_promotes_the_oldest_waiting_and_emails_them_in_their_language(
    app, login, make_user, make_registration, summit
):
    set_capacity(app, summit.event, 1)
    holder = make_user("holder@example.org")
    wang = make_user("wang@example.org", name="Wang Wei", locale="zh")
    later = make_user("later@example.org")
    seat = make_registration(summit.event, holder)
    make_registration(summit.event, wang, status=RegistrationStatus.WAITLISTED)
    make_registration(summit.event, later, status=RegistrationStatus.WAITLISTED)
    client = logged_in_client(app, login, holder)
    response = post_form(client, f"/registrations/{seat.id}/cancel")
    assert response.status_code == 302
    assert registrations(app, summit.event) == {
        holder.id: ("cancelled", "attendee"),
        wang.id: ("registered", "attendee"),
        later.id: ("waitlisted", "attendee"),
    }
    ((recipient, subject, body, body_html),) = outbox(app)
    assert recipient == "wang@example.org"
    assert "Science Parks Summit" in subject
    assert '<html lang="zh-Hans">' in body_html  # rendered in Wang's language, not the canceller's
    assert "https://roadshow.test/events/summit/register" in body
    assert "https://roadshow.test/my/agenda" in body


def test_cancel_of_a_waiting_registration_promotes_nobody(app, login, make_user, make_registration, summit):
    set_capacity(app, summit.event, 1)
    holder = make_user()
    waiting = make_user()
    make_registration(summit.event, holder)
    queued = make_registration(summit.event, waiting, status=RegistrationStatus.WAITLISTED)
    response = post_form(logged_in_client(app, login, waiting), f"/registrations/{queued.id}/cancel")
    assert response.status_code == 302
    assert registrations(app, summit.event) == {
        holder.id: ("registered", "attendee"),
        waiting.id: ("cancelled", "attendee"),
    }
    assert outbox(app) == []


def test_cancel_twice_changes_nothing_the_second_time(app, login, make_user, make_registration, summit):
    set_capacity(app, summit.event, 1)
    holder, waiting = make_user(), make_user()
    seat = make_registration(summit.event, holder)
    make_registration(summit.event, waiting, status=RegistrationStatus.WAITLISTED)
    client = logged_in_client(app, login, holder)
    post_form(client, f"/registrations/{seat.id}/cancel")
    post_form(client, f"/registrations/{seat.id}/cancel")
    assert registrations(app, summit.event)[waiting.id] == ("registered", "attendee")
    assert len(outbox(app)) == 1


def test_cancel_another_users_registration_is_404(app, login, make_user, make_registration, summit):
    owner, intruder = make_user(), make_user()
    registration = make_registration(summit.event, owner)
    response = post_form(logged_in_client(app, login, intruder), f"/registrations/{registration.id}/cancel")
    assert response.status_code == 404
    assert registrations(app, summit.event) == {owner.id: ("registered", "attendee")}


def test_cancel_without_login_redirects_to_login(app, client, make_user, make_registration, summit):
    registration = make_registration(summit.event, make_user())
    response = post_form(client, f"/registrations/{registration.id}/cancel")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_cancel_an_id_beyond_integer_range_is_404(client, login, make_user, summit):
    login(make_user())
    assert post_form(client, f"/registrations/{2**40}/cancel").status_code == 404


def test_cancel_a_registration_of_an_event_back_in_draft_is_404(
    app, login, make_user, make_registration, summit
):
    user = make_user()
    registration = make_registration(summit.draft, user)
    response = post_form(logged_in_client(app, login, user), f"/registrations/{registration.id}/cancel")
    assert response.status_code == 404
    assert registrations(app, summit.draft) == {user.id: ("registered", "attendee")}


def test_register_after_cancelling_reuses_the_row_at_the_back_of_the_queue(
    app, login, make_user, make_registration, summit
):
    set_capacity(app, summit.event, 1)
    holder, returning, waiting = make_user(), make_user(), make_user()
    make_registration(summit.event, holder)
    old = make_registration(summit.event, returning, status=RegistrationStatus.CANCELLED)
    make_registration(summit.event, waiting, status=RegistrationStatus.WAITLISTED)
    client = logged_in_client(app, login, returning)
    post_form(client, "/events/summit/register", {"role": "investor"})
    assert registration_ids(app, summit.event)[returning.id] == old.id
    assert registrations(app, summit.event)[returning.id] == ("waitlisted", "investor")
    assert "Position 2 on the waiting list." in page(client.get("/events/summit/register"))


def test_raised_capacity_gives_free_seats_to_those_waiting_before_newcomers(
    app, login, make_user, make_registration, summit
):
    set_capacity(app, summit.event, 1)
    holder, waiting, newcomer = make_user(), make_user(), make_user("new@example.org")
    make_registration(summit.event, holder)
    make_registration(summit.event, waiting, status=RegistrationStatus.WAITLISTED)
    set_capacity(app, summit.event, 2)
    post_form(logged_in_client(app, login, newcomer), "/events/summit/register", {"role": "attendee"})
    assert registrations(app, summit.event) == {
        holder.id: ("registered", "attendee"),
        waiting.id: ("registered", "attendee"),
        newcomer.id: ("waitlisted", "attendee"),
    }
    assert [message[0] for message in outbox(app)] == [waiting.email]


def test_unlimited_event_registers_everyone(app, login, make_user, summit):
    users = [make_user() for _ in range(3)]
    for user in users:
        post_form(logged_in_client(app, login, user), "/events/summit/register", {"role": "attendee"})
    assert sorted(status for status, _ in registrations(app, summit.event).values()) == ["registered"] * 3


def test_capacity_must_be_positive_in_the_database(app, summit):
    with app.app_context():
        event = db.session.get(Event, summit.event.id)
        event.capacity = 0
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            refused = True
        else:
            refused = False
    assert refused is True


def test_one_registration_per_user_and_event_in_the_database(app, make_user, make_registration, summit):
    user = make_user()
    make_registration(summit.event, user)
    with app.app_context():
        db.session.add(Registration(event_id=summit.event.id, user_id=user.id))
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            refused = True
        else:
            refused = False
    assert refused is True


def test_register_again_while_waiting_says_so(app, client, login, make_user, make_registration, summit):
    set_capacity(app, summit.event, 1)
    make_registration(summit.event, make_user())
    user = make_user()
    make_registration(summit.event, user, status=RegistrationStatus.WAITLISTED)
    login(user)
    response = post_form(client, "/events/summit/register", {"role": "attendee"}, follow_redirects=True)
    assert "You are already on the waiting list (position 1)." in page(response)
    assert registrations(app, summit.event)[user.id] == ("waitlisted", "attendee")


def test_fill_free_seats_after_a_capacity_change_promotes_in_order(app, make_user, make_registration, summit):
    set_capacity(app, summit.event, 1)
    first, second, third = make_user(), make_user(), make_user()
    make_registration(summit.event, first)
    make_registration(summit.event, second, status=RegistrationStatus.WAITLISTED)
    make_registration(summit.event, third, status=RegistrationStatus.WAITLISTED)
    set_capacity(app, summit.event, 2)
    with app.test_request_context():
        promoted = services.fill_free_seats(db.session.get(Event, summit.event.id))
        assert [registration.user_id for registration in promoted] == [second.id]
        db.session.commit()
    assert registrations(app, summit.event)[third.id] == ("waitlisted", "attendee")
    ((recipient, subject, _text, _html),) = outbox(app)
    assert (recipient, subject) == (second.email, "A seat is yours: Science Parks Summit")
