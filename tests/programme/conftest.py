"""Fixtures for the pitch-programme tests: two roadshows with pitch blocks, three companies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask

from roadshow.enums import ApplicationStatus, EventKind, EventStatus, SessionKind
from roadshow.extensions import db
from roadshow.models import PitchApplication, PitchSlot
from tests.programme.helpers import World, add_slots, utc


@pytest.fixture
def world(app: Flask, make_user, make_event, make_session, make_organisation) -> World:
    """The world every pitch-programme test starts from (see tests.programme.helpers.World)."""
    organiser = make_user("olga@example.org", name="Olga Organiser")
    other_organiser = make_user("oscar@example.org", name="Oscar Otherevent")
    anna = make_user("anna@example.org", name="Anna Acme", timezone="Europe/Berlin")
    li = make_user("li@example.org", name="Li Dragon", locale="zh", timezone="Asia/Shanghai")
    sven = make_user("sven@example.org", name="Sven Nordic", timezone="Europe/Stockholm")
    outsider = make_user("eve@example.org", name="Eve Outsider")
    event = make_event(
        organiser=organiser,
        slug="roadshow-a",
        title="Roadshow A",
        kind=EventKind.ROADSHOW,
        status=EventStatus.PUBLISHED,
        timezone="Europe/Brussels",
        start_date=date(2026, 12, 1),
        end_date=date(2026, 12, 2),
    )
    other_event = make_event(
        organiser=other_organiser,
        slug="roadshow-b",
        title="Roadshow B",
        kind=EventKind.ROADSHOW,
        status=EventStatus.PUBLISHED,
        start_date=date(2026, 12, 1),
        end_date=date(2026, 12, 2),
    )
    # 09:00–10:00 Brussels on 1 December = 08:00–09:00 UTC; 10-minute pitches, 5-minute changeover.
    block = make_session(
        event,
        starts_at=utc(8),
        minutes=60,
        kind=SessionKind.PITCH_BLOCK,
        title="Morning pitches",
        slot_minutes=10,
        changeover_minutes=5,
    )
    other_block = make_session(
        other_event,
        starts_at=utc(8),
        minutes=60,
        kind=SessionKind.PITCH_BLOCK,
        title="Other pitches",
        slot_minutes=10,
        changeover_minutes=5,
    )
    (other_slot_id,) = add_slots(app, other_block, [utc(8)])
    with app.app_context():
        other_slot = db.session.get(PitchSlot, other_slot_id)
        db.session.expunge(other_slot)
    return World(
        event=event,
        other_event=other_event,
        organiser=organiser,
        other_organiser=other_organiser,
        block=block,
        other_block=other_block,
        other_slot=other_slot,
        acme=make_organisation("Acme GmbH", "DE", owner=anna),
        dragon=make_organisation("Dragon Robotics", "CN", owner=li, city="Shanghai"),
        nordic=make_organisation("Nordic Med AB", "SE", owner=sven, city="Lund"),
        anna=anna,
        li=li,
        sven=sven,
        outsider=outsider,
    )


@pytest.fixture
def apply_as(make_application) -> Callable[..., PitchApplication]:
    """``apply_as(event, organisation, windows, status=accepted, timezone=…)`` → a decided application."""

    def factory(event, organisation, windows=None, status=ApplicationStatus.ACCEPTED, **columns: Any):
        columns.setdefault("timezone", "Asia/Shanghai" if organisation.country == "CN" else "Europe/Berlin")
        return make_application(
            event, organisation, windows=windows or [(utc(7), utc(12))], status=status, **columns
        )

    return factory


@pytest.fixture
def organiser_client(client, login, world):
    """The test client, logged in as event A's organiser."""
    login(world.organiser)
    return client
