"""Fixtures for operations tests: fresh databases of either kind, extra apps, Redis when it answers.

``fresh_database("sqlite")`` is a SQLite file that does not exist yet; ``fresh_database("postgresql")``
a new, empty database on TEST_DATABASE_URL's server (skipped when that is not PostgreSQL), dropped
after the test. ``make_app(url, **overrides)`` builds another application (its engine is disposed
after the test). Apps built here keep the process's rate-limit storage in memory.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from psycopg import sql

from config import TestConfig, normalise_database_url
from roadshow import create_app
from roadshow.extensions import db, limiter

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def postgres_server_url() -> str | None:
    """TEST_DATABASE_URL when it names a PostgreSQL database (normalised for psycopg 3), else None."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    return normalise_database_url(url) if url.startswith(("postgres://", "postgresql")) else None


@pytest.fixture(autouse=True)
def _keep_logging() -> Iterator[None]:
    """Undo what migrations/env.py's fileConfig() does to logging (it disables existing loggers)."""
    manager = logging.Logger.manager
    disabled = {
        name: logger.disabled for name, logger in manager.loggerDict.items() if hasattr(logger, "disabled")
    }
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for name, logger in list(manager.loggerDict.items()):
        if hasattr(logger, "disabled"):
            logger.disabled = disabled.get(name, False)
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Factory: ``fresh_database(kind)`` → the URL of a new, empty database of *kind*."""
    created: list[tuple[str, str]] = []

    def factory(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'fresh-{secrets.token_hex(3)}.sqlite3'}"
        server = postgres_server_url()
        if server is None:
            pytest.skip("TEST_DATABASE_URL is not a PostgreSQL database")
        name = f"rs_ops_{secrets.token_hex(4)}"
        conninfo = _maintenance_conninfo(server)
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created.append((conninfo, name))
        return sa.make_url(server).set(database=name).render_as_string(hide_password=False)

    yield factory
    for conninfo, name in created:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _maintenance_conninfo(server: str) -> str:
    url = sa.make_url(server).set(drivername="postgresql", database="postgres")
    return url.render_as_string(hide_password=False)


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Factory: ``make_app(database_url, config_class=TestConfig, **overrides)`` → a new application."""
    apps: list[Flask] = []

    def factory(database_url: str, config_class: type = TestConfig, **overrides: Any) -> Flask:
        instance = tmp_path / f"instance-{len(apps)}"
        overrides.setdefault("INSTANCE_PATH", str(instance))
        overrides.setdefault("UPLOAD_FOLDER", str(instance / "uploads"))
        overrides.setdefault("RATELIMIT_STORAGE_URI", "memory://")
        application = create_app(config_class, SQLALCHEMY_DATABASE_URI=database_url, **overrides)
        apps.append(application)
        return application

    yield factory
    for application in apps:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def restore_limiter(app: Flask) -> Iterator[None]:
    """After the test, point the (process-wide) rate limiter back at the suite app's memory storage."""
    yield
    limiter.init_app(app)


@pytest.fixture
def redis_url() -> str:
    """The test Redis (database 15); the test is skipped when Redis does not answer."""
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"Redis does not answer at {REDIS_TEST_URL}")
    finally:
        client.close()
    return REDIS_TEST_URL
