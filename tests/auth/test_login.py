"""Log-in: credentials, remember-me, safe redirects, a fresh session, CSRF and rate limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.auth.conftest import cookie_value, is_logged_in, reload_user
from tests.conftest import TEST_PASSWORD, post_form

GENERIC_ERROR = "The e-mail address or the password is not right."


def log_in(client, email, password=TEST_PASSWORD, address=None, **fields):
    """Post the log-in form, from client address *address* when given."""
    options = {"environ_base": {"REMOTE_ADDR": address}} if address else {}
    return post_form(client, "/login", {"email": email, "password": password, **fields}, **options)


def error_block(response) -> str:
    page = response.get_data(as_text=True)
    start = page.index('<div class="form-errors"')
    return page[start : page.index("</div>", start)]


def test_login_page_has_labelled_fields_with_autocomplete(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="email">' in page
    assert '<label for="password">' in page
    assert 'autocomplete="username"' in page
    assert 'autocomplete="current-password"' in page


def test_login_right_password_logs_in_and_records_time(app, client, make_user):
    user = make_user(email="anna@example.eu")
    before = datetime.now(UTC)
    response = log_in(client, "  ANNA@example.eu ")
    assert (response.status_code, response.location) == (302, "/")
    assert is_logged_in(client)
    last_login = reload_user(app, user.id).last_login_at
    assert before - timedelta(seconds=1) <= last_login <= datetime.now(UTC)


def test_login_wrong_password_refused_with_generic_message(app, client, make_user):
    user = make_user()
    response = log_in(client, user.email, "not the password at all")
    assert response.status_code == 200
    assert GENERIC_ERROR in response.get_data(as_text=True)
    assert not is_logged_in(client)
    assert reload_user(app, user.id).last_login_at is None


def test_login_unknown_email_gives_the_same_answer_as_wrong_password(client, make_user):
    user = make_user()
    wrong_password = log_in(client, user.email, "not the password at all")
    unknown_email = log_in(client, "nobody@example.org", "not the password at all")
    assert unknown_email.status_code == wrong_password.status_code == 200
    assert error_block(unknown_email) == error_block(wrong_password)
    assert GENERIC_ERROR in error_block(unknown_email)


def test_login_remember_me_sets_a_working_remember_cookie(client, make_user, client_from):
    user = make_user()
    log_in(client, user.email, remember="y")
    remember = cookie_value(client, "remember_token")
    assert remember is not None
    assert is_logged_in(client_from({"remember_token": remember}))


def test_login_without_remember_me_sets_no_remember_cookie(client, make_user):
    log_in(client, make_user().email)
    assert cookie_value(client, "remember_token") is None
    assert is_logged_in(client)


def test_login_starts_a_new_session(client, make_user):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    log_in(client, make_user().email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].endswith(":1")


@pytest.mark.parametrize("target", ["/account", "/events/eu-china-summit?day=2", "/"])
def test_login_safe_next_is_followed(client, make_user, target):
    response = log_in(client, make_user().email, next=target)
    assert response.location == target


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "http:\\\\evil.com",
        "javascript:alert(1)",
        "https://evil.com/",
        "/\\evil.com",
        " //evil.com",
    ],
)
def test_login_evil_next_lands_on_home(client, make_user, target):
    response = log_in(client, make_user().email, next=target)
    assert response.location == "/"


def test_login_next_from_query_string_is_carried_by_the_form(client, make_user):
    page = client.get("/login?next=/account").get_data(as_text=True)
    assert '<input id="next" name="next" type="hidden" value="/account">' in page


def test_login_required_page_sends_to_login_and_back(client, make_user):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Faccount"
    assert log_in(client, make_user().email, next="/account").location == "/account"


def test_login_without_csrf_token_is_400_and_logs_nobody_in(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert not is_logged_in(client)


def test_login_when_logged_in_get_redirects_to_next(client, make_user, login):
    login(make_user())
    response = client.get("/login?next=/account")
    assert (response.status_code, response.location) == (302, "/account")


def test_login_failures_per_account_over_limit_give_429_even_with_right_password(
    app, client, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "2 per 10 minutes")
    user = make_user(email="target@example.org")
    assert log_in(client, user.email, "guess number one").status_code == 200
    assert log_in(client, "Target@Example.org", "guess number two").status_code == 200
    response = log_in(client, user.email)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert not is_logged_in(client)
    # The account is protected from every address, not only the one that guessed.
    elsewhere = app.test_client()
    assert log_in(elsewhere, user.email, address="192.0.2.9").status_code == 429
    # Other accounts are not affected.
    assert log_in(client, make_user().email).status_code == 302


def test_login_successes_do_not_count_towards_the_account_limit(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "2 per 10 minutes")
    user = make_user()
    statuses = [log_in(client, user.email).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 302]


def test_login_failures_per_address_over_limit_give_429(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "3 per 10 minutes")
    for number in range(3):
        assert log_in(client, f"someone{number}@example.org", "guessing away").status_code == 200
    user = make_user()
    assert log_in(client, user.email).status_code == 429
    assert not is_logged_in(client)
    # Another address may still log in, and reading the form is never limited.
    other = app.test_client()
    assert log_in(other, user.email, address="192.0.2.7").status_code == 302
    assert client.get("/login").status_code == 200
