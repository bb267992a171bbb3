"""Writing e-mails to the outbox, in the same transaction as the change that causes them."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from roadshow.enums import OutboxStatus
from roadshow.extensions import db
from roadshow.models import OutboxMessage, utcnow


def new_message_id(domain: str | None = None) -> str:
    """A globally unique RFC 5322 Message-ID, fixed for the life of the outbox row."""
    host = domain or current_app.config.get("SERVER_NAME") or "roadshow.localhost"
    return f"<{secrets.token_hex(16)}@{host.split(':')[0]}>"


def queue_email(
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    *,
    calendar_text: str | None = None,
    calendar_method: str | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Add an e-mail to the outbox (flushed, not committed: it commits with the caller's change).

    Args:
        recipient: the address to deliver to.
        subject, body_text, body_html: the message, already in the recipient's language.
        calendar_text, calendar_method: an iMIP calendar part (METHOD:REQUEST / CANCEL), if any.
        dedupe_key: when a message with the same key is still pending, it is replaced by this one,
            so rapid successive changes (a slot moved twice before delivery) send one message.
    """
    if dedupe_key is not None:
        # Every pending one goes, retried or not: a superseded message left in back-off would
        # otherwise be delivered *after* its replacement. A message a worker is sending right now
        # is safe: on PostgreSQL its row is locked, so this waits and then finds it sent.
        db.session.execute(
            sa.delete(OutboxMessage).where(
                OutboxMessage.dedupe_key == dedupe_key,
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        )
    message = OutboxMessage(
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        calendar_text=calendar_text,
        calendar_method=calendar_method,
        dedupe_key=dedupe_key,
        message_id=new_message_id(),
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message


def queue_templated_email(recipient: str, template: str, locale: str, **context: object) -> OutboxMessage:
    """Render ``templates/mail/<template>.{subject,txt,html}`` in *locale* and queue the result."""
    with force_locale(locale):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    return queue_email(recipient, subject, text, html)
