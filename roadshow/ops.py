"""Operations: health checks, request ids in structured logs, and portable backup and restore.

- ``/healthz`` answers 200 while the process runs (no database); ``/readyz`` answers 200 when the
  database (and Redis, when configured) answer, else 503 with a JSON reason.
- Every request has an id: a sane incoming ``X-Request-ID`` (set by nginx) or a new one. It is echoed
  in the response and carried by every log record made while the request runs.
- With ``LOG_FORMAT`` ``json`` (production's default) or ``kv``, log lines are structured; secrets in
  logged paths (personal feed tokens, reset and invitation tokens, ``token=`` arguments) are redacted.
- ``flask backup FILE`` writes every table as JSON lines with the schema's Alembic revision;
  ``flask restore FILE`` loads it into a migrated, empty database of either kind (SQLite or
  PostgreSQL), all or nothing.
"""

from __future__ import annotations

import base64
import contextlib
import enum
import gzip
import io
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import click
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, current_app, has_request_context, jsonify, request
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from roadshow import PROJECT_ROOT, shared_cache
from roadshow.extensions import db
from roadshow.feeds.redaction import redact as redact_feed_tokens
from roadshow.models import Base

log = logging.getLogger(__name__)

bp = Blueprint("ops", __name__)

MIGRATIONS_DIRECTORY = PROJECT_ROOT / "migrations"

# --- Request ids ----------------------------------------------------------------------------------

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_ENVIRON = "roadshow.request_id"
# What an incoming id may look like: UUIDs, hex digests, nginx's $request_id, "host:counter" …
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def current_request_id() -> str | None:
    """The id of the request being handled (the sane incoming one, else a new one); None outside one."""
    if not has_request_context():
        return None
    environ = request.environ
    request_id = environ.get(_REQUEST_ID_ENVIRON)
    if request_id is None:
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        environ[_REQUEST_ID_ENVIRON] = request_id
    return request_id


def echo_request_id(response: Response) -> Response:
    """Send the request id back, so a user's report can be matched with the logs."""
    response.headers[REQUEST_ID_HEADER] = current_request_id() or ""
    return response


# --- Redaction ------------------------------------------------------------------------------------

_SECRET_PATH_SEGMENT = re.compile(r"(/(?:feeds|reset|invitations)/)[^/\s\"'?#]+")
_SECRET_QUERY_ARGUMENT = re.compile(r"([?&;](?:token|access_token|key|secret)=)[^&;#\s\"']*", re.IGNORECASE)
_REDACTED = r"\1[redacted]"


def redact_for_log(text: str) -> str:
    """*text* with credentials in URLs replaced by ``[redacted]``.

    Personal feed paths (``/calendar/<token>.ics``, via roadshow.feeds.redaction), anything after
    ``/feeds/``, password-reset and invitation tokens in paths, and ``token=`` (``key=``, ``secret=``)
    query arguments.
    """
    text = redact_feed_tokens(text)
    text = _SECRET_PATH_SEGMENT.sub(_REDACTED, text)
    return _SECRET_QUERY_ARGUMENT.sub(_REDACTED, text)


# --- Structured logs ------------------------------------------------------------------------------

_HANDLER_MARK = "_roadshow_handler"
_record_factory_installed = False


def install_record_factory() -> None:
    """Give every log record ``request_id``, ``request_method`` and ``request_path`` (once per process)."""
    global _record_factory_installed
    if _record_factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if has_request_context():
            record.request_id = current_request_id()
            record.request_method = request.method
            record.request_path = redact_for_log(request.path)
        else:
            record.request_id = record.request_method = record.request_path = None
        return record

    logging.setLogRecordFactory(factory)
    _record_factory_installed = True


def _log_fields(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
        "request_id": getattr(record, "request_id", None) or "-",
    }
    if getattr(record, "request_path", None):
        fields["method"] = record.request_method  # type: ignore[attr-defined]
        fields["path"] = record.request_path  # type: ignore[attr-defined]
    fields["message"] = redact_for_log(record.getMessage())
    if record.exc_info:
        fields["exception"] = redact_for_log(formatter.formatException(record.exc_info))
    return fields


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, method, path, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """*record* as a JSON line."""
        return json.dumps(_log_fields(record, self), ensure_ascii=False)


class KeyValueLogFormatter(logging.Formatter):
    """``key=value`` pairs on one line; values with spaces or quotes are JSON-quoted."""

    def format(self, record: logging.LogRecord) -> str:
        """*record* as ``time=… level=… request_id=… message="…"``."""
        pairs = []
        for key, value in _log_fields(record, self).items():
            text = str(value)
            if not text or re.search(r"[\s\"=\\]", text):
                text = json.dumps(text, ensure_ascii=False)
            pairs.append(f"{key}={text}")
        return " ".join(pairs)


FORMATTERS: dict[str, type[logging.Formatter]] = {"json": JsonLogFormatter, "kv": KeyValueLogFormatter}


def log_handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    """A stream handler (stderr by default) writing *log_format* (``json`` or ``kv``) lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(FORMATTERS[log_format]())
    setattr(handler, _HANDLER_MARK, True)
    return handler


def configure_logging(app: Flask) -> logging.Handler | None:
    """Write structured lines from the root logger when ``LOG_FORMAT`` is ``json`` or ``kv``.

    Unset, production logs JSON and other environments leave logging as it is. The handler is
    installed once per process (replaced when the format changes); ``LOG_LEVEL`` sets the level.
    """
    configured = app.config.get("LOG_FORMAT")
    if configured is None:  # unset: JSON in production, logging left alone elsewhere
        configured = "json" if app.config.get("ENV_NAME") == "production" else ""
    log_format = str(configured).lower()
    if log_format not in FORMATTERS:
        return None
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, _HANDLER_MARK, False):
            root.removeHandler(existing)
    handler = log_handler(log_format)
    root.addHandler(handler)
    root.setLevel(str(app.config.get("LOG_LEVEL", "INFO")).upper())
    return handler


# --- Health ---------------------------------------------------------------------------------------


def _plain(body: str, status: int) -> Response:
    response = Response(body, status=status, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """200 while the process can answer: no database, no session, no template."""
    return _plain("ok\n", 200)


def readiness_problems(app: Flask) -> dict[str, str]:
    """What keeps *app* from serving: ``{"database": "unreachable (OperationalError)"}``; empty when ready."""
    problems = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        problems["database"] = f"unreachable ({type(error).__name__})"
    client = shared_cache.redis_client(app)
    if client is not None:
        try:
            client.ping()
        except Exception as error:  # any failure means "not ready"
            problems["redis"] = f"unreachable ({type(error).__name__})"
    return problems


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when the database (and Redis, if configured) answer; 503 with the reason otherwise."""
    problems = readiness_problems(current_app._get_current_object())  # type: ignore[attr-defined]
    if problems:
        log.warning("not ready: %s", ", ".join(f"{name} {text}" for name, text in problems.items()))
        reason = "; ".join(f"{name} {text}" for name, text in problems.items())
        response = jsonify(status="unavailable", reason=reason, checks=problems)
        status = 503
    else:
        response = jsonify(status="ready", checks={"database": "ok"})
        status = 200
    response.headers["Cache-Control"] = "no-store"
    return response, status


# --- Backup and restore ---------------------------------------------------------------------------

BACKUP_FORMAT = "roadshow-backup"
BACKUP_FORMAT_VERSION = 1
INSERT_BATCH = 500


class BackupError(Exception):
    """A backup cannot be written, or a file cannot be restored (the message says why)."""


@dataclass(frozen=True, slots=True)
class BackupSummary:
    """What a backup or restore did: the schema revision and the rows per table."""

    revision: str
    rows: dict[str, int]

    @property
    def total_rows(self) -> int:
        """Rows in every table together."""
        return sum(self.rows.values())


def head_revision() -> str:
    """The newest schema revision of the code's migrations."""
    heads = ScriptDirectory(str(MIGRATIONS_DIRECTORY)).get_heads()
    if len(heads) != 1:
        raise BackupError(f"the migrations have {len(heads)} heads; merge them first")
    return heads[0]


def database_revision(connection: sa.Connection) -> str | None:
    """The Alembic revision the database is stamped with, or None (no ``alembic_version``)."""
    # Alembic announces its "Context impl" at INFO on every configure(); not news for these commands.
    alembic_log = logging.getLogger("alembic.runtime.migration")
    level = alembic_log.level
    alembic_log.setLevel(logging.WARNING)
    try:
        heads = MigrationContext.configure(connection).get_current_heads()
    finally:
        alembic_log.setLevel(level)
    if len(heads) > 1:
        raise BackupError(f"the database is stamped with several revisions: {', '.join(heads)}")
    return heads[0] if heads else None


def _encode_value(value: Any) -> Any:
    """A column value as JSON: instants and dates as ISO 8601, decimals as text, bytes as base64."""
    if value is None or isinstance(value, bool | int | float | str | dict | list):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise BackupError(f"cannot write a value of type {type(value).__name__}")


def _decoder(column: sa.Column) -> Callable[[Any], Any]:
    """The function turning a JSON value back into what *column* takes."""
    column_type = column.type
    if isinstance(column_type, sa.types.TypeDecorator):  # e.g. UTCDateTime: decode as its impl
        column_type = column_type.impl_instance
    if isinstance(column_type, sa.JSON):
        return lambda value: value
    if isinstance(column_type, sa.Enum) and column_type.enum_class is not None:
        enum_class = column_type.enum_class
        return lambda value: None if value is None else enum_class(value)
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return lambda value: value
    parsers: dict[type, Callable[[Any], Any]] = {
        datetime: datetime.fromisoformat,
        date: date.fromisoformat,
        time: time.fromisoformat,
        Decimal: Decimal,
        bytes: base64.b64decode,
        uuid.UUID: uuid.UUID,
    }
    parse = parsers.get(python_type)
    if parse is None:
        return lambda value: value
    return lambda value: None if value is None else parse(value)


def _tables() -> list[sa.Table]:
    """Every model table, parents before children."""
    return list(Base.metadata.sorted_tables)


@contextlib.contextmanager
def _snapshot(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection whose reads all see one consistent state of the database."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield connection
        elif connection.dialect.name == "sqlite":
            # pysqlite opens no transaction for SELECTs; one explicit read transaction holds the snapshot.
            connection.exec_driver_sql("BEGIN")
            try:
                yield connection
            finally:
                connection.rollback()
        else:
            with connection.begin():
                yield connection


def write_backup(engine: sa.Engine, out: IO[str]) -> BackupSummary:
    """Write every model table of *engine*'s database to *out* as JSON lines.

    The first line names the format and the schema revision (the database's stamp; the code's head
    for a schema made without migrations); each table follows as a line with its column names and
    one JSON array per row, in primary-key order; a last line counts the rows, so that a truncated
    file is refused on restore.
    """
    rows: dict[str, int] = {}
    with _snapshot(engine) as connection:
        revision = database_revision(connection)
        if revision is None:
            revision = head_revision()
            log.warning("the database carries no Alembic revision; recording the code's head %s", revision)
        header = {
            "format": BACKUP_FORMAT,
            "version": BACKUP_FORMAT_VERSION,
            "alembic_revision": revision,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "dialect": connection.dialect.name,
        }
        _write_line(out, header)
        for table in _tables():
            columns = [column.name for column in table.columns]
            _write_line(out, {"table": table.name, "columns": columns})
            statement = sa.select(table).order_by(*table.primary_key.columns)
            count = 0
            for row in connection.execution_options(yield_per=1000).execute(statement):
                _write_line(out, [_encode_value(value) for value in row])
                count += 1
            rows[table.name] = count
        _write_line(out, {"end": True, "rows": rows})
    return BackupSummary(revision, rows)


def _write_line(out: IO[str], value: Any) -> None:
    out.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")


def _read_lines(source: IO[str]) -> Iterator[Any]:
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as error:
            raise BackupError(f"line {number} is not JSON: {error.msg}") from None


def _read_header(lines: Iterator[Any]) -> dict[str, Any]:
    header = next(lines, None)
    if not isinstance(header, dict) or header.get("format") != BACKUP_FORMAT:
        raise BackupError("this is not a Roadshow backup file")
    if header.get("version") != BACKUP_FORMAT_VERSION:
        raise BackupError(f"backup format version {header.get('version')} is not supported")
    if not isinstance(header.get("alembic_revision"), str):
        raise BackupError("the backup names no schema revision")
    return header


def _has_rows(connection: sa.Connection) -> list[str]:
    """Names of the model tables holding at least one row."""
    return [
        table.name
        for table in _tables()
        if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None
    ]


def _reset_sequences(connection: sa.Connection) -> None:
    """On PostgreSQL, move each serial id's sequence past the restored ids."""
    if connection.dialect.name != "postgresql":
        return
    preparer = connection.dialect.identifier_preparer
    for table in _tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer) or table.autoincrement_column is None:
            continue
        key = keys[0]
        sequence = connection.execute(
            sa.select(sa.func.pg_get_serial_sequence(preparer.format_table(table), key.name))
        ).scalar()
        if sequence is None:
            continue
        highest = connection.execute(sa.select(sa.func.max(key))).scalar()
        connection.execute(sa.select(sa.func.setval(sequence, highest or 1, highest is not None)))


def _insert_rows(connection: sa.Connection, table: sa.Table, columns: list[str], rows: Iterable[list]) -> int:
    decoders = [_decoder(table.columns[name]) for name in columns]
    batch: list[dict[str, Any]] = []
    count = 0
    for row in rows:
        if not isinstance(row, list) or len(row) != len(columns):
            raise BackupError(f"a row of {table.name} does not have {len(columns)} values")
        try:
            batch.append(
                {name: decode(value) for name, decode, value in zip(columns, decoders, row, strict=True)}
            )
        except (TypeError, ValueError) as error:
            raise BackupError(f"a row of {table.name} holds a value that does not fit: {error}") from None
        if len(batch) >= INSERT_BATCH:
            connection.execute(table.insert(), batch)
            count += len(batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
        count += len(batch)
    return count


def _sections(lines: Iterator[Any]) -> Iterator[tuple[str, list[str], Iterator[list]] | dict]:
    """Split the lines after the header into (table, columns, rows) sections and the trailer."""
    pending = next(lines, None)
    while pending is not None:
        if isinstance(pending, dict) and pending.get("end") is True:
            yield pending
            if next(lines, None) is not None:
                raise BackupError("there are lines after the end of the backup")
            return
        if not (isinstance(pending, dict) and isinstance(pending.get("table"), str)):
            raise BackupError("expected a table heading in the backup file")
        heading = pending
        pending = None

        def rows() -> Iterator[list]:
            nonlocal pending
            for line in lines:
                if isinstance(line, dict):
                    pending = line
                    return
                yield line

        yield heading["table"], list(heading.get("columns") or []), rows()
    raise BackupError("the backup file is truncated (its last line is missing)")


def restore_backup(engine: sa.Engine, source: IO[str], *, force: bool = False) -> BackupSummary:
    """Load a backup written by ``write_backup`` into *engine*'s database, in one transaction.

    The database must be migrated to the backup's schema revision and, unless *force*, hold no rows
    (with *force* every row is deleted first). Any problem raises ``BackupError`` and changes nothing.
    """
    lines = _read_lines(source)
    header = _read_header(lines)
    revision = header["alembic_revision"]
    known = {table.name: table for table in _tables()}
    restored: dict[str, int] = {}
    with engine.begin() as connection:
        current = database_revision(connection)
        if current is None:
            raise BackupError("the database has no schema yet: run `flask db upgrade` first")
        if current != revision:
            raise BackupError(
                f"the backup is of schema revision {revision}, the database is at {current}: "
                f"restore into a database at revision {revision} (`flask db upgrade {revision}`), "
                "then upgrade it"
            )
        occupied = _has_rows(connection)
        if occupied and not force:
            raise BackupError(
                f"the database is not empty ({', '.join(occupied)}); use --force to replace its contents"
            )
        if occupied:
            for table in reversed(_tables()):
                connection.execute(table.delete())
        for section in _sections(lines):
            if isinstance(section, dict):
                expected = section.get("rows")
                if expected != restored:
                    raise BackupError("the backup's row counts do not match its contents (damaged file)")
                break
            name, columns, rows = section
            table = known.get(name)
            if table is None:
                raise BackupError(f"the backup holds a table this version does not know: {name}")
            if set(columns) != set(table.columns.keys()) or len(columns) != len(table.columns):
                raise BackupError(f"the columns of {name} in the backup differ from the schema")
            if name in restored:
                raise BackupError(f"the backup holds {name} twice")
            restored[name] = _insert_rows(connection, table, columns, rows)
        missing = sorted(set(known) - set(restored))
        if missing:
            raise BackupError(f"the backup lacks tables of this schema: {', '.join(missing)}")
        _reset_sequences(connection)
    return BackupSummary(revision, restored)


@contextlib.contextmanager
def _open_for_writing(path: str) -> Iterator[IO[str]]:
    """Write to *path* (``-``: standard output) through a temporary file renamed at the end, so a
    failed backup never leaves a file that looks complete; ``.gz`` names are gzip-compressed."""
    if path == "-":
        yield sys.stdout
        return
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    raw = gzip.open(partial, "wb") if target.suffix == ".gz" else open(partial, "wb")  # noqa: SIM115
    try:
        with raw, io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as text:
            yield text
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)


@contextlib.contextmanager
def _open_for_reading(path: str) -> Iterator[IO[str]]:
    if path == "-":
        yield sys.stdin
        return
    with open(path, "rb") as raw:
        magic = raw.read(2)
        raw.seek(0)
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
        with io.TextIOWrapper(stream, encoding="utf-8") as text:
            yield text


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def backup_command(file: str) -> None:
    """Write the whole database to FILE (JSON lines; gzip when FILE ends in .gz; - is stdout)."""
    try:
        with _open_for_writing(file) as out:
            summary = write_backup(db.engine, out)
    except (BackupError, OSError) as error:
        raise click.ClickException(f"backup failed: {error}") from None
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise click.ClickException(
            f"backup failed: the database does not match this version's models "
            f"(`flask db upgrade`?): {type(error).__name__}: {detail}"
        ) from None
    click.echo(
        f"Backed up {summary.total_rows} rows of {len(summary.rows)} tables "
        f"at schema revision {summary.revision} to {file}.",
        err=file == "-",
    )


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--force", is_flag=True, help="Replace the contents of a database that is not empty.")
@with_appcontext
def restore_command(file: str, force: bool) -> None:
    """Load FILE, written by `flask backup`, into a migrated database (empty unless --force)."""
    try:
        with _open_for_reading(file) as source:
            summary = restore_backup(db.engine, source, force=force)
    except (BackupError, OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as error:
        raise click.ClickException(f"restore failed, nothing was changed: {error}") from None
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise click.ClickException(
            f"restore failed, nothing was changed: the database refused it ({type(error).__name__}: {detail})"
        ) from None
    click.echo(
        f"Restored {summary.total_rows} rows of {len(summary.rows)} tables "
        f"at schema revision {summary.revision}."
    )


# --- Wiring ---------------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Health routes, request ids, structured logs, the shared feed cache and the backup commands."""
    app.register_blueprint(bp)
    app.after_request(echo_request_id)
    install_record_factory()
    configure_logging(app)
    shared_cache.init_app(app)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
