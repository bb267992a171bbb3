"""A pitch block whose slots were published to companies cannot be deleted behind their backs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from roadshow.enums import ApplicationStatus, EventKind, SessionKind, SlotState
from roadshow.extensions import db
from roadshow.models import PitchSlot, ProgrammeSession
from tests.conftest import fetch, post_form

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _block_with_slot(app, make_user, make_event, make_session, make_organisation, make_application, state):
    organiser = make_user()
    event = make_event(organiser=organiser, kind=EventKind.ROADSHOW)
    block = make_session(
        event, starts_at=START, kind=SessionKind.PITCH_BLOCK, slot_minutes=10, changeover_minutes=5
    )
    application = make_application(event, make_organisation(), status=ApplicationStatus.ACCEPTED)
    with app.app_context():
        db.session.add(
            PitchSlot(
                session_id=block.id,
                starts_at=START,
                ends_at=START + timedelta(minutes=10),
                application_id=application.id,
                state=state,
            )
        )
        db.session.commit()
    return organiser, event, block


def test_deleting_block_with_published_slot_is_refused(
    app, client, login, make_user, make_event, make_session, make_organisation, make_application
):
    organiser, event, block = _block_with_slot(
        app, make_user, make_event, make_session, make_organisation, make_application, SlotState.PUBLISHED
    )
    login(organiser)
    response = post_form(
        client, f"/manage/events/{event.id}/sessions/{block.id}/delete", follow_redirects=True
    )
    assert response.status_code == 200
    assert "Companies have been told their pitch slots in this block" in response.get_data(as_text=True)
    assert fetch(app, sa.select(ProgrammeSession.id)) == [block.id]
    assert len(fetch(app, sa.select(PitchSlot.id))) == 1


def test_deleting_block_with_only_proposed_slots_is_allowed(
    app, client, login, make_user, make_event, make_session, make_organisation, make_application
):
    organiser, event, block = _block_with_slot(
        app, make_user, make_event, make_session, make_organisation, make_application, SlotState.PROPOSED
    )
    login(organiser)
    post_form(client, f"/manage/events/{event.id}/sessions/{block.id}/delete")
    assert fetch(app, sa.select(ProgrammeSession.id)) == []
    assert fetch(app, sa.select(PitchSlot.id)) == []
