"""Feed reads on one autocommit connection per request.

Feeds and their polls only read, one statement at a time, so they need no transaction: without one,
a poll saves the BEGIN and ROLLBACK round trips that the ORM session's connection would cost (about
a third of a token check on PostgreSQL). Each statement still sees committed data only, as under
PostgreSQL's default READ COMMITTED, where every statement takes its own snapshot anyway.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, g

from roadshow.extensions import db

_G_KEY = "_feed_read_connection"


def read(statement: sa.Executable, parameters: dict[str, Any] | None = None) -> sa.CursorResult:
    """Execute the read-only *statement* on this request's autocommit connection."""
    connection = g.get(_G_KEY)
    if connection is None:
        connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        setattr(g, _G_KEY, connection)
    return connection.execute(statement, parameters or {})


def close_read_connection(_error: BaseException | None = None) -> None:
    """Give this request's read connection back to the pool (at the end of the app context)."""
    connection = g.pop(_G_KEY, None)
    if connection is not None:
        connection.close()


def init_app(app: Flask) -> None:
    """Close the read connection when each app context ends."""
    if close_read_connection not in app.teardown_appcontext_funcs:
        app.teardown_appcontext(close_read_connection)
