"""The migrations build exactly the models' schema, and can be undone and redone.

Runs on a fresh SQLite file, and on a freshly created PostgreSQL database when TEST_DATABASE_URL
points at a PostgreSQL server (the database is created beside the test database and dropped after).
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from psycopg import sql

from config import TestConfig, normalise_database_url
from roadshow import PROJECT_ROOT, create_app
from roadshow.extensions import db
from roadshow.models import Base

MIGRATIONS = str(PROJECT_ROOT / "migrations")


def _postgres_server_url() -> str | None:
    """TEST_DATABASE_URL when it names a PostgreSQL database, else None."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    return normalise_database_url(url) if url.startswith(("postgres://", "postgresql")) else None


@pytest.fixture(autouse=True)
def _keep_logging() -> Iterator[None]:
    """Undo what migrations/env.py's fileConfig() does to logging, so later tests still see logs."""
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
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """A new, empty PostgreSQL database on TEST_DATABASE_URL's server, dropped afterwards."""
    server = _postgres_server_url()
    if server is None:
        pytest.skip("TEST_DATABASE_URL is not a PostgreSQL database")
    name = f"rs_migrations_{secrets.token_hex(4)}"
    maintenance = sa.make_url(server).set(drivername="postgresql", database="postgres")
    conninfo = maintenance.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each kind of database, fresh and empty."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def migration_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An application bound to the empty database, inside an application context."""
    application = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, INSTANCE_PATH=str(tmp_path))
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def _table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def _schema_differences() -> list:
    """What autogenerate would write into a new migration (empty when the schema matches the models)."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def _current_revisions() -> set[str]:
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def _head_revisions() -> set[str]:
    return set(ScriptDirectory(MIGRATIONS).get_heads())


def test_migrations_upgrade_from_empty_creates_every_model_table(migration_app: Flask):
    assert _table_names() == set()
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert _table_names() == set(Base.metadata.tables) | {"alembic_version"}
    assert _current_revisions() == _head_revisions()


def test_migrations_at_head_match_the_models_without_drift(migration_app: Flask):
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert _schema_differences() == []


def test_migrations_downgrade_to_base_and_upgrade_again(migration_app: Flask):
    flask_migrate.upgrade(directory=MIGRATIONS)
    flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
    assert _table_names() == {"alembic_version"}
    assert _current_revisions() == set()
    flask_migrate.upgrade(directory=MIGRATIONS)
    assert _table_names() == set(Base.metadata.tables) | {"alembic_version"}
    assert _current_revisions() == _head_revisions()
    assert _schema_differences() == []


def test_migrations_have_a_single_head():
    assert len(_head_revisions()) == 1
