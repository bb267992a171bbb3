"""Password reset: the same answer for every address, a signed link on the configured host,
and a link that expires and works once."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from roadshow.auth import services
from roadshow.extensions import db
from roadshow.models import User
from tests.auth.conftest import cookie_value, is_logged_in, outbox, reload_user, reset_link
from tests.conftest import CSRF_RE, TEST_PASSWORD, post_form

NEW_PASSWORD = "violet tram over the harbour"
SENT_MESSAGE = "If an account exists for that address, we have sent it a link to choose a new password."
INVALID_MESSAGE = "The password reset link is invalid or has expired."


def request_reset(client, email):
    """Submit the reset form."""
    return post_form(client, "/reset", {"email": email})


def request_reset_via_host(client, email, host):
    """Submit the reset form from a browser that reached the site under the Host header *host*."""
    base_url = f"http://{host}"
    page = client.get("/reset", base_url=base_url).get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    return client.post("/reset", data={"email": email, "csrf_token": token}, base_url=base_url)


def choose_password(client, path, password=NEW_PASSWORD, confirm=None):
    return post_form(client, path, {"password": password, "confirm": confirm or password})


def link_path(app, user_email) -> str:
    [message] = outbox(app)
    assert message.recipient == user_email
    return urlsplit(reset_link(message)).path


def test_reset_request_page_has_email_field(client):
    page = client.get("/reset").get_data(as_text=True)
    assert '<label for="email">' in page
    assert 'autocomplete="email"' in page


def test_reset_known_email_queues_link_on_configured_host_despite_evil_host_header(app, client, make_user):
    user = make_user(email="mei@example.cn", name="Mei")
    response = request_reset_via_host(client, "MEI@example.cn", "evil.example")
    assert (response.status_code, response.location) == (302, "/login")
    [message] = outbox(app)
    assert message.recipient == "mei@example.cn"
    assert message.subject == "Choose a new Roadshow password"
    assert message.body_text.startswith("Hello Mei,")
    link = urlsplit(reset_link(message))
    assert (link.scheme, link.netloc) == ("https", "roadshow.test")
    assert link.path.startswith("/reset/")
    assert "evil.example" not in message.body_text + message.body_html
    assert reload_user(app, user.id).password_hash == user.password_hash


def test_reset_message_is_in_the_users_language(app, client, make_user):
    make_user(email="zhang@example.cn", locale="zh")
    request_reset(client, "zhang@example.cn")
    [message] = outbox(app)
    assert '<html lang="zh-Hans">' in message.body_html
    assert reset_link(message).startswith("https://roadshow.test/reset/")


def test_reset_unknown_email_gives_same_answer_and_sends_nothing(app, client, make_user):
    make_user(email="known@example.org")
    known = request_reset(client, "known@example.org")
    known_page = client.get(known.location).get_data(as_text=True)
    unknown = request_reset(client, "unknown@example.org")
    unknown_page = client.get(unknown.location).get_data(as_text=True)
    assert (known.status_code, known.location) == (unknown.status_code, unknown.location) == (302, "/login")
    assert SENT_MESSAGE in known_page
    assert SENT_MESSAGE in unknown_page
    assert [message.recipient for message in outbox(app)] == ["known@example.org"]


def test_reset_link_end_to_end_changes_password_and_logs_in(app, client, make_user, login):
    user = make_user(email="jan@example.nl")
    request_reset(client, "jan@example.nl")
    path = link_path(app, "jan@example.nl")

    page = client.get(path)
    assert page.status_code == 200
    assert '<meta name="referrer" content="no-referrer">' in page.get_data(as_text=True)
    assert page.get_data(as_text=True).count('autocomplete="new-password"') == 2

    response = choose_password(client, path)
    assert (response.status_code, response.location) == (302, "/account")
    assert is_logged_in(client)
    changed = reload_user(app, user.id)
    assert changed.session_version == 2
    assert changed.last_login_at is not None
    with app.app_context():
        assert services.verify_password(changed, NEW_PASSWORD)
        assert not services.verify_password(changed, TEST_PASSWORD)
    login(changed, NEW_PASSWORD, on=app.test_client())


def test_reset_link_used_once_is_refused(app, client, make_user):
    user = make_user(email="ola@example.no")
    request_reset(client, "ola@example.no")
    path = link_path(app, "ola@example.no")
    assert choose_password(client, path).status_code == 302
    after_first_use = reload_user(app, user.id).password_hash

    again = app.test_client()
    page = again.get(path)
    assert page.status_code == 400
    assert INVALID_MESSAGE in page.get_data(as_text=True)
    assert choose_password(again, path, "another fine long passphrase").status_code == 400
    assert reload_user(app, user.id).password_hash == after_first_use


def test_reset_link_expired_by_configured_max_age_is_refused(app, client, make_user, monkeypatch):
    user = make_user(email="eva@example.de")
    request_reset(client, "eva@example.de")
    path = link_path(app, "eva@example.de")
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    assert client.get(path).status_code == 400
    assert choose_password(client, path).status_code == 400
    assert reload_user(app, user.id).password_hash == user.password_hash
    assert not is_logged_in(client)


class TwoHoursAgoSigner(TimestampSigner):
    """Signs as if the clock showed two hours earlier."""

    def get_timestamp(self) -> int:
        return int(time.time()) - 7200


def test_reset_link_older_than_an_hour_is_refused(app, client, make_user, monkeypatch):
    user = make_user(email="old@example.fr")
    assert app.config["PASSWORD_RESET_MAX_AGE"] == 3600
    with app.app_context():
        account = db.session.get(User, user.id)
        with monkeypatch.context() as patch:
            patch.setattr(URLSafeTimedSerializer, "default_signer", TwoHoursAgoSigner)
            token = services.password_reset_token(account)
        fresh_token = services.password_reset_token(account)
    response = client.get(f"/reset/{token}")
    assert response.status_code == 400
    assert INVALID_MESSAGE in response.get_data(as_text=True)
    assert client.get(f"/reset/{fresh_token}").status_code == 200


def test_reset_link_tampered_is_refused(app, client, make_user):
    make_user(email="tom@example.ie")
    request_reset(client, "tom@example.ie")
    path = link_path(app, "tom@example.ie")
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert client.get(tampered).status_code == 400
    assert client.get("/reset/not-a-token").status_code == 400


def test_reset_link_signed_for_another_purpose_is_refused(app, client, make_user):
    user = make_user()
    with app.app_context():
        other = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="some.other.purpose")
        fingerprint = services.password_fingerprint(db.session.get(User, user.id).password_hash)
        token = other.dumps([user.id, fingerprint])
    assert client.get(f"/reset/{token}").status_code == 400


def test_reset_weak_new_password_refused_and_link_still_works(app, client, make_user):
    user = make_user(email="ines@example.pt")
    request_reset(client, "ines@example.pt")
    path = link_path(app, "ines@example.pt")
    response = choose_password(client, path, "qwerty123")
    assert response.status_code == 200
    assert "This password is one of the most common ones; choose another." in response.get_data(as_text=True)
    mismatch = choose_password(client, path, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert "The two passwords differ." in mismatch.get_data(as_text=True)
    assert reload_user(app, user.id).password_hash == user.password_hash
    assert choose_password(client, path).status_code == 302


def test_reset_sessions_elsewhere_end(app, client, make_user, login, client_from):
    user = make_user(email="kai@example.fi")
    login(user)
    copied = cookie_value(client, "session")
    request_reset(app.test_client(), "kai@example.fi")
    choose_password(app.test_client(), link_path(app, "kai@example.fi"))
    assert not is_logged_in(client_from({"session": copied}))


def test_reset_requests_for_one_address_over_limit_give_429_and_send_nothing_more(
    app, client, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "2 per 10 minutes")
    make_user(email="flood@example.org")
    assert request_reset(client, "flood@example.org").status_code == 302
    assert request_reset(client, "FLOOD@example.org").status_code == 302
    assert request_reset(client, "flood@example.org").status_code == 429
    assert len(outbox(app)) == 2
    # Limited whether or not the account exists, so the 429 reveals nothing either.
    assert request_reset(client, "ghost@example.org").status_code == 302
