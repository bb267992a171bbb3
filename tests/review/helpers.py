"""Helpers for the review-desk tests: applications from several companies, and a query counter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask

from roadshow.extensions import db

JUNE_10 = datetime(2030, 6, 10, tzinfo=UTC)
WINDOW = [(JUNE_10.replace(hour=7), JUNE_10.replace(hour=10))]


@contextmanager
def counted_queries(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements run on the app's engine inside the block."""
    statements: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before_cursor_execute)
