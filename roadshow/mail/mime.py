"""Building the MIME message for one outbox row: plain values in, an EmailMessage out (no Flask).

With an iMIP calendar part the layout is the one Google Calendar and Outlook send, which every
mail client shows as an invitation with accept/decline buttons::

    multipart/mixed
      multipart/alternative
        text/plain
        text/html                                     (when there is an HTML body)
        text/calendar; charset=utf-8; method=REQUEST  (base64)
      application/ics; name=invite.ics                (attachment, base64: the same calendar)
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage

# The SMTP policy (CRLF line ends) restricted to 7-bit transfer encodings: non-ASCII bodies go
# out as quoted-printable or base64, so no relay has to support 8BITMIME.
MAIL_POLICY = policy.SMTP.clone(cte_type="7bit")

CALENDAR_FILENAME = "invite.ics"
_METHOD_LINE = re.compile(r"^METHOD:([A-Za-z-]+)\s*$", re.MULTILINE)
_LINE_END = re.compile(r"\r\n|\r|\n")


def calendar_method_of(calendar_text: str, declared: str | None = None) -> str:
    """The iTIP METHOD of *calendar_text* (upper case), checked against *declared* when given.

    Args:
        calendar_text: an iCalendar object; its ``METHOD:`` line is authoritative.
        declared: the method stored beside the calendar (the outbox row's ``calendar_method``).

    Raises:
        ValueError: when neither names a method, or the two disagree; a mail client shown a
            ``method=`` parameter that differs from the calendar's METHOD rejects the invitation.
    """
    match = _METHOD_LINE.search(calendar_text)
    found = match.group(1).upper() if match else None
    wanted = declared.strip().upper() if declared else None
    if found and wanted and found != wanted:
        raise ValueError(f"calendar METHOD is {found}, but the message declares {wanted}")
    method = wanted or found
    if not method:
        raise ValueError("an iMIP calendar part needs a METHOD (REQUEST, CANCEL, …)")
    return method


def build_mime(
    *,
    sender: str,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    calendar_text: str | None = None,
    calendar_method: str | None = None,
    message_id: str,
    date: datetime | None = None,
) -> EmailMessage:
    """Build the e-mail for one outbox message.

    Args:
        sender: the From address, e.g. ``"Roadshow <noreply@example.org>"``.
        recipient: the To address.
        subject: any Unicode text (Chinese subjects are RFC 2047-encoded).
        body_text: the text/plain body; always present.
        body_html: the text/html alternative, if any.
        calendar_text: an iCalendar object to send as an iMIP invitation (REQUEST, CANCEL …).
        calendar_method: the METHOD declared for *calendar_text*; must match its METHOD line.
        message_id: the row's Message-ID (``<…@host>``), stable across retries.
        date: the Date header (an aware datetime; now when omitted).

    Raises:
        ValueError: for a header value with a line break or a calendar without a coherent METHOD.
    """
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = (date or datetime.now(UTC)).astimezone(UTC)
    message["Message-ID"] = message_id
    # RFC 3834: tells auto-responders (vacation notices) not to answer.
    message["Auto-Submitted"] = "auto-generated"

    message.set_content(body_text)
    if body_html is not None:
        message.add_alternative(body_html, subtype="html")
    if calendar_text is None:
        return message

    method = calendar_method_of(calendar_text, calendar_method)
    calendar_crlf = _LINE_END.sub("\r\n", calendar_text.rstrip("\r\n")) + "\r\n"
    message.add_alternative(calendar_crlf, subtype="calendar", cte="base64", params={"method": method})
    message.add_attachment(
        calendar_crlf.encode("utf-8"),
        maintype="application",
        subtype="ics",
        filename=CALENDAR_FILENAME,
        params={"name": CALENDAR_FILENAME},
    )
    return message
