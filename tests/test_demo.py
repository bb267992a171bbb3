"""`flask demo-data`: what it loads, that it loads it once, and that every demo account works."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from config import ProductionConfig
from roadshow import create_app, timezones
from roadshow.auth.services import password_problems, verify_password
from roadshow.countries import region_for_country
from roadshow.demo import (
    APPLICATIONS,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    ORGANISATIONS,
    ROADSHOW_SLUG,
    SECTORS,
    SUMMIT_SLUG,
    demo_event_dates,
    load_demo_data,
)
from roadshow.enums import (
    ApplicationStatus,
    EventKind,
    EventStatus,
    MembershipRole,
    Region,
    RegistrationRole,
    SessionKind,
    SlotState,
)
from roadshow.extensions import db
from roadshow.models import (
    Base,
    Event,
    EventOrganiser,
    Membership,
    Organisation,
    PitchApplication,
    PitchProgrammeRelease,
    PitchSlot,
    ProgrammeSession,
    Registration,
    Sector,
    User,
)
from tests.conftest import post_form

TODAY = date(2026, 11, 27)  # a Friday
DESIGN_SECTORS = {
    "biomedicine",
    "medical-devices",
    "big-data",
    "robotics",
    "precision-instruments",
    "intelligent-manufacturing",
    "fintech",
    "modern-services",
}


@pytest.fixture
def demo(app: Flask):
    """The demo loaded (for TODAY) and an application context to read it in."""
    with app.app_context():
        assert load_demo_data(TODAY) is True
        yield
        db.session.rollback()


def _event(slug: str) -> Event:
    return db.session.scalars(sa.select(Event).where(Event.slug == slug)).one()


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def test_demo_event_dates_are_tuesdays_ten_and_seventeen_days_ahead():
    assert demo_event_dates(TODAY) == (date(2026, 12, 8), date(2026, 12, 15))


def test_demo_event_dates_skip_the_year_end_holidays():
    assert demo_event_dates(date(2026, 12, 10)) == (date(2027, 1, 12), date(2027, 1, 19))


def test_demo_loads_a_published_summit_and_roadshow(demo):
    summit, roadshow = _event(SUMMIT_SLUG), _event(ROADSHOW_SLUG)
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 2
    assert (summit.kind, summit.status, summit.timezone) == (
        EventKind.SUMMIT,
        EventStatus.PUBLISHED,
        "Europe/Brussels",
    )
    assert (roadshow.kind, roadshow.status, roadshow.timezone) == (
        EventKind.ROADSHOW,
        EventStatus.PUBLISHED,
        "Asia/Shanghai",
    )
    assert summit.title == "EU–China Science Parks Online Summit 2026"
    assert roadshow.title == "EU–China Online Projects Roadshow 2026"
    assert summit.title_zh == "2026中欧科技园区线上峰会"
    assert roadshow.title_zh == "2026中欧线上项目路演"
    assert (summit.start_date, summit.end_date) == (date(2026, 12, 8), date(2026, 12, 9))
    assert (roadshow.start_date, roadshow.end_date) == (date(2026, 12, 15), date(2026, 12, 16))
    deadline = timezones.utc_to_local(roadshow.application_deadline, "Asia/Shanghai")
    assert (deadline.date(), deadline.time()) == (date(2026, 12, 8), time(23, 59))


def test_demo_events_are_run_by_both_organisers(demo):
    emails = db.session.scalars(
        sa.select(User.email)
        .join(EventOrganiser, EventOrganiser.user_id == User.id)
        .join(Event, Event.id == EventOrganiser.event_id)
        .where(Event.slug == SUMMIT_SLUG)
        .order_by(User.email)
    ).all()
    assert emails == ["organiser@example.org", "partner@example.org"]
    assert len(_event(ROADSHOW_SLUG).organisers) == 2


def test_demo_programme_has_every_kind_of_session_with_chinese_titles(demo):
    sessions = db.session.scalars(sa.select(ProgrammeSession)).all()
    assert len(sessions) == 18
    assert {session.kind for session in sessions} == set(SessionKind)
    assert all(session.title_zh for session in sessions)
    blocks = [session for session in sessions if session.kind == SessionKind.PITCH_BLOCK]
    assert [(block.slot_minutes, block.changeover_minutes) for block in blocks] == [(10, 5)] * 3


def test_demo_sessions_lie_inside_their_event_days(demo):
    for event in db.session.scalars(sa.select(Event)):
        for session in event.sessions:
            first = timezones.local_date(session.starts_at, event.timezone)
            last = timezones.local_date(session.ends_at, event.timezone)
            assert event.start_date <= first == last <= event.end_date, session.title


def test_demo_sessions_fall_in_the_hours_brussels_and_shanghai_share(demo):
    # Mornings in Brussels (08:00–12:00) are afternoons in Shanghai (14:00–19:00), summer or winter.
    for session in db.session.scalars(sa.select(ProgrammeSession)):
        for zone, earliest, latest in (("Europe/Brussels", 8, 12), ("Asia/Shanghai", 14, 19)):
            starts = timezones.utc_to_local(session.starts_at, zone).time()
            ends = timezones.utc_to_local(session.ends_at, zone).time()
            assert time(earliest) <= starts < ends <= time(latest), (session.title, zone)


def test_demo_summit_opens_at_half_past_eight_in_brussels(demo):
    opening = _event(SUMMIT_SLUG).sessions[0]
    assert opening.title == "Opening and welcome"
    assert timezones.utc_to_local(opening.starts_at, "Europe/Brussels").time() == time(8, 30)
    assert timezones.utc_to_local(opening.starts_at, "Asia/Shanghai").time() == time(15, 30)


def test_demo_pitch_blocks_are_cut_into_ten_minute_slots_five_minutes_apart(demo):
    blocks = [s for s in _event(ROADSHOW_SLUG).sessions if s.kind == SessionKind.PITCH_BLOCK]
    assert [len(block.slots) for block in blocks] == [6, 6, 4]
    for block in blocks:
        assert block.slots[0].starts_at == block.starts_at
        assert block.slots[-1].ends_at <= block.ends_at
        assert all(slot.ends_at - slot.starts_at == timedelta(minutes=10) for slot in block.slots)
        starts = [slot.starts_at for slot in block.slots]
        assert all(b - a == timedelta(minutes=15) for a, b in itertools.pairwise(starts))


def test_demo_organisations_come_from_the_eu_and_chinese_cities(demo):
    organisations = db.session.scalars(sa.select(Organisation)).all()
    assert len(organisations) == len(ORGANISATIONS) == 34
    regions = [organisation.region for organisation in organisations]
    assert regions.count(Region.EU) == 17
    assert regions.count(Region.CN) == 16
    assert regions.count(Region.OTHER) == 1
    assert all(org.region == region_for_country(org.country) for org in organisations)
    chinese_cities = {org.city for org in organisations if org.region == Region.CN}
    assert chinese_cities == {"Qingdao", "Shenzhen", "Shanghai", "Suzhou", "Hangzhou", "Beijing", "Wuhan"}
    assert len({org.country for org in organisations if org.region == Region.EU}) == 17
    assert all(org.name_zh for org in organisations if org.region == Region.CN)


def test_demo_uses_every_design_sector(demo):
    sectors = db.session.scalars(sa.select(Sector)).all()
    assert {sector.slug for sector in sectors} == DESIGN_SECTORS
    assert all(sector.name_zh for sector in sectors)
    used = {sector.slug for org in db.session.scalars(sa.select(Organisation)) for sector in org.sectors}
    assert used == DESIGN_SECTORS


def test_demo_company_accounts_are_members_of_their_companies(demo):
    rows = db.session.execute(
        sa.select(User.email, Organisation.name, Organisation.region, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(User.email.in_(["eu.company@example.org", "cn.company@example.org"]))
        .order_by(User.email)
    ).all()
    assert [tuple(row) for row in rows] == [
        (
            "cn.company@example.org",
            "Qingdao Lanxin Rehabilitation Equipment Co., Ltd.",
            Region.CN,
            MembershipRole.OWNER,
        ),
        ("eu.company@example.org", "Nordlicht Medical GmbH", Region.EU, MembershipRole.OWNER),
    ]


def test_demo_applications_have_statuses_and_local_availability(demo):
    applications = db.session.scalars(sa.select(PitchApplication).order_by(PitchApplication.id)).all()
    assert len(applications) == len(APPLICATIONS) == 10
    statuses = [application.status for application in applications]
    assert statuses.count(ApplicationStatus.ACCEPTED) == 5
    assert statuses.count(ApplicationStatus.SUBMITTED) == 3
    assert {ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED} <= set(statuses)
    nordlicht = applications[0]
    assert nordlicht.organisation.name == "Nordlicht Medical GmbH"
    assert nordlicht.seeking == "joint_venture,distribution"
    windows = [
        (
            timezones.utc_to_local(w.starts_at, "Europe/Berlin"),
            timezones.utc_to_local(w.ends_at, "Europe/Berlin"),
        )
        for w in nordlicht.availability
    ]
    assert [(start.date(), start.time(), end.time()) for start, end in windows] == [
        (date(2026, 12, 15), time(8, 0), time(10, 30)),
        (date(2026, 12, 16), time(8, 0), time(9, 0)),
    ]
    lanxin = applications[2]
    first = lanxin.availability[0]
    assert timezones.utc_to_local(first.starts_at, "Asia/Shanghai").time() == time(15, 0)


def test_demo_assigned_slots_hold_accepted_applications_within_their_availability(demo):
    slots = db.session.scalars(sa.select(PitchSlot).where(PitchSlot.application_id.is_not(None))).all()
    assert sorted(slot.state for slot in slots) == sorted(
        [
            SlotState.CONFIRMED,
            SlotState.PUBLISHED,
            SlotState.PUBLISHED,
            SlotState.PROPOSED,
            SlotState.PROPOSED,
        ]
    )
    for slot in slots:
        assert slot.application.status == ApplicationStatus.ACCEPTED
        assert any(
            window.starts_at <= slot.starts_at and slot.ends_at <= window.ends_at
            for window in slot.application.availability
        ), slot.application.title


def test_demo_pitch_programme_was_published_once_and_one_slot_confirmed(demo):
    releases = db.session.scalars(sa.select(PitchProgrammeRelease)).all()
    roadshow_id = _event(ROADSHOW_SLUG).id
    assert [(release.number, release.event_id) for release in releases] == [(1, roadshow_id)]
    held = sorted(entry["organisation"] for entry in releases[0].snapshot if entry["application"])
    assert held == ["BioVale Therapeutics B.V.", "Nordlicht Medical GmbH", "Øresund Robotics ApS"]
    confirmed = db.session.scalars(sa.select(PitchSlot).where(PitchSlot.state == SlotState.CONFIRMED)).one()
    assert confirmed.application.organisation.name == "Nordlicht Medical GmbH"
    assert confirmed.responded_at is not None
    local = timezones.utc_to_local(confirmed.starts_at, "Asia/Shanghai")
    assert (local.date(), local.time()) == (date(2026, 12, 15), time(15, 20))


def test_demo_attendee_is_registered_with_starred_sessions(demo):
    registrations = db.session.scalars(
        sa.select(Registration)
        .join(User)
        .where(User.email == "attendee@example.org")
        .order_by(Registration.id)
    ).all()
    assert [(r.event.slug, r.role) for r in registrations] == [
        (SUMMIT_SLUG, RegistrationRole.ATTENDEE),
        (ROADSHOW_SLUG, RegistrationRole.INVESTOR),
    ]
    assert len(registrations[0].starred_sessions) == 7
    assert {s.kind for s in registrations[1].starred_sessions} == {SessionKind.PITCH_BLOCK}


def test_demo_loaded_twice_adds_nothing(app: Flask):
    with app.app_context():
        assert load_demo_data(TODAY) is True
        before = _row_counts()
        assert load_demo_data(TODAY) is False
        # A later day would choose other dates; the events found by slug are still left alone.
        assert load_demo_data(TODAY + timedelta(days=40)) is False
        assert _row_counts() == before
        assert before["users"] == len(DEMO_ACCOUNTS)


def test_demo_keeps_existing_accounts_and_sectors(app: Flask, make_user):
    make_user(email="admin@example.org", password="another long passphrase", name="Someone Else")
    with app.app_context():
        db.session.add(Sector(slug="robotics", name="Robots", name_zh=None))
        db.session.commit()
        assert load_demo_data(TODAY) is True
        admin = db.session.scalars(sa.select(User).where(User.email == "admin@example.org")).one()
        assert (admin.name, admin.is_admin) == ("Someone Else", False)
        assert verify_password(admin, "another long passphrase") is True
        robotics = db.session.scalars(sa.select(Sector).where(Sector.slug == "robotics")).all()
        assert [(sector.name, sector.name_zh) for sector in robotics] == [("Robots", None)]
        assert db.session.scalar(sa.select(sa.func.count(Sector.id))) == len(SECTORS)


def test_demo_password_is_acceptable_for_every_account():
    for account in DEMO_ACCOUNTS:
        assert password_problems(DEMO_PASSWORD, email=account.email, name=account.name) == []


def test_demo_accounts_have_their_roles(demo):
    users = {user.email: user for user in db.session.scalars(sa.select(User))}
    assert [email for email, user in users.items() if user.is_admin] == ["admin@example.org"]
    assert all(verify_password(users[account.email], DEMO_PASSWORD) for account in DEMO_ACCOUNTS)
    assert (users["organiser@example.org"].locale, users["organiser@example.org"].timezone) == (
        "zh",
        "Asia/Shanghai",
    )


@pytest.mark.parametrize("email", [account.email for account in DEMO_ACCOUNTS if account.listed])
def test_demo_account_logs_in_through_the_login_form(app: Flask, client, email: str):
    with app.app_context():
        load_demo_data(TODAY)
    response = post_form(client, "/login", {"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    wrong = post_form(app.test_client(), "/login", {"email": email, "password": DEMO_PASSWORD + "x"})
    assert wrong.status_code == 200


def test_demo_data_command_loads_once_and_lists_the_accounts(app: Flask, runner):
    first = runner.invoke(args=["demo-data"])
    second = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[0] == "Demo data loaded."
    assert second.output.splitlines()[0] == "Demo data already present; nothing changed."
    for account in DEMO_ACCOUNTS:
        assert (account.email in first.output) is account.listed
    assert f"password for every one: {DEMO_PASSWORD}" in second.output
    assert f"/events/{SUMMIT_SLUG}" in second.output


def test_demo_data_command_refuses_a_production_database(tmp_path: Path):
    class Production(ProductionConfig):
        SECRET_KEY = "not-a-real-secret-but-long-enough-for-tests"
        INSTANCE_PATH = str(tmp_path)
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'prod.sqlite3'}"

    production = create_app(Production)
    with production.app_context():
        Base.metadata.create_all(db.engine)
    result = production.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 2
    assert "production" in result.output
    with production.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
        db.engine.dispose()


def test_demo_events_are_listed_on_the_home_page(app: Flask, client):
    with app.app_context():
        load_demo_data()
    home = client.get("/").get_data(as_text=True)
    assert f"/events/{SUMMIT_SLUG}" in home
    assert f"/events/{ROADSHOW_SLUG}" in home
    page = client.get(f"/events/{ROADSHOW_SLUG}", headers={"Accept-Language": "zh"})
    assert page.status_code == 200
    assert "项目路演：生物医药与医疗器械" in page.get_data(as_text=True)
