"""queue_email: the row belongs to the caller's transaction; dedupe_key keeps one pending message."""

from __future__ import annotations

import email
from datetime import timedelta

import sqlalchemy as sa

from roadshow.enums import OutboxStatus
from roadshow.extensions import db
from roadshow.mail.delivery import deliver_pending
from roadshow.mail.outbox import queue_email
from roadshow.models import OutboxMessage, User, utcnow
from tests.conftest import fetch
from tests.mail.conftest import RecordingHandler


def test_queue_email_rolled_back_with_the_callers_change_leaves_no_row(app):
    with app.app_context():
        db.session.add(User(email="new@example.org", name="New", password_hash="x", timezone="UTC"))
        queue_email("new@example.org", "Welcome", "Welcome to Roadshow.")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
        db.session.rollback()

    assert fetch(app, sa.select(OutboxMessage)) == []
    assert fetch(app, sa.select(User)) == []


def test_queue_email_committed_with_the_callers_change_is_pending_and_due(app):
    before = utcnow()
    with app.app_context():
        db.session.add(User(email="new@example.org", name="New", password_hash="x", timezone="UTC"))
        queue_email("new@example.org", "Welcome", "Welcome to Roadshow.", "<p>Welcome</p>")
        db.session.commit()

    (message,) = fetch(app, sa.select(OutboxMessage))
    assert (message.recipient, message.subject, message.body_html) == (
        "new@example.org",
        "Welcome",
        "<p>Welcome</p>",
    )
    assert (message.status, message.attempts, message.sent_at) == (OutboxStatus.PENDING, 0, None)
    assert before <= message.next_attempt_at <= utcnow()
    assert message.message_id.endswith("@roadshow.test>")
    assert [user.email for user in fetch(app, sa.select(User))] == ["new@example.org"]


def test_queue_email_same_dedupe_key_collapses_to_the_latest_message(app, smtp_server, queue):
    server = smtp_server()
    queue(subject="Your slot moved to 10:00", dedupe_key="slot-7:li.wei")
    queue(subject="Your slot moved to 11:00", dedupe_key="slot-7:li.wei")
    queue(subject="Another slot", dedupe_key="slot-8:li.wei")

    pending = fetch(app, sa.select(OutboxMessage.subject).order_by(OutboxMessage.id))
    assert pending == ["Your slot moved to 11:00", "Another slot"]
    with app.app_context():
        report = deliver_pending()
    assert report.sent == 2
    subjects = [email.message_from_bytes(r.content)["Subject"] for r in server.received]
    assert subjects == ["Your slot moved to 11:00", "Another slot"]


def test_queue_email_dedupe_replaces_a_message_waiting_for_retry(app, smtp_server, queue):
    server = smtp_server(RecordingHandler(refuse_first=1))
    queue(subject="Your slot moved to 10:00", dedupe_key="slot-7:li.wei")
    now = utcnow()
    with app.app_context():
        assert deliver_pending(now=now).retried == 1

    queue(subject="Your slot moved to 11:00", dedupe_key="slot-7:li.wei")
    with app.app_context():
        report = deliver_pending(now=now + timedelta(hours=1))

    # The superseded message must not arrive after its replacement.
    assert report.sent == 1
    subjects = [email.message_from_bytes(r.content)["Subject"] for r in server.received]
    assert subjects == ["Your slot moved to 11:00"]
    assert fetch(app, sa.select(OutboxMessage.subject)) == ["Your slot moved to 11:00"]


def test_queue_email_dedupe_keeps_messages_already_sent(app, mail_config, queue):
    mail_config["MAIL_SERVER"] = None
    queue(subject="Slot at 10:00", dedupe_key="slot-7:li.wei")
    with app.app_context():
        assert deliver_pending().sent == 1

    queue(subject="Slot at 11:00", dedupe_key="slot-7:li.wei")

    rows = fetch(app, sa.select(OutboxMessage).order_by(OutboxMessage.id))
    assert [(r.subject, r.status) for r in rows] == [
        ("Slot at 10:00", OutboxStatus.SENT),
        ("Slot at 11:00", OutboxStatus.PENDING),
    ]
