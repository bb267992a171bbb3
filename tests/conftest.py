"""Shared fixtures: the app on a real database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a test client, CSRF-aware form posting, and factories that return saved rows.

Factories commit in an application context of their own and return detached rows whose columns
are loaded, so tests can read ``user.id`` or ``event.slug`` while each request still runs in its
own context and session, as in production.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from config import TestConfig, normalise_database_url
from roadshow import create_app
from roadshow.enums import EventKind, EventStatus, MembershipRole, ProjectStage, SessionKind
from roadshow.extensions import db, limiter
from roadshow.feeds import services as feed_services
from roadshow.models import (
    AvailabilityWindow,
    Base,
    Event,
    EventOrganiser,
    Membership,
    Organisation,
    PitchApplication,
    ProgrammeSession,
    User,
)

TEST_PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database the suite runs on: TEST_DATABASE_URL, else a fresh SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


test_database_url.__test__ = False  # not a test, despite its name


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application, bound to an empty schema for the whole run."""
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=test_database_url(tmp_path_factory),
        INSTANCE_PATH=str(instance),
        UPLOAD_FOLDER=str(instance / "uploads"),
    )
    with application.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
    yield application
    with application.app_context():
        db.session.remove()
        Base.metadata.drop_all(db.engine)
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty every table, the rate-limit counters and the per-process feed copies after each test."""
    yield
    if "app" not in request.fixturenames:
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
        limiter.reset()
    # Per-process copies keyed by row ids, which the next test's rows reuse.
    feed_services._HEAD_CACHE.clear()
    feed_services._FINGERPRINT_CACHE.clear()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    """A CLI runner for `flask` commands."""
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, path: str | None = None) -> str:
    """Fetch *path* and return the CSRF token from its forms.

    Without *path*: the home page, whose language switcher is a form for signed-in readers; visitors'
    public pages hold no form (their switcher is made of links), so for them the log-in page.
    """
    for candidate in [path] if path else ["/", "/login"]:
        response = client.get(candidate)
        match = CSRF_RE.search(response.get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError(f"no CSRF token on {candidate} (status {response.status_code})")


@contextmanager
def recorded_statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements *app*'s engine runs inside the block (for query-count tests)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def count_statements(app: Flask, run: Callable[[], Any]) -> int:
    """How many SQL statements ``run()`` made *app*'s engine run."""
    with recorded_statements(app) as statements:
        run()
    return len(statements)


def post_form(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any):
    """POST *data* to *path* with a valid CSRF token, as a browser submitting the form would."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client))
    # Requests are HTTPS (PREFERRED_URL_SCHEME), where Flask-WTF also checks the Referer is same-site.
    headers = {"Referer": f"https://{client.application.config['SERVER_NAME']}/", **kwargs.pop("headers", {})}
    return client.post(path, data=payload, headers=headers, **kwargs)


def _persist(app: Flask, obj: Any) -> Any:
    with app.app_context():
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
    return obj


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Factory: ``make_user(email=None, password=TEST_PASSWORD, **columns)`` → a saved User."""
    from roadshow.auth.services import hash_password

    def factory(email: str | None = None, password: str = TEST_PASSWORD, **columns: Any) -> User:
        email = (email or f"user-{secrets.token_hex(4)}@example.org").lower()
        columns.setdefault("name", email.split("@")[0].title())
        columns.setdefault("timezone", "Europe/Brussels")
        columns.setdefault("locale", "en")
        with app.app_context():
            password_hash = hash_password(password)
        return _persist(app, User(email=email, password_hash=password_hash, **columns))

    return factory


@pytest.fixture
def make_event(app: Flask, make_user: Callable[..., User]) -> Callable[..., Event]:
    """Factory: ``make_event(organiser=None, **columns)`` → a saved Event (draft unless told)."""

    def factory(organiser: User | None = None, **columns: Any) -> Event:
        suffix = secrets.token_hex(3)
        columns.setdefault("slug", f"event-{suffix}")
        columns.setdefault("title", f"EU–China Summit {suffix}")
        columns.setdefault("kind", EventKind.SUMMIT)
        columns.setdefault("status", EventStatus.DRAFT)
        columns.setdefault("timezone", "Europe/Brussels")
        columns.setdefault("start_date", date(2026, 12, 1))
        columns.setdefault("end_date", columns["start_date"] + timedelta(days=1))
        columns.setdefault("contact_email", "organisers@example.org")
        event = _persist(app, Event(**columns))
        if organiser is not None:
            _persist(app, EventOrganiser(event_id=event.id, user_id=organiser.id))
        return event

    return factory


@pytest.fixture
def make_session(app: Flask) -> Callable[..., ProgrammeSession]:
    """Factory: ``make_session(event, starts_at=…, minutes=60, **columns)`` → a saved session."""

    def factory(
        event: Event, starts_at: datetime | None = None, minutes: int = 60, **columns: Any
    ) -> ProgrammeSession:
        starts_at = starts_at or datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
        columns.setdefault("kind", SessionKind.KEYNOTE)
        columns.setdefault("title", "Opening keynote")
        session = ProgrammeSession(
            event_id=event.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            **columns,
        )
        return _persist(app, session)

    return factory


@pytest.fixture
def make_organisation(app: Flask) -> Callable[..., Organisation]:
    """Factory: ``make_organisation(name=None, country="DE", members=(), owner=None, **columns)``."""
    from roadshow.countries import normalise_organisation_name, region_for_country

    def factory(
        name: str | None = None,
        country: str = "DE",
        owner: User | None = None,
        members: tuple[User, ...] = (),
        **columns: Any,
    ) -> Organisation:
        name = name or f"Company {secrets.token_hex(3)} GmbH"
        columns.setdefault("city", "Berlin" if country == "DE" else "")
        organisation = _persist(
            app,
            Organisation(
                name=name,
                normalised_name=normalise_organisation_name(name),
                country=country,
                region=region_for_country(country),
                **columns,
            ),
        )
        for user, role in [(owner, MembershipRole.OWNER)] + [(m, MembershipRole.MEMBER) for m in members]:
            if user is not None:
                _persist(app, Membership(organisation_id=organisation.id, user_id=user.id, role=role))
        return organisation

    return factory


@pytest.fixture
def make_application(app: Flask) -> Callable[..., PitchApplication]:
    """Factory: ``make_application(event, organisation, windows=[(start, end), …], **columns)``."""

    def factory(
        event: Event,
        organisation: Organisation,
        windows: list[tuple[datetime, datetime]] | None = None,
        **columns: Any,
    ) -> PitchApplication:
        columns.setdefault("title", f"{organisation.name} project")
        columns.setdefault("summary", "A project worth hearing about.")
        columns.setdefault("stage", ProjectStage.PROTOTYPE)
        columns.setdefault("timezone", "Europe/Berlin")
        application = _persist(
            app, PitchApplication(event_id=event.id, organisation_id=organisation.id, **columns)
        )
        for starts_at, ends_at in windows or []:
            _persist(
                app,
                AvailabilityWindow(application_id=application.id, starts_at=starts_at, ends_at=ends_at),
            )
        return application

    return factory


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., Any]:
    """``login(user, password=TEST_PASSWORD, client=client)``: sign in through the real form."""

    def do_login(user: User, password: str = TEST_PASSWORD, on: FlaskClient | None = None):
        target = on or client
        response = post_form(target, "/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login


def fetch(app: Flask, statement: sa.Executable) -> list[Any]:
    """Run a SELECT in a fresh context and return detached scalar results."""
    with app.app_context():
        rows = list(db.session.scalars(statement).all())
        for row in rows:
            if isinstance(row, Base):
                db.session.expunge(row)
        return rows
