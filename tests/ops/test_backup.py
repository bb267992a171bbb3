"""`flask backup` / `flask restore`: a portable round trip between SQLite and PostgreSQL, all or nothing.

The source is the suite's database (SQLite, or PostgreSQL under TEST_DATABASE_URL), filled with the
factories; the target is a fresh database of each kind, created with the migrations.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask

from roadshow import PROJECT_ROOT, ops
from roadshow.enums import ApplicationStatus, EventStatus, OutboxStatus, SessionKind, SlotState
from roadshow.extensions import db
from roadshow.models import (
    AuditLogEntry,
    Base,
    CalendarToken,
    OutboxMessage,
    PitchProgrammeRelease,
    PitchSlot,
    Registration,
    Sector,
    User,
    organisation_sectors,
    session_stars,
)

MIGRATIONS = str(PROJECT_ROOT / "migrations")
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def populated(app, make_user, make_event, make_session, make_organisation, make_application) -> dict:
    """Rows in every table, with every kind of value: enums, dates, instants, decimals, JSON, NULLs."""
    organiser = make_user(name="Li Wei 李伟", locale="zh", timezone="Asia/Shanghai")
    attendee = make_user()
    event = make_event(organiser=organiser, status=EventStatus.PUBLISHED, title_zh="中欧峰会")
    keynote = make_session(event, title="Opening — 开幕")
    block = make_session(
        event, starts_at=START + timedelta(hours=2), kind=SessionKind.PITCH_BLOCK, title="Pitches"
    )
    organisation = make_organisation(owner=attendee, name="Nordlicht Medical GmbH")
    application = make_application(
        event,
        organisation,
        windows=[(START, START + timedelta(hours=3))],
        investment_amount=Decimal("1250000.50"),
        investment_currency="EUR",
        status=ApplicationStatus.ACCEPTED,
    )
    with app.app_context():
        sector = Sector(slug="robotics", name="Robotics", name_zh="机器人")
        db.session.add(sector)
        db.session.flush()
        db.session.execute(
            organisation_sectors.insert().values(organisation_id=organisation.id, sector_id=sector.id)
        )
        registration = Registration(event_id=event.id, user_id=attendee.id)
        db.session.add(registration)
        db.session.flush()
        db.session.execute(
            session_stars.insert().values(registration_id=registration.id, session_id=keynote.id)
        )
        db.session.add_all(
            [
                PitchSlot(
                    session_id=block.id,
                    starts_at=block.starts_at,
                    ends_at=block.starts_at + timedelta(minutes=15),
                    state=SlotState.PUBLISHED,
                    application_id=application.id,
                ),
                PitchProgrammeRelease(
                    event_id=event.id,
                    number=1,
                    snapshot=[{"slot": 1, "company": "Nordlicht", "at": "2026-12-01T10:00:00+00:00"}],
                    changelog=[{"change": "added", "zh": "新增"}],
                ),
                AuditLogEntry(
                    event_id=event.id,
                    actor_id=organiser.id,
                    action="event.publish",
                    target_type="event",
                    target_id=event.id,
                    before={"status": "draft"},
                    after={"status": "published", "nested": {"list": [1, 2.5, None, True]}},
                ),
                CalendarToken(user_id=attendee.id, token_hash="a" * 64),
                OutboxMessage(
                    status=OutboxStatus.PENDING,
                    recipient=attendee.email,
                    subject="Ihr Termin — 您的时段",
                    body_text='Line one\nLine two\ttabbed "quoted" \\ backslash',
                    message_id="<backup-test@roadshow.test>",
                ),
            ]
        )
        db.session.commit()
    return {"event": event, "attendee": attendee}


def _all_rows(application: Flask) -> dict[str, list[tuple]]:
    """Every row of every model table, in primary-key order."""
    with application.app_context(), db.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def _migrated(make_app, fresh_database, kind: str) -> Flask:
    target = make_app(fresh_database(kind))
    with target.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
    return target


def _backup(app: Flask, path: Path) -> None:
    result = app.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_backup_restore_round_trip_gives_identical_rows(
    app, populated, make_app, fresh_database, tmp_path, kind
):
    path = tmp_path / "roadshow.jsonl"
    _backup(app, path)
    target = _migrated(make_app, fresh_database, kind)
    result = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 0, result.output
    source_rows = _all_rows(app)
    assert _all_rows(target) == source_rows
    assert sum(map(len, source_rows.values())) == int(result.output.split()[1])
    assert source_rows["pitch_applications"][0][
        list(Base.metadata.tables["pitch_applications"].columns.keys()).index("investment_amount")
    ] == Decimal("1250000.50")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_restore_moves_id_sequences_past_restored_rows(
    app, populated, make_app, fresh_database, tmp_path, kind
):
    path = tmp_path / "roadshow.jsonl"
    _backup(app, path)
    target = _migrated(make_app, fresh_database, kind)
    assert target.test_cli_runner().invoke(args=["restore", str(path)]).exit_code == 0
    with target.app_context():
        highest = db.session.scalar(sa.select(sa.func.max(User.id)))
        user = User(
            email="after-restore@example.org", name="After", password_hash="x", timezone="UTC", locale="en"
        )
        db.session.add(user)
        db.session.commit()
        assert user.id == highest + 1


def test_backup_file_starts_with_revision_and_ends_with_row_counts(app, populated, tmp_path):
    path = tmp_path / "roadshow.jsonl"
    result = app.test_cli_runner().invoke(args=["backup", str(path)])
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    header, trailer = lines[0], lines[-1]
    assert {key: header[key] for key in ("format", "version", "alembic_revision")} == {
        "format": "roadshow-backup",
        "version": 1,
        "alembic_revision": ops.head_revision(),
    }
    assert trailer["end"] is True
    assert trailer["rows"] == {name: len(rows) for name, rows in _all_rows(app).items()}
    assert trailer["rows"]["users"] == 2
    assert result.output.startswith(f"Backed up {sum(trailer['rows'].values())} rows of ")


def test_backup_to_gz_file_is_compressed_and_restores(app, populated, make_app, fresh_database, tmp_path):
    path = tmp_path / "roadshow.jsonl.gz"
    _backup(app, path)
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    with gzip.open(path, "rt") as unpacked:
        assert json.loads(unpacked.readline())["format"] == "roadshow-backup"
    assert not (tmp_path / "roadshow.jsonl.gz.partial").exists()
    target = _migrated(make_app, fresh_database, "sqlite")
    assert target.test_cli_runner().invoke(args=["restore", str(path)]).exit_code == 0
    assert _all_rows(target) == _all_rows(app)


def test_restore_into_non_empty_database_is_refused_without_force(
    app, populated, make_app, fresh_database, tmp_path
):
    path = tmp_path / "roadshow.jsonl"
    _backup(app, path)
    target = _migrated(make_app, fresh_database, "sqlite")
    runner = target.test_cli_runner()
    assert runner.invoke(args=["restore", str(path)]).exit_code == 0
    with target.app_context():
        db.session.execute(sa.update(User).values(name="Changed after the backup"))
        db.session.commit()
    refused = runner.invoke(args=["restore", str(path)])
    assert refused.exit_code == 1
    assert "the database is not empty (events, " in refused.output
    assert "use --force to replace its contents" in refused.output
    with target.app_context():
        assert set(db.session.scalars(sa.select(User.name))) == {"Changed after the backup"}


def test_restore_with_force_replaces_the_contents(app, populated, make_app, fresh_database, tmp_path):
    path = tmp_path / "roadshow.jsonl"
    _backup(app, path)
    target = _migrated(make_app, fresh_database, "sqlite")
    runner = target.test_cli_runner()
    assert runner.invoke(args=["restore", str(path)]).exit_code == 0
    with target.app_context():
        db.session.add(
            User(email="extra@example.org", name="Extra", password_hash="x", timezone="UTC", locale="en")
        )
        db.session.commit()
    result = runner.invoke(args=["restore", "--force", str(path)])
    assert result.exit_code == 0, result.output
    assert _all_rows(target) == _all_rows(app)


def test_restore_of_other_schema_revision_is_refused_and_changes_nothing(
    app, populated, make_app, fresh_database, tmp_path
):
    path = tmp_path / "roadshow.jsonl"
    _backup(app, path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = json.loads(lines[0])
    header["alembic_revision"] = "0000_older"
    path.write_text(json.dumps(header) + "\n" + "".join(lines[1:]), encoding="utf-8")
    target = _migrated(make_app, fresh_database, "sqlite")
    result = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert (
        f"the backup is of schema revision 0000_older, the database is at {ops.head_revision()}"
        in result.output
    )
    assert all(rows == [] for rows in _all_rows(target).values())


def test_restore_into_database_without_schema_is_refused(app, populated, make_app, fresh_database, tmp_path):
    path = tmp_path / "roadshow.jsonl"
    _backup(app, path)
    target = make_app(fresh_database("sqlite"))
    result = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert "the database has no schema yet: run `flask db upgrade` first" in result.output


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_restore_of_truncated_file_is_refused_and_changes_nothing(
    app, populated, make_app, fresh_database, tmp_path, kind
):
    path = tmp_path / "roadshow.jsonl"
    _backup(app, path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-2]), encoding="utf-8")  # loses the last row and the trailer
    target = _migrated(make_app, fresh_database, kind)
    result = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert "restore failed, nothing was changed: the backup file is truncated" in result.output
    assert all(rows == [] for rows in _all_rows(target).values())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json at all\n", "line 1 is not JSON"),
        ('{"format": "something-else"}\n', "this is not a Roadshow backup file"),
        ('{"format": "roadshow-backup", "version": 99, "alembic_revision": "0001"}\n', "format version 99"),
    ],
)
def test_restore_of_foreign_file_is_refused(make_app, fresh_database, tmp_path, content, message):
    path = tmp_path / "foreign.jsonl"
    path.write_text(content, encoding="utf-8")
    target = _migrated(make_app, fresh_database, "sqlite")
    result = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert message in result.output


def test_restore_of_row_with_wrong_value_is_refused_and_changes_nothing(
    app, populated, make_app, fresh_database, tmp_path
):
    path = tmp_path / "roadshow.jsonl"
    _backup(app, path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    events_heading = next(i for i, line in enumerate(lines) if line.startswith('{"table":"events"'))
    row = json.loads(lines[events_heading + 1])
    columns = json.loads(lines[events_heading])["columns"]
    row[columns.index("start_date")] = "the first of December"
    lines[events_heading + 1] = json.dumps(row) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    target = _migrated(make_app, fresh_database, "sqlite")
    result = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert "a row of events holds a value that does not fit" in result.output
    assert all(rows == [] for rows in _all_rows(target).values())


def test_backup_of_unreachable_database_fails_and_leaves_no_file(make_app, tmp_path):
    broken = make_app("postgresql+psycopg://roadshow@127.0.0.1:1/roadshow")
    path = tmp_path / "roadshow.jsonl"
    result = broken.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 1
    assert "backup failed" in result.output
    assert list(tmp_path.glob("roadshow.jsonl*")) == []


def test_encode_and_decode_values_round_trip():
    table = Base.metadata.tables["pitch_applications"]
    values = {
        "created_at": datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        "investment_amount": Decimal("0.10"),
        "status": ApplicationStatus.WAITLISTED,
    }
    for name, value in values.items():
        encoded = json.loads(json.dumps(ops._encode_value(value)))
        assert ops._decoder(table.columns[name])(encoded) == value
    assert ops._decoder(Base.metadata.tables["events"].columns["start_date"])("2026-12-01") == date(
        2026, 12, 1
    )
