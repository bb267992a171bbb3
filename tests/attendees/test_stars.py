"""Starring sessions and published pitches: only in your own registration, only of its event."""

from __future__ import annotations

from roadshow.enums import RegistrationStatus
from tests.attendees.conftest import logged_in_client, page, star, starred_sessions, starred_slots
from tests.conftest import post_form


def _star_session(client, registration_id: int, session_id: int, starred: str = "1", **extra):
    return post_form(
        client, f"/registrations/{registration_id}/sessions/{session_id}/star", {"starred": starred, **extra}
    )


def _star_slot(client, registration_id: int, slot_id: int, starred: str = "1", **extra):
    return post_form(
        client, f"/registrations/{registration_id}/slots/{slot_id}/star", {"starred": starred, **extra}
    )


def test_star_session_adds_it_and_returns_to_the_registration_page(
    app, login, make_user, make_registration, summit
):
    user = make_user()
    registration = make_registration(summit.event, user)
    response = _star_session(logged_in_client(app, login, user), registration.id, summit.keynote.id)
    assert response.status_code == 302
    assert response.headers["Location"] == "/events/summit/register"
    assert starred_sessions(app, registration.id) == {summit.keynote.id}


def test_star_session_twice_keeps_one_star(app, login, make_user, make_registration, summit):
    user = make_user()
    registration = make_registration(summit.event, user)
    client = logged_in_client(app, login, user)
    _star_session(client, registration.id, summit.keynote.id)
    assert _star_session(client, registration.id, summit.keynote.id).status_code == 302
    assert starred_sessions(app, registration.id) == {summit.keynote.id}


def test_unstar_session_removes_it(app, login, make_user, make_registration, summit):
    user = make_user()
    registration = make_registration(summit.event, user)
    star(app, registration.id, sessions=(summit.keynote.id, summit.panel.id))
    response = _star_session(
        logged_in_client(app, login, user), registration.id, summit.keynote.id, starred="0"
    )
    assert response.status_code == 302
    assert starred_sessions(app, registration.id) == {summit.panel.id}


def test_star_goes_back_to_a_safe_next_page_only(app, login, make_user, make_registration, summit):
    user = make_user()
    registration = make_registration(summit.event, user)
    client = logged_in_client(app, login, user)
    response = _star_session(client, registration.id, summit.keynote.id, next="/my/agenda")
    assert response.headers["Location"] == "/my/agenda"
    response = _star_session(client, registration.id, summit.panel.id, next="https://evil.example/")
    assert response.headers["Location"] == "/events/summit/register"


def test_star_with_a_bad_starred_value_is_400(app, login, make_user, make_registration, summit):
    user = make_user()
    registration = make_registration(summit.event, user)
    response = _star_session(
        logged_in_client(app, login, user), registration.id, summit.keynote.id, starred="yes"
    )
    assert response.status_code == 400
    assert "Choose whether to star or unstar." in page(response)
    assert starred_sessions(app, registration.id) == set()


def test_star_with_another_users_registration_is_404(app, login, make_user, make_registration, summit):
    owner, intruder = make_user(), make_user()
    registration = make_registration(summit.event, owner)
    make_registration(summit.event, intruder)
    response = _star_session(logged_in_client(app, login, intruder), registration.id, summit.keynote.id)
    assert response.status_code == 404
    assert starred_sessions(app, registration.id) == set()


def test_star_when_not_registered_at_all_is_404(app, login, make_user, make_registration, summit):
    owner, stranger = make_user(), make_user()
    registration = make_registration(summit.event, owner)
    response = _star_session(logged_in_client(app, login, stranger), registration.id, summit.panel.id)
    assert response.status_code == 404
    assert starred_sessions(app, registration.id) == set()


def test_star_with_a_cancelled_registration_is_refused_with_409(
    app, login, make_user, make_registration, summit
):
    user = make_user()
    registration = make_registration(summit.event, user, status=RegistrationStatus.CANCELLED)
    response = _star_session(logged_in_client(app, login, user), registration.id, summit.keynote.id)
    assert response.status_code == 409
    assert "Your registration is cancelled. Register again to build your agenda." in page(response)
    assert starred_sessions(app, registration.id) == set()


def test_star_while_waitlisted_is_allowed(app, login, make_user, make_registration, summit):
    user = make_user()
    registration = make_registration(summit.event, user, status=RegistrationStatus.WAITLISTED)
    assert (
        _star_session(logged_in_client(app, login, user), registration.id, summit.keynote.id).status_code
        == 302
    )
    assert starred_sessions(app, registration.id) == {summit.keynote.id}


def test_star_a_session_of_another_event_is_404(app, login, make_user, make_registration, summit):
    user = make_user()
    registration = make_registration(summit.event, user)
    response = _star_session(logged_in_client(app, login, user), registration.id, summit.block.id)
    assert response.status_code == 404
    assert starred_sessions(app, registration.id) == set()


def test_star_a_session_of_a_draft_event_is_404(app, login, make_user, make_registration, summit):
    user = make_user()
    registration = make_registration(summit.draft, user)
    response = _star_session(logged_in_client(app, login, user), registration.id, summit.draft_session.id)
    assert response.status_code == 404
    assert starred_sessions(app, registration.id) == set()


def test_star_a_cancelled_session_is_refused_but_unstarring_it_works(
    app, login, make_user, make_registration, summit
):
    user = make_user()
    registration = make_registration(summit.event, user)
    client = logged_in_client(app, login, user)
    response = _star_session(client, registration.id, summit.cancelled_talk.id)
    assert response.status_code == 409
    assert "This session has been cancelled." in page(response)
    star(app, registration.id, sessions=(summit.cancelled_talk.id,))
    assert _star_session(client, registration.id, summit.cancelled_talk.id, starred="0").status_code == 302
    assert starred_sessions(app, registration.id) == set()


def test_star_without_login_redirects_to_login(app, client, make_user, make_registration, summit):
    registration = make_registration(summit.event, make_user())
    response = _star_session(client, registration.id, summit.keynote.id)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert starred_sessions(app, registration.id) == set()


def test_star_a_published_pitch_adds_it(app, login, make_user, make_registration, summit):
    user = make_user()
    registration = make_registration(summit.roadshow, user)
    response = _star_slot(logged_in_client(app, login, user), registration.id, summit.published_slot.id)
    assert response.status_code == 302
    assert response.headers["Location"] == "/events/roadshow/register"
    assert starred_slots(app, registration.id) == {summit.published_slot.id}


def test_unstar_a_pitch_removes_it(app, login, make_user, make_registration, summit):
    user = make_user()
    registration = make_registration(summit.roadshow, user)
    star(app, registration.id, slots=(summit.published_slot.id,))
    response = _star_slot(
        logged_in_client(app, login, user), registration.id, summit.published_slot.id, starred="0"
    )
    assert response.status_code == 302
    assert starred_slots(app, registration.id) == set()


def test_star_a_proposed_pitch_is_404(app, login, make_user, make_registration, summit):
    user = make_user()
    registration = make_registration(summit.roadshow, user)
    response = _star_slot(logged_in_client(app, login, user), registration.id, summit.proposed_slot.id)
    assert response.status_code == 404
    assert starred_slots(app, registration.id) == set()


def test_star_a_pitch_of_another_event_is_404(app, login, make_user, make_registration, summit):
    user = make_user()
    registration = make_registration(summit.event, user)
    response = _star_slot(logged_in_client(app, login, user), registration.id, summit.published_slot.id)
    assert response.status_code == 404
    assert starred_slots(app, registration.id) == set()


def test_star_a_pitch_with_another_users_registration_is_404(
    app, login, make_user, make_registration, summit
):
    owner, intruder = make_user(), make_user()
    registration = make_registration(summit.roadshow, owner)
    response = _star_slot(logged_in_client(app, login, intruder), registration.id, summit.published_slot.id)
    assert response.status_code == 404
    assert starred_slots(app, registration.id) == set()


def test_registration_page_offers_stars_only_once_registered(
    app, login, make_user, make_registration, summit
):
    user = make_user()
    client = logged_in_client(app, login, user)
    html = page(client.get("/events/roadshow/register"))
    assert "Add to my agenda" not in html
    assert "Register to add sessions and pitches to your agenda." in html
    registration = make_registration(summit.roadshow, user)
    star(app, registration.id, slots=(summit.published_slot.id,))
    html = page(client.get("/events/roadshow/register"))
    assert f'action="/registrations/{registration.id}/sessions/{summit.block.id}/star"' in html
    assert f'action="/registrations/{registration.id}/slots/{summit.published_slot.id}/star"' in html
    assert "Acme Robotics GmbH — Rehab exoskeleton" in html
    assert "Remove from my agenda" in html
    # The proposed (unpublished) pitch is not shown.
    assert "Big data clinic" not in html
    assert f"/slots/{summit.proposed_slot.id}/star" not in html
