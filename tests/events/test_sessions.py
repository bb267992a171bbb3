"""Sessions: adding, editing, moving, cancelling, deleting; validation; sequence and version counters."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from roadshow.enums import EventStatus, SessionKind, SessionStatus
from roadshow.extensions import db
from roadshow.models import AuditLogEntry, Event, PitchSlot, ProgrammeSession
from tests.conftest import fetch, post_form
from tests.events.helpers import db_state, load, page, session_form


def _sessions(app, event_id: int) -> list[ProgrammeSession]:
    return fetch(
        app,
        sa.select(ProgrammeSession)
        .where(ProgrammeSession.event_id == event_id)
        .order_by(ProgrammeSession.id),
    )


def _audit(app, event_id: int, action: str) -> list[AuditLogEntry]:
    return fetch(
        app,
        sa.select(AuditLogEntry)
        .where(AuditLogEntry.event_id == event_id, AuditLogEntry.action == action)
        .order_by(AuditLogEntry.id),
    )


def _new(world) -> str:
    return f"/manage/events/{world.event.id}/sessions/new"


def _edit(world, session_id: int | None = None) -> str:
    return f"/manage/events/{world.event.id}/sessions/{session_id or world.session.id}/edit"


# --- Adding ---------------------------------------------------------------------------------------------


def test_add_session_converts_local_times_to_utc_and_records_it(app, client, world, login):
    login(world.organiser)
    response = post_form(
        client,
        _new(world),
        session_form(
            title="Robotics panel",
            title_zh="机器人论坛",
            kind="panel",
            day="2026-12-02",
            start_time="14:00",
            end_time="15:30",
            track="Hall 2",
            join_url="https://meet.example.org/robots",
            capacity="300",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/events/{world.event.id}"
    new = _sessions(app, world.event.id)[-1]
    assert new.title == "Robotics panel"
    assert new.title_zh == "机器人论坛"
    assert new.kind == SessionKind.PANEL
    assert new.starts_at == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)  # Brussels is UTC+1 in December
    assert new.ends_at == datetime(2026, 12, 2, 14, 30, tzinfo=UTC)
    assert new.track == "Hall 2"
    assert new.capacity == 300
    assert new.status == SessionStatus.SCHEDULED
    assert new.sequence == 0
    assert new.slot_minutes is None
    assert load(app, Event, world.event.id).programme_version == 2
    [entry] = _audit(app, world.event.id, "session.created")
    assert entry.target_id == new.id
    assert entry.actor_id == world.organiser.id
    assert entry.after["starts_at"] == "2026-12-02T13:00:00+00:00"
    assert entry.after["track"] == "Hall 2"


def test_add_pitch_block_keeps_slot_and_changeover_minutes(app, client, world, login):
    login(world.organiser)
    post_form(
        client,
        _new(world),
        session_form(
            kind="pitch_block",
            start_time="13:00",
            end_time="15:00",
            slot_minutes="10",
            changeover_minutes="5",
        ),
    )
    block = _sessions(app, world.event.id)[-1]
    assert block.kind == SessionKind.PITCH_BLOCK
    assert (block.slot_minutes, block.changeover_minutes) == (10, 5)


def test_add_keynote_drops_pitch_minutes(app, client, world, login):
    login(world.organiser)
    post_form(client, _new(world), session_form(start_time="13:00", end_time="14:00", slot_minutes="10"))
    assert _sessions(app, world.event.id)[-1].slot_minutes is None


def test_add_session_in_another_track_at_the_same_time_is_allowed(app, client, world, login):
    # Session A is 09:00–10:00 local in the unnamed track.
    login(world.organiser)
    response = post_form(client, _new(world), session_form(start_time="09:00", end_time="10:00", track="B"))
    assert response.status_code == 302
    assert len(_sessions(app, world.event.id)) == 2


def test_add_session_touching_another_in_the_same_track_is_allowed(app, client, world, login):
    login(world.organiser)
    response = post_form(client, _new(world), session_form(start_time="10:00", end_time="11:00"))
    assert response.status_code == 302
    assert len(_sessions(app, world.event.id)) == 2


def test_add_session_over_a_cancelled_one_is_allowed(app, client, world, login):
    login(world.organiser)
    post_form(client, f"/manage/events/{world.event.id}/sessions/{world.session.id}/cancel")
    response = post_form(client, _new(world), session_form(start_time="09:30", end_time="10:30"))
    assert response.status_code == 302
    assert len(_sessions(app, world.event.id)) == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_time": "09:30", "end_time": "10:30"}, "This overlaps “Session A” (2026-12-01 09:00–10:00)"),
        ({"start_time": "08:00", "end_time": "12:00"}, "This overlaps “Session A”"),
        ({"day": "2026-12-03"}, "The session must take place between 2026-12-01 and 2026-12-02"),
        ({"day": "2026-11-30"}, "The session must take place between 2026-12-01 and 2026-12-02"),
        ({"start_time": "11:00", "end_time": "10:00"}, "The session must end after it starts."),
        ({"start_time": "11:00", "end_time": "11:00"}, "The session must end after it starts."),
        ({"join_url": "javascript:alert(1)"}, "Enter a full web address starting with https:// or http://."),
        ({"join_url": "JaVaScRiPt:alert(1)"}, "Enter a full web address starting with https:// or http://."),
        ({"join_url": "https://"}, "Enter a full web address starting with https:// or http://."),
        ({"capacity": "0"}, "Number must be between 1 and 1000000."),
        ({"capacity": "99999999999999999999"}, "Number must be between 1 and 1000000."),
        ({"kind": "pitch_block"}, "A pitch block needs the length of one pitch"),
        ({"kind": "pitch_block", "slot_minutes": "10"}, "A pitch block needs the changeover between pitches"),
        ({"kind": "lecture"}, "Not a valid choice."),
        ({"start_time": "25:00"}, "Not a valid time value."),
        ({"title": "   "}, "This field is required."),
    ],
)
def test_add_session_with_bad_input_shows_the_error_and_saves_nothing(
    app, client, world, login, overrides, message
):
    login(world.organiser)
    before = db_state(app)
    response = post_form(client, _new(world), session_form(**overrides))
    assert response.status_code == 200
    assert message in page(response)
    assert db_state(app) == before


def test_add_session_at_a_time_skipped_by_dst_is_a_form_error(app, client, login, make_user, make_event):
    organiser = make_user()
    event = make_event(organiser=organiser, start_date=date(2026, 3, 28), end_date=date(2026, 3, 29))
    login(organiser)
    before = db_state(app)
    response = post_form(
        client,
        f"/manage/events/{event.id}/sessions/new",
        session_form(day="2026-03-29", start_time="02:30", end_time="04:00"),
    )
    assert response.status_code == 200
    assert "This time does not exist on that day in Europe/Brussels" in page(response)
    assert db_state(app) == before


def test_add_session_in_the_repeated_autumn_hour_is_a_form_error(app, client, login, make_user, make_event):
    organiser = make_user()
    event = make_event(organiser=organiser, start_date=date(2026, 10, 25), end_date=date(2026, 10, 25))
    login(organiser)
    before = db_state(app)
    response = post_form(
        client,
        f"/manage/events/{event.id}/sessions/new",
        session_form(day="2026-10-25", start_time="01:00", end_time="02:30"),
    )
    assert "This time happens twice on that day in Europe/Brussels" in page(response)
    assert db_state(app) == before


def test_add_session_to_an_archived_event_is_refused(app, client, login, make_user, make_event):
    organiser = make_user()
    event = make_event(organiser=organiser, status=EventStatus.ARCHIVED)
    login(organiser)
    before = db_state(app)
    response = post_form(client, f"/manage/events/{event.id}/sessions/new", session_form())
    assert "This event is archived; it can no longer be changed." in page(response)
    assert db_state(app) == before


# --- Editing --------------------------------------------------------------------------------------------


def test_edit_form_shows_local_times(client, world, login):
    login(world.organiser)
    html = page(client.get(_edit(world)))
    assert re.search(r'<input id="start_time"[^>]*type="time" value="09:00">', html)
    assert re.search(r'<input id="end_time"[^>]*type="time" value="10:00">', html)
    assert re.search(r'<input id="day"[^>]*type="date" value="2026-12-01">', html)


def test_edit_session_time_raises_sequence_and_version_and_records_it(app, client, world, login):
    login(world.organiser)
    response = post_form(
        client, _edit(world), session_form(title="Session A", start_time="09:30", end_time="10:30")
    )
    assert response.status_code == 302
    session = load(app, ProgrammeSession, world.session.id)
    assert session.starts_at == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    assert session.sequence == 1
    assert load(app, Event, world.event.id).programme_version == 2
    [entry] = _audit(app, world.event.id, "session.updated")
    assert entry.before == {
        "starts_at": "2026-12-01T08:00:00+00:00",
        "ends_at": "2026-12-01T09:00:00+00:00",
    }
    assert entry.after == {
        "starts_at": "2026-12-01T08:30:00+00:00",
        "ends_at": "2026-12-01T09:30:00+00:00",
    }


def test_edit_session_title_only_keeps_sequence_but_raises_version(app, client, world, login):
    login(world.organiser)
    post_form(
        client, _edit(world), session_form(title="Opening keynote", start_time="09:00", end_time="10:00")
    )
    session = load(app, ProgrammeSession, world.session.id)
    assert session.title == "Opening keynote"
    assert session.sequence == 0
    assert load(app, Event, world.event.id).programme_version == 2


@pytest.mark.parametrize(
    "change", [{"track": "Hall 3"}, {"join_url": "https://meet.example.org/a"}, {"end_time": "10:15"}]
)
def test_edit_session_track_link_or_end_raises_sequence(app, client, world, login, change):
    login(world.organiser)
    post_form(
        client,
        _edit(world),
        session_form(**{"title": "Session A", "start_time": "09:00", "end_time": "10:00", **change}),
    )
    assert load(app, ProgrammeSession, world.session.id).sequence == 1


def test_edit_session_without_changes_records_nothing(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    response = post_form(
        client, _edit(world), session_form(title="Session A", start_time="09:00", end_time="10:00")
    )
    assert response.status_code == 302
    assert db_state(app) == before


def test_edit_session_onto_another_in_the_same_track_is_a_form_error(app, client, world, login, make_session):
    other = make_session(world.event, title="Panel", starts_at=datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    login(world.organiser)
    before = db_state(app)
    response = post_form(
        client, _edit(world, other.id), session_form(title="Panel", start_time="09:30", end_time="10:30")
    )
    assert "This overlaps “Session A”" in page(response)
    assert db_state(app) == before


def test_edit_pitch_block_with_slots_outside_new_times_is_a_form_error(
    app, client, world, login, make_session
):
    block = make_session(
        world.event,
        title="Pitches",
        kind=SessionKind.PITCH_BLOCK,
        starts_at=datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
        minutes=60,
        slot_minutes=10,
        changeover_minutes=5,
    )
    with app.app_context():
        db.session.add(
            PitchSlot(
                session_id=block.id,
                starts_at=datetime(2026, 12, 1, 12, 45, tzinfo=UTC),
                ends_at=datetime(2026, 12, 1, 12, 55, tzinfo=UTC),
            )
        )
        db.session.commit()
    login(world.organiser)
    before = db_state(app)
    response = post_form(
        client,
        _edit(world, block.id),
        session_form(
            title="Pitches",
            kind="pitch_block",
            start_time="13:00",
            end_time="13:30",
            slot_minutes="10",
            changeover_minutes="5",
        ),
    )
    assert "This pitch block has pitch slots outside the new times." in page(response)
    assert db_state(app) == before


# --- Moving ---------------------------------------------------------------------------------------------


def test_move_session_keeps_its_length_and_shifts_its_slots(app, client, world, login, make_session):
    block = make_session(
        world.event,
        title="Pitches",
        kind=SessionKind.PITCH_BLOCK,
        starts_at=datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
        minutes=90,
        slot_minutes=10,
        changeover_minutes=5,
    )
    with app.app_context():
        slot = PitchSlot(
            session_id=block.id,
            starts_at=datetime(2026, 12, 1, 12, 15, tzinfo=UTC),
            ends_at=datetime(2026, 12, 1, 12, 25, tzinfo=UTC),
        )
        db.session.add(slot)
        db.session.commit()
        slot_id = slot.id
    login(world.organiser)
    response = post_form(
        client,
        f"/manage/events/{world.event.id}/sessions/{block.id}/move",
        {"day": "2026-12-02", "start_time": "10:00", "track": "Hall 2"},
    )
    assert response.status_code == 302
    moved = load(app, ProgrammeSession, block.id)
    assert moved.starts_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert moved.ends_at == datetime(2026, 12, 2, 10, 30, tzinfo=UTC)
    assert moved.track == "Hall 2"
    assert moved.sequence == 1
    moved_slot = load(app, PitchSlot, slot_id)
    assert moved_slot.starts_at == datetime(2026, 12, 2, 9, 15, tzinfo=UTC)
    assert moved_slot.sequence == 1
    assert load(app, Event, world.event.id).programme_version == 2
    [entry] = _audit(app, world.event.id, "session.moved")
    assert entry.after["track"] == "Hall 2"


def test_move_session_onto_another_is_a_form_error(app, client, world, login, make_session):
    other = make_session(world.event, title="Panel", starts_at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    login(world.organiser)
    before = db_state(app)
    response = post_form(
        client,
        f"/manage/events/{world.event.id}/sessions/{other.id}/move",
        {"day": "2026-12-01", "start_time": "08:30", "track": ""},
    )
    assert "This overlaps “Session A”" in page(response)
    assert db_state(app) == before


def test_move_session_outside_the_event_is_a_form_error(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    response = post_form(
        client,
        f"/manage/events/{world.event.id}/sessions/{world.session.id}/move",
        {"day": "2026-12-02", "start_time": "23:30", "track": ""},
    )
    assert "The session must take place between 2026-12-01 and 2026-12-02" in page(response)
    assert db_state(app) == before


# --- Cancelling and deleting ------------------------------------------------------------------------------


def test_cancel_session_marks_it_raises_sequence_and_keeps_it_listed(app, client, world, login):
    login(world.organiser)
    response = post_form(client, f"/manage/events/{world.event.id}/sessions/{world.session.id}/cancel")
    assert response.status_code == 302
    session = load(app, ProgrammeSession, world.session.id)
    assert session.status == SessionStatus.CANCELLED
    assert session.sequence == 1
    assert load(app, Event, world.event.id).programme_version == 2
    [entry] = _audit(app, world.event.id, "session.cancelled")
    assert (entry.before, entry.after) == ({"status": "scheduled"}, {"status": "cancelled"})
    html = page(client.get(f"/manage/events/{world.event.id}"))
    assert "Session A" in html
    assert '<span class="badge badge-cancelled">Cancelled</span>' in html


def test_cancel_session_twice_is_refused_without_change(app, client, world, login):
    login(world.organiser)
    post_form(client, f"/manage/events/{world.event.id}/sessions/{world.session.id}/cancel")
    before = db_state(app)
    response = post_form(
        client, f"/manage/events/{world.event.id}/sessions/{world.session.id}/cancel", follow_redirects=True
    )
    assert "This session is already cancelled." in page(response)
    assert db_state(app) == before


def test_delete_session_of_a_published_event_is_recorded(app, client, world, login):
    with app.app_context():
        db.session.get(Event, world.event.id).status = EventStatus.PUBLISHED
        db.session.commit()
    login(world.organiser)
    response = post_form(client, f"/manage/events/{world.event.id}/sessions/{world.session.id}/delete")
    assert response.status_code == 302
    assert load(app, ProgrammeSession, world.session.id) is None
    assert load(app, Event, world.event.id).programme_version == 2
    [entry] = _audit(app, world.event.id, "session.deleted")
    assert entry.target_id == world.session.id
    assert entry.before["title"] == "Session A"
    assert entry.before["event_status"] == "published"
    assert entry.after is None
