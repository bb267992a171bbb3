"""`flask check-config`: weak production settings are errors (exit 1), doubtful ones warnings."""

from __future__ import annotations

import pytest

from config import ProductionConfig
from roadshow.security import ConfigProblem, config_problems, secret_key_problem, worker_count
from tests.security.test_headers import STRONG_SECRET

GOOD_PRODUCTION = {
    "ENV_NAME": "production",
    "SECRET_KEY": STRONG_SECRET,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://roadshow@db/roadshow",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SERVER_NAME": "roadshow.example.org",
    "PREFERRED_URL_SCHEME": "https",
    "MAIL_SERVER": "smtp.example.org",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
    "PROXY_FIX_X_FOR": 1,
    "PROXY_FIX_X_PROTO": 1,
}


def _messages(config: dict, workers: int = 5, debug: bool = False) -> list[str]:
    return [str(problem) for problem in config_problems(config, workers=workers, debug=debug)]


def test_good_production_configuration_has_no_problems():
    assert config_problems(GOOD_PRODUCTION, workers=5) == []


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        (None, "SECRET_KEY is not set"),
        (
            "test-secret-key-not-for-production",
            "SECRET_KEY is a well-known default value; generate a random one",
        ),
        ("short-but-random-9x", "SECRET_KEY is shorter than 32 characters"),
        ("ab" * 20, "SECRET_KEY repeats too few characters to be random"),
        (STRONG_SECRET, None),
    ],
)
def test_secret_key_problem(secret, problem):
    assert secret_key_problem(secret) == problem


def test_weak_secret_and_debug_are_errors_in_production():
    config = {**GOOD_PRODUCTION, "SECRET_KEY": "changeme"}
    assert _messages(config, debug=True) == [
        "error: SECRET_KEY is a well-known default value; generate a random one",
        "error: debug mode is on (FLASK_DEBUG): it shows tracebacks and runs an interactive debugger",
    ]


def test_weak_secret_is_only_a_warning_in_development():
    config = {**GOOD_PRODUCTION, "ENV_NAME": "development", "SECRET_KEY": "dev"}
    assert _messages(config) == ["warning: SECRET_KEY is a well-known default value; generate a random one"]


def test_sqlite_with_several_workers_is_an_error_and_without_redis_a_warning():
    config = {
        **GOOD_PRODUCTION,
        "SQLALCHEMY_DATABASE_URI": "sqlite:////srv/roadshow.sqlite3",
        "REDIS_URL": None,
    }
    assert _messages(config, workers=3) == [
        "error: SQLite with 3 web workers: writes from several processes fail with 'database is locked'; "
        "use PostgreSQL (DATABASE_URL) or WEB_CONCURRENCY=1",
        "warning: no REDIS_URL with 3 web workers: each process keeps its own rate-limit counters and feed "
        "cache, so limits are multiplied by the number of processes",
    ]


def test_sqlite_with_one_worker_in_production_is_a_warning():
    config = {
        **GOOD_PRODUCTION,
        "SQLALCHEMY_DATABASE_URI": "sqlite:////srv/roadshow.sqlite3",
        "REDIS_URL": None,
    }
    assert _messages(config, workers=1) == [
        "warning: SQLite in production: fine for one organiser on one machine, not for a summit"
    ]


def test_missing_server_name_mail_server_and_http_scheme():
    config = {**GOOD_PRODUCTION, "SERVER_NAME": None, "MAIL_SERVER": None, "PREFERRED_URL_SCHEME": "http"}
    assert _messages(config) == [
        "warning: SERVER_NAME is not set: links in e-mails and calendars point at localhost:5000",
        "error: PREFERRED_URL_SCHEME is http: links in e-mails and calendars would not use HTTPS",
        "warning: MAIL_SERVER is not set: e-mails are written to the log instead of being sent",
    ]


def test_insecure_cookies_and_no_proxy_fix_in_production():
    config = {
        **GOOD_PRODUCTION,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "PROXY_FIX_X_FOR": 0,
        "PROXY_FIX_X_PROTO": 0,
    }
    problems = config_problems(config, workers=5)
    assert problems[:2] == [
        ConfigProblem("error", "SESSION_COOKIE_SECURE is off: the cookie would also travel over plain HTTP"),
        ConfigProblem("error", "REMEMBER_COOKIE_SECURE is off: the cookie would also travel over plain HTTP"),
    ]
    assert [problem.level for problem in problems[2:]] == ["warning"]
    assert problems[2].message.startswith("no PROXY_FIX_* setting: behind a reverse proxy")


@pytest.mark.parametrize(("value", "expected"), [("4", 4), ("", None), ("0", None), ("four", None)])
def test_worker_count_from_web_concurrency(value, expected, monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert worker_count({"WEB_CONCURRENCY": value}) == (expected or 3)


def test_check_config_command_exits_1_on_errors(app, make_app, tmp_path):
    production = make_app(
        f"sqlite:///{tmp_path / 'p.sqlite3'}",
        ProductionConfig,
        SECRET_KEY="too-short",
        SERVER_NAME="roadshow.example.org",
        MAIL_SERVER="smtp.example.org",
        REDIS_URL="redis://127.0.0.1:6379/15",
        LOG_FORMAT="",
        PROXY_FIX_X_FOR=1,
    )
    result = production.test_cli_runner().invoke(args=["check-config", "--workers", "3"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Checked the production configuration for 3 web worker(s).",
        "error: SECRET_KEY is shorter than 32 characters",
        "error: SQLite with 3 web workers: writes from several processes fail with 'database is locked'; "
        "use PostgreSQL (DATABASE_URL) or WEB_CONCURRENCY=1",
        "2 error(s), 0 warning(s).",
    ]


def test_check_config_command_exits_0_with_only_warnings(app, runner, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    result = runner.invoke(args=["check-config"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Checked the test configuration for 1 web worker(s).",
        "warning: SECRET_KEY is a well-known default value; generate a random one",
        "warning: MAIL_SERVER is not set: e-mails are written to the log instead of being sent",
        "0 error(s), 2 warning(s).",
    ]
