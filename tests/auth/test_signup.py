"""Sign-up: a new account, its validation, and logging in straight away."""

from __future__ import annotations

import sqlalchemy as sa

from roadshow.models import User
from tests.auth.conftest import is_logged_in
from tests.conftest import fetch, post_form

GOOD = {
    "email": "  Li.Wei@Example.CN ",
    "name": "Li Wei",
    "password": "amber rickshaw lantern",
    "confirm": "amber rickshaw lantern",
    "locale": "zh",
    "timezone": "Asia/Shanghai",
}


def users(app) -> list[User]:
    return fetch(app, sa.select(User).order_by(User.id))


def signup(client, **changes):
    return post_form(client, "/signup", {**GOOD, **changes})


def test_signup_page_has_labelled_fields_with_autocomplete(client):
    page = client.get("/signup").get_data(as_text=True)
    assert '<label for="email">' in page
    assert 'autocomplete="email"' in page
    assert page.count('autocomplete="new-password"') == 2
    assert '<option value="Asia/Shanghai">Asia/Shanghai</option>' in page


def test_signup_valid_creates_account_and_logs_in(app, client):
    response = signup(client)
    assert response.status_code == 302
    assert response.location == "/"
    [user] = users(app)
    assert (user.email, user.name, user.locale, user.timezone) == (
        "li.wei@example.cn",
        "Li Wei",
        "zh",
        "Asia/Shanghai",
    )
    assert user.password_hash.startswith("$argon2id$")
    assert user.last_login_at is not None
    assert is_logged_in(client)


def test_signup_safe_next_is_followed(client):
    response = signup(client, next="/events/eu-china-summit?day=2")
    assert response.location == "/events/eu-china-summit?day=2"


def test_signup_evil_next_lands_on_home(client):
    assert signup(client, next="//evil.com").location == "/"


def test_signup_blank_language_and_zone_take_page_language_and_browser_zone(app, client):
    client.set_cookie("tz", "Europe/Brussels", domain="roadshow.test")
    response = signup(client, locale="", timezone="")
    assert response.status_code == 302
    [user] = users(app)
    assert (user.locale, user.timezone) == ("en", "Europe/Brussels")


def test_signup_blank_zone_without_browser_zone_is_utc(app, client):
    assert signup(client, timezone="").status_code == 302
    assert users(app)[0].timezone == "UTC"


def test_signup_duplicate_email_any_case_refused(app, client, make_user):
    make_user(email="li.wei@example.cn")
    response = signup(client, email="LI.WEI@example.cn")
    assert response.status_code == 200
    assert "An account with this e-mail address already exists." in response.get_data(as_text=True)
    assert len(users(app)) == 1
    assert not is_logged_in(client)


def test_signup_short_password_refused(app, client):
    response = signup(client, password="Tz9#kq", confirm="Tz9#kq")
    assert response.status_code == 200
    assert "Use at least 10 characters." in response.get_data(as_text=True)
    assert users(app) == []


def test_signup_common_password_refused(app, client):
    response = signup(client, password="Password1234", confirm="Password1234")
    assert "This password is one of the most common ones; choose another." in response.get_data(as_text=True)
    assert users(app) == []


def test_signup_password_containing_name_refused(app, client):
    response = signup(client, name="Wenjing", password="wenjing harbour 88", confirm="wenjing harbour 88")
    assert "Do not use your name in your password." in response.get_data(as_text=True)
    assert users(app) == []


def test_signup_mismatched_passwords_refused(app, client):
    response = signup(client, confirm="amber rickshaw lanterns")
    assert response.status_code == 200
    assert "The two passwords differ." in response.get_data(as_text=True)
    assert users(app) == []


def test_signup_malformed_email_refused(app, client):
    response = signup(client, email="li.wei-at-example.cn")
    assert response.status_code == 200
    assert "Enter a valid e-mail address, such as name@example.org." in response.get_data(as_text=True)
    assert users(app) == []


def test_signup_unknown_time_zone_refused(app, client):
    response = signup(client, timezone="Mars/Olympus_Mons")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This is not a time zone we know. Choose one from the list, such as Asia/Shanghai." in page
    assert 'aria-invalid="true"' in page
    assert users(app) == []


def test_signup_unknown_language_refused(app, client):
    response = signup(client, locale="fr")
    assert response.status_code == 200
    assert "Not a valid choice." in response.get_data(as_text=True)
    assert users(app) == []


def test_signup_without_csrf_token_refused(app, client):
    response = client.post("/signup", data=GOOD)
    assert response.status_code == 400
    assert users(app) == []


def test_signup_when_logged_in_goes_to_profile(client, make_user, login):
    login(make_user())
    response = client.get("/signup")
    assert (response.status_code, response.location) == (302, "/account")
