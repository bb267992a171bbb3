"""Log-out: POST with CSRF only, and copied session or remember-me cookies stop working."""

from __future__ import annotations

from tests.auth.conftest import cookie_value, is_logged_in, reload_user
from tests.conftest import TEST_PASSWORD, post_form


def test_logout_get_is_405(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}


def test_logout_logs_out_and_bumps_session_version(app, client, make_user, login):
    user = make_user()
    login(user)
    response = post_form(client, "/logout")
    assert (response.status_code, response.location) == (302, "/")
    assert not is_logged_in(client)
    assert reload_user(app, user.id).session_version == 2


def test_logout_copied_session_cookie_no_longer_works(client, make_user, login, client_from):
    login(make_user())
    copied = cookie_value(client, "session")
    assert is_logged_in(client_from({"session": copied}))
    post_form(client, "/logout")
    assert not is_logged_in(client_from({"session": copied}))


def test_logout_copied_remember_cookie_no_longer_works(client, make_user, client_from):
    user = make_user()
    post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    copied = cookie_value(client, "remember_token")
    assert is_logged_in(client_from({"remember_token": copied}))
    post_form(client, "/logout")
    assert cookie_value(client, "remember_token") is None  # deleted in this browser too
    assert not is_logged_in(client_from({"remember_token": copied}))


def test_logout_without_csrf_token_is_400_and_stays_logged_in(app, client, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/logout")
    assert response.status_code == 400
    assert is_logged_in(client)
    assert reload_user(app, user.id).session_version == 1


def test_logout_when_anonymous_just_redirects(client):
    response = post_form(client, "/logout")
    assert (response.status_code, response.location) == (302, "/")
