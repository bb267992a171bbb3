"""iMIP invitations through the outbox: REQUEST, moves collapsing into one message, CANCEL, the MIME
message the delivery worker builds from the row, read back by four parsers."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
import sqlalchemy as sa

from roadshow.enums import OutboxStatus, SlotState
from roadshow.extensions import db
from roadshow.feeds.invitations import queue_session_invitation, queue_slot_invitation
from roadshow.mail.mime import build_mime
from roadshow.models import Event, OutboxMessage, PitchSlot, ProgrammeSession, User
from tests.calendar.test_build import event_lines_named, unfolded
from tests.conftest import fetch
from tests.feeds.conftest import AFTER_DAY, at


def queue_slot(app, slot_id: int, user_id: int, method: str, **kwargs) -> int:
    """Queue a slot invitation in its own transaction; returns the outbox row id."""
    with app.app_context():
        slot = db.session.get(PitchSlot, slot_id)
        message = queue_slot_invitation(slot, db.session.get(User, user_id), method, **kwargs)
        db.session.commit()
        return message.id


def outbox(app) -> list[OutboxMessage]:
    """Every outbox row, oldest first."""
    return fetch(app, sa.select(OutboxMessage).order_by(OutboxMessage.id))


def test_slot_invitation_request_is_queued_with_its_calendar(app, summit, read_all):
    queue_slot(app, summit.published_slot.id, summit.member.id, "REQUEST")
    (row,) = outbox(app)
    assert row.recipient == "li.wei@example.cn"
    assert row.calendar_method == "REQUEST"
    assert row.dedupe_key == f"slot-{summit.published_slot.id}-{summit.member.id}"
    assert row.status == OutboxStatus.PENDING
    text = row.calendar_text
    assert event_lines_named(text, "ORGANIZER") == [
        'ORGANIZER;CN="EU–China Innovation Summit":mailto:organisers@example.org'
    ]
    assert event_lines_named(text, "ATTENDEE") == [
        'ATTENDEE;CN="Li Wei";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;'
        "RSVP=TRUE:mailto:li.wei@example.cn"
    ]
    assert "METHOD:REQUEST" in unfolded(text)
    (event,) = read_all(text)["events"]
    assert event.uid == f"slot-{summit.published_slot.id}@roadshow.test"
    assert (event.start, event.end) == (at(AFTER_DAY, 12), at(AFTER_DAY, 12, 15))
    assert "青岛医疗科技" in event.summary  # Li Wei reads Chinese


def test_slot_invitation_text_is_in_the_recipients_language_and_zones(app, summit):
    queue_slot(app, summit.published_slot.id, summit.member.id, "REQUEST")
    (row,) = outbox(app)
    assert "中欧创新峰会" in row.subject
    assert "20:00" in row.body_text and "(Asia/Shanghai)" in row.body_text  # 12:00 UTC in Qingdao
    assert "13:00" in row.body_text and "(Europe/Brussels)" in row.body_text  # and the event's zone
    assert "https://roadshow.test/events/eu-china-2026" in row.body_text
    assert "智能康复手套" in row.body_html


def test_slot_invitation_mime_has_calendar_alternative_and_attachment(app, summit):
    queue_slot(app, summit.published_slot.id, summit.member.id, "REQUEST")
    (row,) = outbox(app)
    built = build_mime(
        sender="Roadshow <noreply@roadshow.test>",
        recipient=row.recipient,
        subject=row.subject,
        body_text=row.body_text,
        body_html=row.body_html,
        calendar_text=row.calendar_text,
        calendar_method=row.calendar_method,
        message_id=row.message_id,
    )
    message = email.message_from_bytes(built.as_bytes(), policy=policy.default)
    alternative, attachment = message.iter_parts()
    assert [part.get_content_type() for part in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    calendar_part = list(alternative.iter_parts())[2]
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_content_charset() == "utf-8"
    assert calendar_part["Content-Transfer-Encoding"] == "base64"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == calendar_part.get_payload(decode=True)
    assert calendar_part.get_payload(decode=True).decode("utf-8").replace("\r\n", "\n") == (
        row.calendar_text.replace("\r\n", "\n")
    )


def test_slot_moved_twice_before_delivery_sends_one_message_with_same_uid_and_higher_sequence(
    app, summit, read_all, change
):
    before = datetime.now(UTC).replace(microsecond=0)
    queue_slot(app, summit.published_slot.id, summit.member.id, "REQUEST")
    (first,) = outbox(app)
    for minutes, sequence in ((30, 1), (45, 2)):
        moved = at(AFTER_DAY, 12, minutes)
        change(
            PitchSlot,
            summit.published_slot.id,
            starts_at=moved,
            ends_at=moved + timedelta(minutes=15),
            sequence=sequence,
        )
        queue_slot(app, summit.published_slot.id, summit.member.id, "REQUEST")
    after = datetime.now(UTC)
    (last,) = outbox(app)
    assert last.message_id != first.message_id  # a new message replaced the pending one
    old, new = read_all(first.calendar_text)["events"][0], read_all(last.calendar_text)["events"][0]
    assert old.uid == new.uid
    assert (old.sequence, new.sequence) == (0, 2)
    assert new.start == at(AFTER_DAY, 12, 45)
    (stamp_line,) = event_lines_named(last.calendar_text, "DTSTAMP")
    stamp = datetime.strptime(stamp_line, "DTSTAMP:%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert before <= stamp <= after


def test_slot_cancellation_names_the_company_that_lost_the_slot(app, summit, read_all, change):
    queue_slot(app, summit.published_slot.id, summit.member.id, "REQUEST")
    change(PitchSlot, summit.published_slot.id, application_id=None, state=SlotState.DECLINED, sequence=1)
    with app.app_context():
        from roadshow.models import PitchApplication

        application = db.session.get(PitchApplication, summit.application.id)
        slot = db.session.get(PitchSlot, summit.published_slot.id)
        queue_slot_invitation(slot, db.session.get(User, summit.member.id), "CANCEL", application=application)
        db.session.commit()
    (row,) = outbox(app)  # the pending request was replaced
    assert row.calendar_method == "CANCEL"
    lines = unfolded(row.calendar_text)
    assert "METHOD:CANCEL" in lines
    assert "STATUS:CANCELLED" in lines
    assert "SEQUENCE:1" in lines
    assert len(event_lines_named(row.calendar_text, "ORGANIZER")) == 1
    assert event_lines_named(row.calendar_text, "ATTENDEE")[0].endswith(":mailto:li.wei@example.cn")
    (event,) = read_all(row.calendar_text)["events"]
    assert event.uid == f"slot-{summit.published_slot.id}@roadshow.test"
    assert "智能康复手套" in event.summary
    assert event.status == "CANCELLED"


def test_slot_cancellation_can_carry_the_time_the_company_was_told(app, summit, read_all, change):
    moved = at(AFTER_DAY, 15)
    change(
        PitchSlot,
        summit.published_slot.id,
        starts_at=moved,
        ends_at=moved + timedelta(minutes=15),
        sequence=1,
    )
    queue_slot(
        app,
        summit.published_slot.id,
        summit.member.id,
        "CANCEL",
        span=(at(AFTER_DAY, 12), at(AFTER_DAY, 12, 15)),
    )
    (row,) = outbox(app)
    assert read_all(row.calendar_text)["events"][0].start == at(AFTER_DAY, 12)


def test_session_invitation_for_an_organiser(app, summit, read_all):
    with app.app_context():
        session = db.session.get(ProgrammeSession, summit.keynote.id)
        queue_session_invitation(session, db.session.get(User, summit.organiser.id), "REQUEST")
        db.session.commit()
    (row,) = outbox(app)
    assert row.dedupe_key == f"session-{summit.keynote.id}-{summit.organiser.id}"
    assert row.subject == "Invitation: Opening keynote, welcome (EU–China Innovation Summit)"
    (event,) = read_all(row.calendar_text)["events"]
    assert event.uid == f"session-{summit.keynote.id}@roadshow.test"
    assert event_lines_named(row.calendar_text, "ATTENDEE")[0].endswith(":mailto:organiser@example.org")


def test_invitation_without_event_contact_uses_the_site_sender(app, summit, change):
    change(Event, summit.event.id, contact_email=None)
    queue_slot(app, summit.published_slot.id, summit.member.id, "REQUEST")
    (row,) = outbox(app)
    sender = app.config["MAIL_DEFAULT_SENDER"].split("<")[-1].rstrip(">")
    assert event_lines_named(row.calendar_text, "ORGANIZER") == [
        f'ORGANIZER;CN="EU–China Innovation Summit":mailto:{sender}'
    ]


def test_invitation_with_given_text_keeps_it(app, summit):
    queue_slot(
        app,
        summit.published_slot.id,
        summit.member.id,
        "REQUEST",
        subject="Your pitch slot",
        body_text="Plain words.",
        body_html="<p>Plain words.</p>",
    )
    (row,) = outbox(app)
    assert (row.subject, row.body_text, row.body_html) == (
        "Your pitch slot",
        "Plain words.",
        "<p>Plain words.</p>",
    )
    assert row.calendar_method == "REQUEST"


def test_invitation_refuses_other_methods_and_queues_nothing(app, summit):
    with pytest.raises(ValueError, match="PUBLISH"):
        queue_slot(app, summit.published_slot.id, summit.member.id, "PUBLISH")
    assert outbox(app) == []
