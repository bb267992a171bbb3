"""A Roadshow web process for the fault tests, run as ``python -m tests.threats.killable_server``.

It serves the test configuration on 127.0.0.1 (a free port, printed on the first line of stdout) with
the database named by ``THREATS_DATABASE_URL``. When ``THREATS_KILL_PATH`` is set, a POST to that path
is killed with SIGKILL after its changes are flushed to the database and before they are committed:
the hook exists only in this test process, never in the application.
"""

from __future__ import annotations

import os
import signal
import sys

import sqlalchemy as sa
from flask import has_request_context, request
from werkzeug.serving import make_server

from config import TestConfig
from roadshow import create_app


def _kill_between_flush_and_commit(session: sa.orm.Session) -> None:
    path = os.environ.get("THREATS_KILL_PATH")
    if path and has_request_context() and request.method == "POST" and request.path == path:
        session.flush()  # every row of the request is now written, inside the open transaction
        os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    """Build the app, install the hook, serve until killed."""
    instance = os.environ["THREATS_INSTANCE_PATH"]
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=os.environ["THREATS_DATABASE_URL"],
        INSTANCE_PATH=instance,
        UPLOAD_FOLDER=os.path.join(instance, "uploads"),
    )
    sa.event.listen(sa.orm.Session, "before_commit", _kill_between_flush_and_commit)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    sys.stdout.write(f"{server.server_port}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
