"""Sessions and passwords: copied cookies die with logout, password change and account deletion; a
new session on log-in; Argon2id with a real memory cost outside tests; no silent truncation; common
passwords refused; log-in limits per account and per address that a forged X-Forwarded-For neither
resets nor escapes, with or without a trusted proxy, and across two app instances sharing Redis.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import Type, extract_parameters

from config import Config, DevelopmentConfig, ProductionConfig, TestConfig
from roadshow.auth import services as auth
from roadshow.extensions import db
from roadshow.models import User
from tests.conftest import TEST_PASSWORD, post_form
from tests.threats.world import World, signed_in_client

SITE = "roadshow.test"
MIN_MEMORY_KIB = 19 * 1024  # OWASP's floor for Argon2id: 19 MiB


def _copy(app, client, *names: str):
    """A new browser holding copies of *client*'s cookies *names*."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name, domain=SITE)
        assert cookie is not None, name
        other.set_cookie(name, cookie.value, domain=SITE)
    return other


def _signed_in(client) -> bool:
    status = client.get("/account").status_code
    assert status in {200, 302}
    return status == 200


def _remembered_client(app, user):
    client = app.test_client()
    response = post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_cookie_copied_before_logout_is_refused_after(app, world: World, cookie: str):
    client = _remembered_client(app, world.user("attendee"))
    thief = _copy(app, client, cookie)
    assert _signed_in(thief)
    assert post_form(client, "/logout").status_code == 302
    assert not _signed_in(_copy_value(app, thief, cookie))


def _copy_value(app, client, cookie: str):
    """A fresh browser with only *cookie* of *client* (the thief's copy, before any refresh)."""
    return _copy(app, client, cookie)


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_cookie_copied_before_password_change_is_refused_after(app, world: World, cookie: str):
    client = _remembered_client(app, world.user("attendee"))
    stolen = client.get_cookie(cookie, domain=SITE).value
    new = "purple elephants juggle quietly 42"
    response = post_form(
        client, "/account/password", {"current_password": TEST_PASSWORD, "password": new, "confirm": new}
    )
    assert response.status_code == 302
    assert _signed_in(client)  # the browser that changed it stays signed in
    thief = app.test_client()
    thief.set_cookie(cookie, stolen, domain=SITE)
    assert not _signed_in(thief)


def test_cookie_copied_before_logout_everywhere_is_refused_after(app, world: World):
    client = signed_in_client(app, world.user("organiser_a"))
    stolen = client.get_cookie("session", domain=SITE).value
    assert post_form(client, "/account/logout-everywhere").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain=SITE)
    assert not _signed_in(thief)
    assert _signed_in(client)


def test_cookie_and_feed_of_a_deleted_account_stop_working(app, world: World):
    client = _remembered_client(app, world.user("attendee"))
    copies = {name: client.get_cookie(name, domain=SITE).value for name in ("session", "remember_token")}
    feed = f"/calendar/{world.calendar_token}.ics"
    assert app.test_client().get(feed).status_code == 200
    response = post_form(client, "/account/data/delete", {"password": TEST_PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    for name, value in copies.items():
        thief = app.test_client()
        thief.set_cookie(name, value, domain=SITE)
        assert not _signed_in(thief), name
    assert app.test_client().get(feed).status_code == 404


def test_login_starts_a_new_session_and_a_planted_one_stays_anonymous(app, world: World):
    client = app.test_client()
    client.get("/login")  # the visitor (or an attacker who planted this cookie) has a session
    planted = client.get_cookie("session", domain=SITE).value
    planted_token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)
    )
    response = post_form(
        client, "/login", {"email": world.users["attendee"].email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    fresh = client.get_cookie("session", domain=SITE).value
    assert fresh != planted
    attacker = app.test_client()
    attacker.set_cookie("session", planted, domain=SITE)
    assert not _signed_in(attacker)
    # The CSRF secret of the old session is gone too: its token no longer works in the new one.
    stale = client.post(
        "/account/calendar/new",
        data={"csrf_token": planted_token.group(1)},
        headers={"Referer": f"https://{SITE}/"},
    )
    assert stale.status_code == 400


# --- Hashing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("config_class", [ProductionConfig, DevelopmentConfig])
def test_passwords_are_argon2id_with_at_least_19_mib_outside_tests(
    make_app, app, config_class, restore_limiter
):
    assert not getattr(config_class, "PASSWORD_HASH_FAST", False)
    production = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        config_class=config_class,
        SECRET_KEY=secrets.token_urlsafe(48),
        RATELIMIT_STORAGE_URI="memory://",
    )
    with production.app_context():
        hashed = auth.hash_password("a long enough passphrase")
    parameters = extract_parameters(hashed)
    assert hashed.startswith("$argon2id$")
    assert parameters.type is Type.ID
    assert parameters.memory_cost >= MIN_MEMORY_KIB
    assert parameters.time_cost >= 2


def test_fast_hashing_is_a_test_setting_only():
    assert TestConfig.PASSWORD_HASH_FAST is True
    assert [
        getattr(c, "PASSWORD_HASH_FAST", False) for c in (Config, DevelopmentConfig, ProductionConfig)
    ] == [
        False,
        False,
        False,
    ]


def test_a_fast_test_hash_is_upgraded_at_the_next_production_login(
    make_app, app, world: World, restore_limiter
):
    production = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        config_class=ProductionConfig,
        SECRET_KEY=secrets.token_urlsafe(48),
        SERVER_NAME=SITE,
        PREFERRED_URL_SCHEME="https",
    )
    client = production.test_client()
    response = post_form(
        client, "/login", {"email": world.users["attendee"].email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(User, world.users["attendee"].id).password_hash
    assert extract_parameters(stored).memory_cost >= MIN_MEMORY_KIB


def _signup(client, password: str, email: str = "long@example.org"):
    return post_form(
        client,
        "/signup",
        {"email": email, "name": "Long Passphrase", "password": password, "confirm": password},
    )


def _users_named(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == email))


def test_a_1000_character_password_works_and_is_not_truncated(app):
    password = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789 ") for _ in range(999)) + "Z"
    client = app.test_client()
    assert _signup(client, password).status_code == 302
    post_form(client, "/logout")
    for attempt, expected in [
        (password, 302),
        (password[:-1], 200),
        (password[:-1] + "Y", 200),
        (password[:72], 200),
    ]:
        fresh = app.test_client()
        response = post_form(fresh, "/login", {"email": "long@example.org", "password": attempt})
        assert response.status_code == expected, len(attempt)


def test_a_password_over_1024_characters_is_refused_with_a_message(app):
    password = "correct horse battery staple " * 36  # 1044 characters
    response = _signup(app.test_client(), password, "toolong@example.org")
    assert response.status_code == 200
    assert "Use at most 1024 characters." in response.get_data(as_text=True)
    assert _users_named(app, "toolong@example.org") == 0


COMMON_FILE = Path(auth.__file__).with_name("common_passwords.txt")


def _common_passwords() -> list[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_every_listed_common_password_and_its_usual_variants_are_refused():
    message = "This password is one of the most common ones; choose another."
    tried = 0
    for word in _common_passwords():
        # As listed, and with what people append to get past length rules.
        variants = [
            word,
            word.upper(),
            word.capitalize(),
            word + "2024!",
            word + "1234567890",
            word + "!!!!!!!!!!",
        ]
        for variant in variants:
            tried += 1
            problems = auth.password_problems(variant)
            assert problems, variant
            if len(variant) >= auth.MIN_PASSWORD_LENGTH:
                assert message in problems, variant
    assert tried >= 400


def test_common_password_is_refused_by_the_signup_form(app):
    response = _signup(app.test_client(), "Password1234", "common@example.org")
    assert "one of the most common ones" in response.get_data(as_text=True)
    assert _users_named(app, "common@example.org") == 0


# --- Log-in limits --------------------------------------------------------------------------------------


def _fail(client, email: str, remote: str = "192.0.2.10", forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    data = {"email": email, "password": "not the password"}
    return post_form(
        client, "/login", data, headers=headers, environ_base={"REMOTE_ADDR": remote}
    ).status_code


def _random_address(prefix: str = "198.51.100") -> str:
    return f"{prefix}.{secrets.randbelow(250) + 1}"


def _limited_app(make_app, app, **settings):
    settings.setdefault("LOGIN_LIMIT_PER_ACCOUNT", "3 per 10 minutes")
    settings.setdefault("LOGIN_LIMIT_PER_ADDRESS", "4 per 10 minutes")
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], **settings)


def test_account_limit_holds_across_addresses_and_forged_forwarded_for(
    make_app, app, world: World, restore_limiter
):
    limited = _limited_app(make_app, app)
    email = world.users["attendee"].email
    statuses = [
        _fail(limited.test_client(), email, _random_address(), _random_address("203.0.113")) for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    # Even the right password is refused until the window passes.
    response = post_form(
        limited.test_client(),
        "/login",
        {"email": email, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.77"},
    )
    assert response.status_code == 429


def test_address_limit_ignores_forged_forwarded_for_without_a_proxy(make_app, app, restore_limiter):
    limited = _limited_app(make_app, app)
    statuses = [
        _fail(limited.test_client(), f"nobody{i}@example.org", "192.0.2.20", _random_address("203.0.113"))
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]


def test_address_limit_behind_one_proxy_counts_the_address_the_proxy_appended(make_app, app, restore_limiter):
    limited = _limited_app(make_app, app, PROXY_FIX_X_FOR=1)
    proxy = "10.0.0.2"
    real_client = "203.0.113.50"
    # The attacker varies the value it forges; the proxy appends the address it really saw.
    statuses = [
        _fail(limited.test_client(), f"nobody{i}@example.org", proxy, f"{_random_address()}, {real_client}")
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    # Control: another real client behind the same proxy is not blocked (the header is honoured).
    assert _fail(limited.test_client(), "someone@example.org", proxy, "1.2.3.4, 203.0.113.51") == 200


def test_login_limits_hold_across_two_app_instances_sharing_redis(make_app, app, redis_url, restore_limiter):
    settings = {"RATELIMIT_STORAGE_URI": redis_url}
    email = f"shared-{secrets.token_hex(6)}@example.org"
    address = f"192.0.2.{secrets.randbelow(250) + 1}"
    first = _limited_app(make_app, app, **settings)
    first_statuses = [
        _fail(first.test_client(), email, _random_address(), _random_address()) for _ in range(2)
    ]
    second = _limited_app(make_app, app, **settings)  # another worker process starts
    second_statuses = [
        _fail(second.test_client(), email, _random_address(), _random_address()) for _ in range(2)
    ]
    assert first_statuses + second_statuses == [200, 200, 200, 429]
    # Per address too: failures on different accounts from one address, split over both instances.
    split = [
        _fail(instance.test_client(), f"n{secrets.token_hex(4)}@example.org", address, _random_address())
        for instance in (first, second, first, second, first)
    ]
    assert split == [200, 200, 200, 200, 429]


def test_production_password_hasher_meets_owasps_argon2id_recommendation():
    # OWASP: Argon2id, at least 19 MiB of memory, two iterations, one degree of parallelism.
    hasher = auth._hasher(False)
    assert hasher.type is Type.ID
    assert hasher.parallelism >= 1
    assert hasher.memory_cost >= MIN_MEMORY_KIB and hasher.time_cost >= 2
