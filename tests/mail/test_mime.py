"""build_mime: headers, body structure and the iMIP calendar part, parsed back as a client would."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage

import pytest

from roadshow.mail.mime import build_mime, calendar_method_of

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Roadshow//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:slot-7@roadshow.test\r\nSUMMARY:路演 pitch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def build(**values: object) -> EmailMessage:
    """build_mime with sensible defaults, flattened to bytes and parsed back."""
    arguments: dict[str, object] = {
        "sender": "Roadshow <noreply@roadshow.test>",
        "recipient": "li.wei@example.cn",
        "subject": "Your pitch slot",
        "body_text": "Your slot is at 10:00.",
        "message_id": "<abc123@roadshow.test>",
        "date": datetime(2026, 12, 1, 8, 30, tzinfo=UTC),
    }
    arguments.update(values)
    built = build_mime(**arguments)  # type: ignore[arg-type]
    return email.message_from_bytes(built.as_bytes(), policy=policy.default)  # type: ignore[return-value]


def test_build_mime_headers_are_set():
    message = build()
    assert message["From"] == "Roadshow <noreply@roadshow.test>"
    assert message["To"] == "li.wei@example.cn"
    assert message["Subject"] == "Your pitch slot"
    assert message["Message-ID"] == "<abc123@roadshow.test>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].datetime == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


def test_build_mime_chinese_subject_is_encoded_and_decodes():
    built = build_mime(
        sender="Roadshow <noreply@roadshow.test>",
        recipient="li.wei@example.cn",
        subject="青岛高新区路演：您的时段已确认",
        body_text="您好",
        message_id="<abc123@roadshow.test>",
    )
    raw = built.as_bytes()
    assert raw.isascii()
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "青岛高新区路演：您的时段已确认"
    assert parsed.get_content().rstrip("\r\n") == "您好"


def test_build_mime_text_only_is_a_single_part():
    message = build()
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content() == "Your slot is at 10:00.\r\n"


def test_build_mime_with_html_is_multipart_alternative():
    message = build(body_html="<p>Your slot is at <b>10:00</b>.</p>")
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert parts[1].get_content() == "<p>Your slot is at <b>10:00</b>.</p>\r\n"


def test_build_mime_with_calendar_is_mixed_with_alternative_and_attachment():
    message = build(body_html="<p>Invitation</p>", calendar_text=CALENDAR, calendar_method="REQUEST")
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html, calendar = alternative.iter_parts()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")

    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_param("charset") == "utf-8"
    assert calendar["Content-Transfer-Encoding"] == "base64"
    assert calendar.get_payload(decode=True) == CALENDAR.encode("utf-8")

    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    assert attachment["Content-Transfer-Encoding"] == "base64"
    assert attachment.get_payload(decode=True) == CALENDAR.encode("utf-8")


def test_build_mime_calendar_without_html_keeps_text_and_calendar():
    message = build(calendar_text=CALENDAR.replace("REQUEST", "CANCEL"), calendar_method="cancel")
    alternative, attachment = message.iter_parts()
    types = [part.get_content_type() for part in alternative.iter_parts()]
    assert types == ["text/plain", "text/calendar"]
    assert list(alternative.iter_parts())[1].get_param("method") == "CANCEL"
    assert attachment.get_filename() == "invite.ics"


def test_build_mime_calendar_line_ends_become_crlf():
    message = build(calendar_text=CALENDAR.replace("\r\n", "\n"), calendar_method="REQUEST")
    alternative, attachment = message.iter_parts()
    calendar = list(alternative.iter_parts())[1]
    assert calendar.get_payload(decode=True) == CALENDAR.encode("utf-8")
    assert attachment.get_payload(decode=True) == CALENDAR.encode("utf-8")


def test_calendar_method_of_reads_method_line_when_none_declared():
    assert calendar_method_of(CALENDAR) == "REQUEST"


def test_calendar_method_of_mismatch_raises():
    with pytest.raises(ValueError, match="METHOD is REQUEST, but the message declares CANCEL"):
        calendar_method_of(CALENDAR, "CANCEL")


def test_calendar_method_of_missing_everywhere_raises():
    with pytest.raises(ValueError, match="needs a METHOD"):
        calendar_method_of(CALENDAR.replace("METHOD:REQUEST\r\n", ""))


def test_build_mime_subject_with_line_break_raises():
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        build_mime(
            sender="Roadshow <noreply@roadshow.test>",
            recipient="a@example.org",
            subject="Hello\r\nBcc: victim@example.org",
            body_text="x",
            message_id="<abc@roadshow.test>",
        )
