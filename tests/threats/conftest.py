"""Fixtures for the threat tests: an application that carries the account blueprint, and the world.

The suite's session ``app`` is shared and may have served requests before these tests run, so a
blueprint can no longer be added to it. Until ``create_app`` registers ``roadshow.account`` itself,
this directory builds its own application (same configuration, same database) with the blueprint
registered before its first request. Once ``create_app`` registers it, nothing is added here.
"""

from __future__ import annotations

import gc
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

from config import TestConfig
from roadshow import create_app
from roadshow.extensions import db
from roadshow.models import Base
from tests.conftest import test_database_url
from tests.ops.conftest import fresh_database, make_app, postgres_server_url, redis_url, restore_limiter
from tests.threats.world import World, build_world


def _no_fsync(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application with every blueprint, bound to an empty schema for the whole run."""
    instance = tmp_path_factory.mktemp("threats-instance")
    application = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=test_database_url(tmp_path_factory),
        INSTANCE_PATH=str(instance),
        UPLOAD_FOLDER=str(instance / "uploads"),
    )
    if "account" not in application.blueprints:
        from roadshow.account import bp as account_bp

        application.register_blueprint(account_bp)
    with application.app_context():
        if db.engine.dialect.name == "sqlite":
            # Speed only: no fsync per commit (these databases are thrown away after the run).
            sa.event.listen(db.engine, "connect", _no_fsync)
            db.engine.dispose()
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
    yield application
    with application.app_context():
        db.session.remove()
        Base.metadata.drop_all(db.engine)
        db.engine.dispose()


@pytest.fixture
def database_kind() -> str:
    """``postgresql`` when the suite runs on PostgreSQL (TEST_DATABASE_URL), else ``sqlite``."""
    return "postgresql" if postgres_server_url() else "sqlite"


@pytest.fixture
def world(app, make_user, make_event, make_session, make_organisation, make_application) -> World:
    """Two roadshows, their organisers, four companies, an attendee, an admin (see tests.threats.world)."""
    return build_world(app, make_user, make_event, make_session, make_organisation, make_application)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP on 127.0.0.1 (a free port) from a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="threats-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def _running_browser(sync_api: Any) -> Any | None:
    """A Chromium another fixture of this run already launched (tests/browser/'s ``browser``), if any.

    Playwright's sync API allows one instance per thread: while that fixture's instance lives (it is
    session-scoped), a second ``sync_playwright()`` fails, so these tests borrow its browser.
    """
    for candidate in gc.get_objects():
        if isinstance(candidate, sync_api.Browser) and candidate.is_connected():
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless (Playwright's sync API); skipped when it is not installed."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed in .venv")
    borrowed = _running_browser(sync_api)
    if borrowed is not None:
        yield borrowed  # its owner closes it
        return
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


__all__ = ["fresh_database", "make_app", "redis_url", "restore_limiter"]
