"""The application factory and configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import DevelopmentConfig, ProductionConfig, development_secret_key
from roadshow import create_app


def test_factory_uses_given_config(app):
    assert app.testing is True
    assert app.config["SERVER_NAME"] == "roadshow.test"


def test_production_without_secret_key_refuses_to_start(tmp_path: Path):
    class NoSecret(ProductionConfig):
        SECRET_KEY = None
        INSTANCE_PATH = str(tmp_path)

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(NoSecret)


def test_development_secret_key_is_generated_once_and_kept(tmp_path: Path):
    class Dev(DevelopmentConfig):
        SECRET_KEY = None
        INSTANCE_PATH = str(tmp_path)
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'dev.sqlite3'}"

    first = create_app(Dev).config["SECRET_KEY"]
    second = create_app(Dev).config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert development_secret_key(tmp_path) == first


def test_rate_limits_are_checked_by_their_routes_not_before_every_request(app):
    from roadshow.extensions import limiter

    hooks = app.before_request_funcs.get(None, [])
    assert limiter._check_request_limit not in hooks
    # The limits themselves still hold: the decorated log-in route answers 429 once they are spent
    # (tests/auth/test_login.py); a configured default limit keeps the global hook.


def test_a_configured_default_rate_limit_keeps_the_global_check(tmp_path: Path):
    from config import TestConfig
    from roadshow.extensions import limiter

    class WithDefault(TestConfig):
        RATELIMIT_DEFAULT = "1000 per hour"
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'limits.sqlite3'}"

    app = create_app(WithDefault)
    assert limiter._check_request_limit in app.before_request_funcs[None]


def test_session_cookies_are_signed_by_one_serializer_per_key(app):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    cookie = first.dumps({"_user_id": "7:0"})
    old_key = app.secret_key
    try:
        app.secret_key = "another-secret-key-of-the-required-length-0123456789"
        rotated = interface.get_signing_serializer(app)
        assert rotated is not first
        with pytest.raises(Exception, match="Signature"):
            rotated.loads(cookie)  # a cookie signed with the old key is refused
    finally:
        app.secret_key = old_key
    assert interface.get_signing_serializer(app).loads(cookie) == {"_user_id": "7:0"}
