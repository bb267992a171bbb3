"""The account page: profile, password change, logging out other devices."""

from __future__ import annotations

from roadshow.auth import services
from tests.auth.conftest import cookie_value, is_logged_in, reload_user
from tests.conftest import TEST_PASSWORD, post_form

NEW_PASSWORD = "granite kite over qingdao"


def change_password(client, current=TEST_PASSWORD, new=NEW_PASSWORD, confirm=None):
    return post_form(
        client,
        "/account/password",
        {"current_password": current, "password": new, "confirm": confirm or new},
    )


def test_profile_anonymous_is_sent_to_login(client):
    response = client.get("/account")
    assert (response.status_code, response.location) == (302, "/login?next=%2Faccount")


def test_profile_page_shows_current_values(client, make_user, login):
    login(make_user(name="Ada Lovelace", timezone="Europe/London"))
    page = client.get("/account").get_data(as_text=True)
    assert 'value="Ada Lovelace"' in page
    assert '<option selected value="Europe/London">Europe/London</option>' in page
    assert 'autocomplete="current-password"' in page


def test_profile_update_saves_name_language_and_zone(app, client, make_user, login):
    user = make_user()
    login(user)
    response = post_form(
        client, "/account", {"name": "  Wang Fang ", "locale": "zh", "timezone": "Asia/Shanghai"}
    )
    assert (response.status_code, response.location) == (302, "/account")
    saved = reload_user(app, user.id)
    assert (saved.name, saved.locale, saved.timezone) == ("Wang Fang", "zh", "Asia/Shanghai")


def test_profile_unknown_time_zone_refused(app, client, make_user, login):
    user = make_user(timezone="Europe/Brussels")
    login(user)
    response = post_form(
        client, "/account", {"name": "Someone", "locale": "en", "timezone": "Europe/Atlantis"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This is not a time zone we know. Choose one from the list, such as Asia/Shanghai." in page
    saved = reload_user(app, user.id)
    assert (saved.name, saved.timezone) == (user.name, "Europe/Brussels")


def test_profile_unknown_language_refused(app, client, make_user, login):
    user = make_user()
    login(user)
    response = post_form(client, "/account", {"name": "Someone", "locale": "xx", "timezone": "UTC"})
    assert response.status_code == 200
    assert "Not a valid choice." in response.get_data(as_text=True)
    assert reload_user(app, user.id).locale == "en"


def test_profile_empty_name_refused(app, client, make_user, login):
    user = make_user()
    login(user)
    response = post_form(client, "/account", {"name": "   ", "locale": "en", "timezone": "UTC"})
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)
    assert reload_user(app, user.id).name == user.name


def test_profile_without_csrf_token_is_400(app, client, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account", data={"name": "X", "locale": "en", "timezone": "UTC"})
    assert response.status_code == 400
    assert reload_user(app, user.id).name == user.name


def test_password_change_keeps_this_session_and_ends_others(app, client, make_user, login, client_from):
    user = make_user()
    login(user)
    copied = cookie_value(client, "session")
    response = change_password(client)
    assert (response.status_code, response.location) == (302, "/account")
    assert is_logged_in(client)
    assert not is_logged_in(client_from({"session": copied}))
    saved = reload_user(app, user.id)
    assert saved.session_version == 2
    with app.app_context():
        assert services.verify_password(saved, NEW_PASSWORD)


def test_password_change_renews_an_existing_remember_cookie(client, make_user, client_from):
    user = make_user()
    post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    old_remember = cookie_value(client, "remember_token")
    change_password(client)
    new_remember = cookie_value(client, "remember_token")
    assert new_remember not in (None, old_remember)
    assert is_logged_in(client_from({"remember_token": new_remember}))
    assert not is_logged_in(client_from({"remember_token": old_remember}))


def test_password_change_wrong_current_password_refused(app, client, make_user, login):
    user = make_user()
    login(user)
    response = change_password(client, current="not my password at all")
    assert response.status_code == 200
    assert "This is not your current password." in response.get_data(as_text=True)
    saved = reload_user(app, user.id)
    assert (saved.password_hash, saved.session_version) == (user.password_hash, 1)


def test_password_change_weak_new_password_refused(app, client, make_user, login):
    user = make_user()
    login(user)
    response = change_password(client, new="letmein", confirm="letmein")
    page = response.get_data(as_text=True)
    assert "Use at least 10 characters." in page
    assert "This password is one of the most common ones; choose another." in page
    assert reload_user(app, user.id).password_hash == user.password_hash


def test_password_change_guessing_current_password_is_rate_limited(
    app, client, make_user, login, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "2 per 10 minutes")
    user = make_user()
    login(user)
    assert change_password(client, current="guess number one").status_code == 200
    assert change_password(client, current="guess number two").status_code == 200
    assert change_password(client).status_code == 429
    assert reload_user(app, user.id).password_hash == user.password_hash


def test_logout_everywhere_keeps_this_session_and_ends_others(app, client, make_user, login, client_from):
    user = make_user()
    login(user)
    other_device = app.test_client()
    login(user, on=other_device)
    response = post_form(client, "/account/logout-everywhere")
    assert (response.status_code, response.location) == (302, "/account")
    assert is_logged_in(client)
    assert not is_logged_in(other_device)
    assert reload_user(app, user.id).session_version == 2


def test_logout_everywhere_get_is_405(client, make_user, login):
    login(make_user())
    assert client.get("/account/logout-everywhere").status_code == 405
    assert client.get("/account/password").status_code == 405
