"""deliver_pending against a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import email
import logging
import socket
import threading
from collections import Counter
from datetime import timedelta
from email import policy

import pytest
import sqlalchemy as sa
from flask import Flask

from roadshow.enums import OutboxStatus
from roadshow.extensions import db
from roadshow.mail.delivery import DeliveryReport, deliver_pending, retry_delay
from roadshow.models import OutboxMessage, utcnow
from tests.conftest import fetch
from tests.mail.conftest import RecipientRefusingHandler, RecordingHandler, free_port

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Roadshow//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:slot-7@roadshow.test\r\nSUMMARY:Pitch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def run(app: Flask, **kwargs: object) -> DeliveryReport:
    """deliver_pending in an application context of its own, as the worker runs it."""
    with app.app_context():
        return deliver_pending(**kwargs)  # type: ignore[arg-type]


def row(app: Flask, message_id: int) -> OutboxMessage:
    """The outbox row, freshly read."""
    (found,) = fetch(app, sa.select(OutboxMessage).where(OutboxMessage.id == message_id))
    return found


def test_retry_delay_doubles_from_30_seconds_up_to_an_hour():
    delays = [retry_delay(attempts) for attempts in (1, 2, 3, 7, 8, 50)]
    assert delays == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(seconds=1920),
        timedelta(hours=1),
        timedelta(hours=1),
    ]


def test_deliver_pending_sends_invitation_once_with_headers_and_parts(app, smtp_server, queue):
    server = smtp_server()
    message_id = queue(
        recipient="li.wei@example.cn",
        subject="青岛高新区路演：您的时段已确认",
        body_text="您的路演时段：10:00–10:15",
        body_html="<p>您的路演时段：10:00–10:15</p>",
        calendar_text=CALENDAR,
        calendar_method="REQUEST",
    )
    queued = row(app, message_id)

    report = run(app)

    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert len(server.received) == 1
    received = server.received[0]
    assert received.mail_from == "noreply@roadshow.test"
    assert received.rcpt_tos == ("li.wei@example.cn",)
    parsed = email.message_from_bytes(received.content, policy=policy.default)
    assert parsed["Subject"] == "青岛高新区路演：您的时段已确认"
    assert parsed["From"] == "Roadshow <noreply@roadshow.test>"
    assert parsed["To"] == "li.wei@example.cn"
    assert parsed["Message-ID"] == queued.message_id
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Date"].datetime == queued.created_at.replace(microsecond=0)
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.iter_parts()
    plain, html, calendar = alternative.iter_parts()
    assert plain.get_content().replace("\r\n", "\n") == "您的路演时段：10:00–10:15\n"
    assert html.get_content().replace("\r\n", "\n") == "<p>您的路演时段：10:00–10:15</p>\n"
    assert calendar.get_content_type() == "text/calendar"
    assert (calendar.get_param("method"), calendar.get_param("charset")) == ("REQUEST", "utf-8")
    assert calendar.get_payload(decode=True) == CALENDAR.encode()
    assert (attachment.get_content_type(), attachment.get_filename()) == ("application/ics", "invite.ics")
    assert attachment.get_payload(decode=True) == CALENDAR.encode()

    sent = row(app, message_id)
    assert sent.status == OutboxStatus.SENT
    assert sent.attempts == 1
    assert sent.sent_at is not None

    again = run(app, now=utcnow() + timedelta(days=1))
    assert (again.sent, again.retried, again.failed) == (0, 0, 0)
    assert len(server.received) == 1


def test_deliver_pending_refused_then_accepted_is_delivered_exactly_once(app, smtp_server, queue):
    server = smtp_server(RecordingHandler(refuse_first=1))
    message_id = queue()
    now = utcnow()

    first = run(app, now=now)

    assert (first.sent, first.retried, first.failed) == (0, 1, 0)
    waiting = row(app, message_id)
    assert waiting.status == OutboxStatus.PENDING
    assert waiting.attempts == 1
    assert waiting.next_attempt_at == now + timedelta(seconds=30)
    assert waiting.next_attempt_at > utcnow()
    assert waiting.last_error == "SMTPDataError: 451 4.3.0 Try again later"
    assert server.received == []

    too_early = run(app, now=now + timedelta(seconds=29))
    assert too_early.processed == 0

    later = run(app, now=now + timedelta(seconds=31))

    assert (later.sent, later.retried, later.failed) == (1, 0, 0)
    assert len(server.received) == 1
    assert server.refused == 1
    delivered = row(app, message_id)
    assert (delivered.status, delivered.attempts) == (OutboxStatus.SENT, 2)
    assert delivered.sent_at == now + timedelta(seconds=31)
    assert run(app, now=now + timedelta(hours=2)).processed == 0
    assert len(server.received) == 1


def test_deliver_pending_server_down_keeps_messages_pending_and_retries_later(
    app, mail_config, smtp_server, queue
):
    mail_config["MAIL_SERVER"] = "127.0.0.1"
    mail_config["MAIL_PORT"] = free_port()  # nothing listens there
    first_id, second_id = queue(subject="First"), queue(subject="Second")
    now = utcnow()

    down = run(app, now=now)

    # The run stops at the first refused connection: the outage costs one attempt, not two.
    assert (down.sent, down.retried, down.failed) == (0, 1, 0)
    first, second = row(app, first_id), row(app, second_id)
    assert (first.status, first.attempts) == (OutboxStatus.PENDING, 1)
    assert first.next_attempt_at == now + timedelta(seconds=30)
    assert first.last_error.startswith(f"SMTP 127.0.0.1:{mail_config['MAIL_PORT']}: ConnectionRefusedError")
    assert (second.status, second.attempts) == (OutboxStatus.PENDING, 0)

    server = smtp_server()
    up = run(app, now=now + timedelta(minutes=1))

    assert (up.sent, up.retried, up.failed) == (2, 0, 0)
    subjects = [email.message_from_bytes(r.content)["Subject"] for r in server.received]
    assert subjects == ["First", "Second"]


def test_deliver_pending_silent_server_times_out_and_retries(app, mail_config, queue):
    with socket.socket() as silent:  # accepts connections (backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        mail_config["MAIL_SERVER"] = "127.0.0.1"
        mail_config["MAIL_PORT"] = silent.getsockname()[1]
        mail_config["MAIL_TIMEOUT"] = 0.3
        message_id = queue()

        report = run(app)

    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    waiting = row(app, message_id)
    assert (waiting.status, waiting.attempts) == (OutboxStatus.PENDING, 1)
    assert waiting.last_error == (
        f"SMTP 127.0.0.1:{mail_config['MAIL_PORT']}: "
        "SMTPServerDisconnected: Connection unexpectedly closed: timed out"
    )


def test_deliver_pending_max_attempts_marks_failed_and_keeps_row(app, mail_config, smtp_server, queue):
    server = smtp_server(RecordingHandler(refuse_first=100, reply="452 4.3.1 Insufficient storage"))
    mail_config["MAIL_MAX_ATTEMPTS"] = 3
    message_id = queue()
    now = utcnow()

    reports = [run(app, now=now + timedelta(hours=hour)) for hour in range(4)]

    assert [(r.sent, r.retried, r.failed) for r in reports] == [(0, 1, 0), (0, 1, 0), (0, 0, 1), (0, 0, 0)]
    failed = row(app, message_id)
    assert failed.status == OutboxStatus.FAILED
    assert failed.attempts == 3
    assert failed.last_error == "SMTPDataError: 452 4.3.1 Insufficient storage"
    assert failed.sent_at is None
    assert server.refused == 3
    assert server.received == []


def test_deliver_pending_permanent_recipient_refusal_fails_at_once(app, smtp_server, queue):
    smtp_server(RecipientRefusingHandler("550 5.1.1 No such user here"))
    message_id = queue(recipient="nobody@example.org")

    report = run(app)

    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    failed = row(app, message_id)
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 1)
    assert failed.last_error == "recipient refused: 550 5.1.1 No such user here"


def test_deliver_pending_temporary_recipient_refusal_is_retried(app, smtp_server, queue):
    smtp_server(RecipientRefusingHandler("450 4.2.1 Mailbox busy, try later"))
    message_id = queue()

    report = run(app)

    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    waiting = row(app, message_id)
    assert (waiting.status, waiting.attempts) == (OutboxStatus.PENDING, 1)
    assert waiting.last_error == "recipient refused: 450 4.2.1 Mailbox busy, try later"


def test_deliver_pending_unbuildable_message_fails_and_others_go_out(app, smtp_server, queue):
    server = smtp_server()
    broken_id = queue(subject="Invitation", calendar_text=CALENDAR.replace("METHOD:REQUEST\r\n", ""))
    good_id = queue(subject="Notice")

    report = run(app)

    assert (report.sent, report.retried, report.failed) == (1, 0, 1)
    broken = row(app, broken_id)
    assert broken.status == OutboxStatus.FAILED
    assert broken.last_error == (
        "cannot build the message: an iMIP calendar part needs a METHOD (REQUEST, CANCEL, …)"
    )
    assert row(app, good_id).status == OutboxStatus.SENT
    assert [email.message_from_bytes(r.content)["Subject"] for r in server.received] == ["Notice"]


def test_deliver_pending_batch_uses_one_connection_oldest_first(app, smtp_server, queue):
    server = smtp_server()
    for number in range(3):
        queue(subject=f"Message {number}")

    report = run(app)

    assert report.sent == 3
    assert [email.message_from_bytes(r.content)["Subject"] for r in server.received] == [
        "Message 0",
        "Message 1",
        "Message 2",
    ]
    assert len({r.peer for r in server.received}) == 1


def test_deliver_pending_limit_leaves_the_rest_pending(app, smtp_server, queue):
    server = smtp_server()
    ids = [queue(subject=f"Message {number}") for number in range(3)]

    report = run(app, limit=2)

    assert report.sent == 2
    assert len(server.received) == 2
    assert [row(app, message_id).status for message_id in ids] == [
        OutboxStatus.SENT,
        OutboxStatus.SENT,
        OutboxStatus.PENDING,
    ]


def test_deliver_pending_stop_event_set_sends_nothing(app, smtp_server, queue):
    server = smtp_server()
    queue()
    stop = threading.Event()
    stop.set()

    report = run(app, stop=stop)

    assert report.processed == 0
    assert server.received == []


def test_deliver_pending_without_mail_server_logs_and_marks_sent(app, mail_config, queue, caplog):
    mail_config["MAIL_SERVER"] = None
    message_id = queue(
        recipient="anna@example.eu",
        subject="Reset your password",
        body_text="Open https://roadshow.test/reset/abc to choose a new password.",
    )
    caplog.set_level(logging.INFO, logger="roadshow.mail.delivery")

    report = run(app)

    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    (record,) = [r for r in caplog.records if r.name == "roadshow.mail.delivery"]
    assert record.levelno == logging.INFO
    logged = record.getMessage()
    assert "To: anna@example.eu" in logged
    assert "Subject: Reset your password" in logged
    assert "Open https://roadshow.test/reset/abc to choose a new password." in logged
    sent = row(app, message_id)
    assert (sent.status, sent.attempts) == (OutboxStatus.SENT, 1)


def _require_postgresql(app: Flask) -> None:
    """Skip unless the suite runs on PostgreSQL."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs PostgreSQL (FOR UPDATE SKIP LOCKED); set TEST_DATABASE_URL")


@pytest.mark.postgres
def test_deliver_pending_two_workers_deliver_each_message_exactly_once(app, smtp_server, queue):
    _require_postgresql(app)
    server = smtp_server(RecordingHandler(delay=0.01))
    ids = [queue(recipient=f"guest{number}@example.org") for number in range(20)]
    expected = {row(app, message_id).message_id for message_id in ids}
    start = threading.Barrier(2)
    reports: list[DeliveryReport] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait(timeout=5)
            reports.append(run(app))
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    received_ids = Counter(email.message_from_bytes(r.content)["Message-ID"] for r in server.received)
    assert set(received_ids) == expected
    assert set(received_ids.values()) == {1}
    assert sorted(report.sent for report in reports) != [0, 20]  # both workers took part
    assert sum(report.sent for report in reports) == 20
    statuses = fetch(app, sa.select(OutboxMessage.status))
    assert statuses == [OutboxStatus.SENT] * 20


@pytest.mark.postgres
def test_deliver_pending_skips_a_row_another_worker_holds(app, smtp_server, queue):
    _require_postgresql(app)
    server = smtp_server()
    held_id = queue(subject="Held")
    free_id = queue(subject="Free")
    reports: list[DeliveryReport] = []
    with app.app_context(), db.engine.connect() as other_worker:
        other_worker.execute(
            sa.select(OutboxMessage.id).where(OutboxMessage.id == held_id).with_for_update()
        ).all()
        # In a thread, so that a run waiting on the lock fails this test instead of hanging it.
        delivering = threading.Thread(target=lambda: reports.append(run(app)))
        delivering.start()
        delivering.join(timeout=5)
        finished_while_held = not delivering.is_alive()
        other_worker.rollback()
        delivering.join(timeout=5)

    assert finished_while_held
    (report,) = reports
    assert report.sent == 1
    assert [email.message_from_bytes(r.content)["Subject"] for r in server.received] == ["Free"]
    assert (row(app, held_id).status, row(app, free_id).status) == (OutboxStatus.PENDING, OutboxStatus.SENT)
