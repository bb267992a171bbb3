"""iMIP invitations (RFC 6047) for pitch slots and sessions, queued in the outbox.

One message per recipient and item: ``METHOD:REQUEST`` when a slot is published or moved (the whole
event again: same UID, the raised SEQUENCE, a fresh DTSTAMP), ``METHOD:CANCEL`` when it is taken away
(same UID, a SEQUENCE higher than the last request, ``STATUS:CANCELLED``). The outbox's dedupe key
``slot-<slot>-<user>`` (``session-<session>-<user>``) makes a change that follows another before
delivery replace the pending message, so rapid moves send one invitation. ``roadshow.mail.mime``
turns the row into multipart/alternative with the ``text/calendar; method=…`` part and an
``invite.ics`` attachment.

Call these *after* the change is applied and its SEQUENCE raised (the services do that), inside the
same transaction.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr

from flask import current_app, render_template
from flask_babel import force_locale

from roadshow import timezones
from roadshow.calendar import CalendarEntry, Participant, build_invitation
from roadshow.extensions import db
from roadshow.feeds import services
from roadshow.i18n import format_clock, format_day
from roadshow.links import external_url
from roadshow.mail.outbox import queue_email
from roadshow.models import Event, OutboxMessage, PitchApplication, PitchSlot, ProgrammeSession, User, utcnow

METHODS = ("REQUEST", "CANCEL")


def organizer_for(event: Event) -> Participant:
    """The ORGANIZER of *event*'s invitations: its contact address, else the site's sender address."""
    address = event.contact_email or parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")[1]
    return Participant(email=address, name=event.title)


def _when(start: datetime, end: datetime, zone: str) -> str:
    return (
        f"{format_day(start, zone, 'full')}, {format_clock(start, zone)}–{format_clock(end, zone)} ({zone})"
    )


def _queue(
    entry: CalendarEntry,
    event: Event,
    recipient: User,
    method: str,
    dedupe_key: str,
    subject: str | None,
    body_text: str | None,
    body_html: str | None,
) -> OutboxMessage:
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unsupported invitation method {method!r}")
    language = services.feed_language(recipient.locale)
    calendar = build_invitation(
        method,
        entry,
        organizer=organizer_for(event),
        attendee=Participant(email=recipient.email, name=recipient.name),
        dtstamp=utcnow(),
    )
    if subject is None or body_text is None:
        own_zone = recipient.timezone if timezones.is_valid_timezone(recipient.timezone) else event.timezone
        with force_locale(language):
            context = {
                "recipient": recipient,
                "entry": entry,
                "event_title": event.title_zh if language == "zh" and event.title_zh else event.title,
                "cancel": method == "CANCEL",
                "when_own": _when(entry.starts_at, entry.ends_at, own_zone),
                "when_event": (
                    _when(entry.starts_at, entry.ends_at, event.timezone)
                    if own_zone != event.timezone
                    else None
                ),
                "page_url": external_url("public.event_page", slug=event.slug),
            }
            subject = render_template("feeds/invitation.subject.txt", **context).strip()
            body_text = render_template("feeds/invitation.txt", **context)
            body_html = render_template("feeds/invitation.html", **context)
    return queue_email(
        recipient.email,
        subject,
        body_text,
        body_html,
        calendar_text=calendar,
        calendar_method=method,
        dedupe_key=dedupe_key,
    )


def queue_slot_invitation(
    slot: PitchSlot,
    recipient: User,
    method: str,
    *,
    application: PitchApplication | None = None,
    span: tuple[datetime, datetime] | None = None,
    subject: str | None = None,
    body_text: str | None = None,
    body_html: str | None = None,
) -> OutboxMessage:
    """Queue the iMIP invitation (REQUEST) or cancellation (CANCEL) of *slot* for *recipient*.

    Args:
        slot: the pitch slot, after the change (its SEQUENCE already raised).
        recipient: a member of the company; the message is in their language and zone.
        method: ``REQUEST`` (published or moved) or ``CANCEL`` (taken away, declined, withdrawn).
        application: the company's application when it no longer holds *slot* (a cancellation
            names the company's own pitch, not the slot's new holder); default: the slot's holder.
        span: the (start, end) the company was told, when the slot itself has changed since.
        subject, body_text, body_html: the message, already rendered in the recipient's language
            (e.g. the programme's own slot-change e-mail); by default Roadshow's invitation text.

    Returns:
        The outbox row (flushed). A pending message for the same slot and recipient is replaced.
    """
    language = services.feed_language(recipient.locale)
    holder = application if application is not None else slot.application
    entry = services.slot_invitation_entry(
        slot.id,
        language,
        company=(holder.organisation.name, holder.organisation.name_zh) if holder is not None else None,
        project=(holder.title, holder.title_zh) if holder is not None else None,
        span=span,
    )
    if entry is None:
        raise ValueError(f"pitch slot {slot.id} does not exist")
    event = db.session.get(Event, slot.session.event_id)
    return _queue(
        entry, event, recipient, method, f"slot-{slot.id}-{recipient.id}", subject, body_text, body_html
    )


def queue_session_invitation(
    session: ProgrammeSession,
    recipient: User,
    method: str,
    *,
    subject: str | None = None,
    body_text: str | None = None,
    body_html: str | None = None,
) -> OutboxMessage:
    """Queue the iMIP invitation (REQUEST) or cancellation (CANCEL) of *session* for *recipient*
    (an organiser added to the session, a speaker); same rules as :func:`queue_slot_invitation`."""
    entry = services.session_invitation_entry(session.id, services.feed_language(recipient.locale))
    if entry is None:
        raise ValueError(f"session {session.id} does not exist")
    event = db.session.get(Event, session.event_id)
    return _queue(
        entry, event, recipient, method, f"session-{session.id}-{recipient.id}", subject, body_text, body_html
    )
