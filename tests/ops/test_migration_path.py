"""Every released schema version upgrades to head: a database at any revision of migrations/versions,
upgraded, ends at the head revision with exactly the models' schema.

The revisions are read from Alembic's script directory, so a new migration is covered without
touching this file. Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is PostgreSQL.
"""

from __future__ import annotations

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from roadshow import PROJECT_ROOT
from roadshow.extensions import db
from roadshow.models import Base

MIGRATIONS = str(PROJECT_ROOT / "migrations")
SCRIPTS = ScriptDirectory(MIGRATIONS)
# Oldest first; walk_revisions() goes from the heads down.
REVISIONS = [script.revision for script in reversed(list(SCRIPTS.walk_revisions()))]


def _current_revisions() -> set[str]:
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def _schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_migration_revisions_are_found_oldest_first():
    assert REVISIONS, "no migrations found"
    assert SCRIPTS.get_revision(REVISIONS[0]).down_revision is None
    assert REVISIONS[-1] in SCRIPTS.get_heads()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
@pytest.mark.parametrize("revision", REVISIONS)
def test_migrations_upgrade_from_revision_to_head(make_app, fresh_database, kind, revision):
    application = make_app(fresh_database(kind))
    with application.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS, revision=revision)
        assert _current_revisions() == {revision}
        flask_migrate.upgrade(directory=MIGRATIONS)
        assert _current_revisions() == set(SCRIPTS.get_heads())
        assert set(sa.inspect(db.engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
        assert _schema_differences() == []
