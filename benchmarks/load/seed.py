"""Seed a scratch database for the load test and print what the scenarios need as JSON.

    DATABASE_URL=… SECRET_KEY=… ROADSHOW_ENV=production python benchmarks/load/seed.py > seed.json

Run by benchmarks/load/run.py with the same environment as the gunicorn it starts (same SECRET_KEY,
so the session cookies made here are valid there). It DROPS every table of DATABASE_URL first.

- ``load-summit-2000``: a published summit over ten days with 2,000 sessions in ten tracks;
- ``load-summit``: a typical published summit (24 sessions over two days);
- ``load-roadshow``: a published roadshow open for pitch applications;
- 150 attendees registered for ``load-summit`` (five stars each), 50 company representatives each
  owning an organisation; one personal-feed user registered for both summits with 100 stars and a
  calendar token. Every user has the password below (hashed once, with production parameters).
- A signed session cookie for each of the 200 simulated users (returning visitors are logged in).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402 - the project root must be on the path first
import sqlalchemy as sa  # noqa: E402
from flask import session  # noqa: E402
from flask_login import login_user  # noqa: E402

from roadshow import create_app  # noqa: E402
from roadshow.auth.services import hash_password  # noqa: E402
from roadshow.countries import normalise_organisation_name, region_for_country  # noqa: E402
from roadshow.enums import EventKind, EventStatus, MembershipRole, SessionKind  # noqa: E402
from roadshow.extensions import db  # noqa: E402
from roadshow.feeds import tokens  # noqa: E402
from roadshow.models import (  # noqa: E402
    Base,
    Event,
    Membership,
    Organisation,
    ProgrammeSession,
    Registration,
    Sector,
    User,
    session_stars,
)

PASSWORD = "Load-test-password-2026"  # noqa: S105 - a scratch database's public test password
BIG_SESSIONS = 2000
TRACKS = 10
ATTENDEES = 150
COMPANIES = 50


def _event(slug: str, title: str, kind: EventKind, start: date, days: int, **columns) -> Event:
    event = Event(
        slug=slug,
        title=title,
        title_zh=f"{title}（中文）",
        description="A load-test event.",
        kind=kind,
        status=EventStatus.PUBLISHED,
        timezone="Europe/Brussels",
        start_date=start,
        end_date=start + timedelta(days=days - 1),
        contact_email="organisers@example.org",
        **columns,
    )
    db.session.add(event)
    db.session.flush()
    return event


def _sessions(event: Event, count: int, per_day: int, tracks: int) -> list[ProgrammeSession]:
    zone = ZoneInfo(event.timezone)
    rows = []
    for number in range(count):
        day = event.start_date + timedelta(days=number // per_day)
        slot, track = divmod(number % per_day, tracks)
        starts = datetime.combine(day, time(9, 0), zone) + timedelta(minutes=30 * slot)
        rows.append(
            ProgrammeSession(
                event_id=event.id,
                kind=SessionKind.PANEL if number % 5 else SessionKind.KEYNOTE,
                title=f"Session {number + 1}: robotics, biomedicine and smart manufacturing",
                title_zh=f"第{number + 1}场：机器人、生物医药与智能制造",
                description="EU–China cooperation in practice.",
                starts_at=starts.astimezone(UTC),
                ends_at=(starts + timedelta(minutes=25)).astimezone(UTC),
                track=f"Room {track + 1}",
                join_url=f"https://meet.example.org/{event.slug}/{number + 1}",
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _user(email: str, password_hash: str, **columns) -> User:
    user = User(email=email, name=email.split("@")[0], password_hash=password_hash, **columns)
    db.session.add(user)
    return user


def _star(registration: Registration, sessions: list[ProgrammeSession]) -> None:
    db.session.execute(
        session_stars.insert(), [{"registration_id": registration.id, "session_id": s.id} for s in sessions]
    )


USER_AGENT = "roadshow-load/1.0"


def _session_cookie(app, user: User) -> str:
    """The value of a session cookie in which *user* is logged in (signed with the app's key), made
    for the load client's address and user agent (Flask-Login's session protection checks them)."""
    with app.test_request_context(
        "/", headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    ):
        login_user(user)
        return app.session_interface.get_signing_serializer(app).dumps(dict(session))


def seed() -> dict:
    """Fill the database and return what the load scenarios need."""
    app = create_app()
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        Base.metadata.create_all(db.engine)
        flask_migrate.stamp(directory=str(ROOT / "migrations"))
        password_hash = hash_password(PASSWORD)
        start = datetime.now(UTC).date() + timedelta(days=30)
        db.session.add_all(
            [Sector(slug=slug, name=slug.title()) for slug in ("robotics", "biomedicine", "fintech")]
        )
        big = _event(
            "load-summit-2000", "EU–China Parks Summit (2,000 sessions)", EventKind.SUMMIT, start, 10
        )
        big_sessions = _sessions(big, BIG_SESSIONS, BIG_SESSIONS // 10, TRACKS)
        small = _event("load-summit", "EU–China Science Parks Online Summit", EventKind.SUMMIT, start, 2)
        small_sessions = _sessions(small, 24, 12, 2)
        roadshow = _event(
            "load-roadshow",
            "EU–China Online Projects Roadshow",
            EventKind.ROADSHOW,
            start + timedelta(days=3),
            1,
            application_deadline=datetime.now(UTC) + timedelta(days=20),
        )
        _sessions(roadshow, 2, 2, 1)

        attendees = [_user(f"load-attendee-{n}@example.org", password_hash) for n in range(ATTENDEES)]
        companies = [_user(f"load-company-{n}@example.org", password_hash) for n in range(COMPANIES)]
        feed_user = _user("load-feed@example.org", password_hash, locale="zh", timezone="Asia/Shanghai")
        db.session.flush()
        for number, user in enumerate(attendees):
            registration = Registration(event_id=small.id, user_id=user.id)
            db.session.add(registration)
            db.session.flush()
            _star(registration, small_sessions[number % 19 : number % 19 + 5])
        for number, user in enumerate(companies):
            name = f"Load Company {number} GmbH"
            organisation = Organisation(
                name=name,
                normalised_name=normalise_organisation_name(name),
                country="DE",
                region=region_for_country("DE"),
                city="Munich",
            )
            db.session.add(organisation)
            db.session.flush()
            db.session.add(
                Membership(organisation_id=organisation.id, user_id=user.id, role=MembershipRole.OWNER)
            )
        for event, sessions in ((big, big_sessions[::20]), (small, small_sessions[:10])):
            registration = Registration(event_id=event.id, user_id=feed_user.id)
            db.session.add(registration)
            db.session.flush()
            _star(registration, sessions)
        token = tokens.issue_token(feed_user)
        db.session.commit()
        users = [{"email": u.email, "cookie": _session_cookie(app, u), "company": False} for u in attendees]
        users += [{"email": u.email, "cookie": _session_cookie(app, u), "company": True} for u in companies]
        return {
            "password": PASSWORD,
            "big_event": big.slug,
            "small_event": small.slug,
            "roadshow": roadshow.slug,
            "roadshow_day": roadshow.start_date.isoformat(),
            "personal_token": token,
            "session_cookie_name": app.config.get("SESSION_COOKIE_NAME", "session"),
            "user_agent": USER_AGENT,
            "users": users,
        }


if __name__ == "__main__":
    json.dump(seed(), sys.stdout)
