"""Log-in failure counters live in Redis when configured, so every web process sees the same counts.

Each app instance stands for a worker process: it builds its own rate-limit storage on start. The
Redis test needs Redis at 127.0.0.1:6379 (database 15) and is skipped when it does not answer.
Counters are keyed by a random account and address, so runs never see each other's counts.
"""

from __future__ import annotations

import secrets

from tests.conftest import post_form


def _random_address() -> str:
    return f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def _fail_login(client, email: str, address: str) -> int:
    data = {"email": email, "password": "not the password"}
    return post_form(client, "/login", data, environ_base={"REMOTE_ADDR": address}).status_code


def _two_workers(app, make_app, storage: str):
    settings = {"RATELIMIT_STORAGE_URI": storage, "LOGIN_LIMIT_PER_ACCOUNT": "2 per 10 minutes"}
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    first = make_app(database, **settings)
    first_statuses = []
    email = f"shared-{secrets.token_hex(6)}@example.org"
    for _ in range(2):
        first_statuses.append(_fail_login(first.test_client(), email, _random_address()))
    second = make_app(database, **settings)  # another process starts and builds its own storage
    return first_statuses, _fail_login(second.test_client(), email, _random_address())


def test_login_limit_counters_are_shared_by_two_app_instances_through_redis(
    app, make_app, redis_url, restore_limiter
):
    first_statuses, second_status = _two_workers(app, make_app, redis_url)
    assert first_statuses == [200, 200]
    assert second_status == 429


def test_login_limit_counters_in_memory_are_not_shared(app, make_app, restore_limiter):
    # Why REDIS_URL matters with several workers: each process counts on its own.
    first_statuses, second_status = _two_workers(app, make_app, "memory://")
    assert first_statuses == [200, 200]
    assert second_status == 200
