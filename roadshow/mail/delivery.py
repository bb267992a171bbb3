"""Delivering the outbox over SMTP: `flask send-mail` (once) and `flask mail-worker` (a loop).

Each message is delivered in a short transaction of its own: claim the row → send it → mark it
sent → commit. On PostgreSQL the claim is ``SELECT … FOR UPDATE SKIP LOCKED``: the row stays
locked while it is being sent, so any number of workers on any number of hosts never send one
message twice, and a worker that dies mid-send leaves the row pending (its lock goes with its
connection). A row is marked sent only after the SMTP server accepted the message; if the commit
after that fails, the message is sent again later — at least once, never lost, and its stable
Message-ID lets the receiving side discard the duplicate.

Failures (connection refused, timeout, SMTP 4xx/5xx) count an attempt, record a short
``last_error`` and schedule the next try with exponential back-off (30 s, 1 min, 2 min … capped
at 1 hour). After ``MAIL_MAX_ATTEMPTS`` tries (12 by default, about five hours) the row becomes
``failed``: it is kept for an operator, never deleted. A permanent refusal of the recipient
(a 5xx answer to RCPT TO, e.g. "550 no such user") fails the row at once: retrying cannot help.
Every other 5xx (a refused sender, a rejected body) is retried, since it is more often a
misconfiguration being fixed than a property of the message. A message that cannot even be built
(a line break in a header, a calendar without METHOD) fails at once as well.

With no ``MAIL_SERVER`` (development, tests) each message is written to the log at INFO and
marked sent.
"""

from __future__ import annotations

import logging
import signal
import smtplib
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from types import FrameType
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from roadshow.enums import OutboxStatus
from roadshow.extensions import db
from roadshow.mail.mime import build_mime
from roadshow.models import OutboxMessage, utcnow

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 12
RETRY_BASE_DELAY = timedelta(seconds=30)
RETRY_MAX_DELAY = timedelta(hours=1)
LAST_ERROR_LENGTH = 300


@dataclass
class DeliveryReport:
    """What one delivery run did: messages sent, scheduled for another try, and given up on."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def processed(self) -> int:
        """How many messages this run took in hand."""
        return self.sent + self.retried + self.failed

    def __str__(self) -> str:
        """A one-line summary for the command line and the log."""
        return f"{self.sent} sent, {self.retried} to retry, {self.failed} failed"


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try after *attempts* failed tries: 30 s × 2^(attempts-1), ≤ 1 hour."""
    if attempts < 1:
        return timedelta(0)
    # Cap the exponent before multiplying so a huge attempts count cannot overflow.
    return min(RETRY_BASE_DELAY * 2 ** min(attempts - 1, 20), RETRY_MAX_DELAY)


class SmtpUnavailableError(Exception):
    """The SMTP server could not be reached or refused the session (connect, STARTTLS, login)."""


class _UndeliverableError(Exception):
    """This message can never be delivered (refused recipient, unbuildable message)."""


def _short(text: str) -> str:
    """One line, at most LAST_ERROR_LENGTH characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= LAST_ERROR_LENGTH else flat[: LAST_ERROR_LENGTH - 1] + "…"


def describe_error(error: BaseException) -> str:
    """A short, secret-free description of a delivery error, for ``last_error`` and the log."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [f"{code} {_decoded(reply)}" for code, reply in error.recipients.values()]
        return _short("recipient refused: " + "; ".join(answers))
    if isinstance(error, smtplib.SMTPResponseException):
        return _short(f"{type(error).__name__}: {error.smtp_code} {_decoded(error.smtp_error)}")
    return _short(f"{type(error).__name__}: {error}")


def _decoded(reply: bytes | str) -> str:
    """An SMTP reply as text."""
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


class SmtpTransport:
    """One SMTP session reused for a batch: opened on first use, reopened after it breaks."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        use_tls: bool = False,
        use_ssl: bool = False,
        timeout: float = 30,
    ) -> None:
        """Remember the server's settings; nothing is opened yet."""
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.use_tls = use_tls
        self.use_ssl = use_ssl
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpTransport:
        """A transport for the MAIL_* settings of an app's config."""
        return cls(
            config["MAIL_SERVER"],
            int(config.get("MAIL_PORT") or 25),
            username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            timeout=float(config.get("MAIL_TIMEOUT") or 30),
        )

    def _open(self) -> smtplib.SMTP:
        """Connect, STARTTLS and log in as configured; raise SmtpUnavailableError when that fails."""
        smtp: smtplib.SMTP | None = None
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.use_tls:
                    smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
        except OSError as error:  # smtplib.SMTPException, ssl.SSLError and timeouts are OSErrors
            if smtp is not None:
                with suppress(OSError):
                    smtp.close()
            raise SmtpUnavailableError(f"SMTP {self.host}:{self.port}: {describe_error(error)}") from error
        return smtp

    def send(self, message: EmailMessage, from_address: str, to_address: str) -> None:
        """Hand *message* to the server; returns only once the server accepted it.

        Raises:
            SmtpUnavailableError: the server could not be reached (nothing was sent).
            smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException, OSError: the server
                refused the message or the connection broke; the next send reconnects.
        """
        if self._smtp is None:
            self._smtp = self._open()
        try:
            self._smtp.send_message(message, from_addr=from_address, to_addrs=[to_address])
        except smtplib.SMTPRecipientsRefused:
            raise  # smtplib has reset the session; the connection is still good
        except smtplib.SMTPResponseException as error:
            if error.smtp_code == 421:  # "service closing": smtplib has closed the socket
                self._smtp = None
            raise
        except OSError:  # disconnected, timed out, reset: start afresh for the next message
            self._discard()
            raise

    def _discard(self) -> None:
        """Drop a broken connection without talking to the server."""
        if self._smtp is not None:
            with suppress(OSError):
                self._smtp.close()
        self._smtp = None

    def close(self) -> None:
        """Say QUIT and close the connection, if one is open."""
        if self._smtp is not None:
            with suppress(OSError):
                self._smtp.quit()
        self._discard()


def _claim_next(due_before: datetime, postgresql: bool) -> OutboxMessage | None:
    """The oldest pending message due by *due_before*, locked for this transaction on PostgreSQL."""
    statement = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= due_before)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(1)
    )
    if postgresql:
        # Rows another worker holds are skipped, not waited for: it is sending them.
        statement = statement.with_for_update(skip_locked=True, of=OutboxMessage)
    return db.session.scalars(statement).first()


def _message_for(row: OutboxMessage, sender: str) -> EmailMessage:
    """Build the MIME message for *row*; a message that cannot be built fails permanently."""
    try:
        return build_mime(
            sender=sender,
            recipient=row.recipient,
            subject=row.subject,
            body_text=row.body_text,
            body_html=row.body_html,
            calendar_text=row.calendar_text,
            calendar_method=row.calendar_method,
            message_id=row.message_id,
            date=row.created_at,
        )
    except (ValueError, TypeError) as error:
        raise _UndeliverableError(_short(f"cannot build the message: {error}")) from error


def _log_instead_of_sending(row: OutboxMessage) -> None:
    """Development mode: write the message to the log, where a developer can follow its links."""
    calendar = f" with a calendar invitation ({row.calendar_method})" if row.calendar_text else ""
    logger.info(
        "Mail not sent (no MAIL_SERVER)%s\nTo: %s\nSubject: %s\nMessage-ID: %s\n\n%s",
        calendar,
        row.recipient,
        row.subject,
        row.message_id,
        row.body_text,
    )


def _update_pending(row_id: int, **values: Any) -> bool:
    """Update the row if it is still pending; False when it was removed or changed meanwhile."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


@dataclass(frozen=True)
class _Failure:
    """Why one delivery attempt failed, and what that means for the message and the run."""

    error: str
    permanent: bool = False
    server_down: bool = False


def _attempt(
    row: OutboxMessage, transport: SmtpTransport | None, sender: str, envelope_sender: str
) -> _Failure | None:
    """Try to deliver *row* once (log it in development); None when the server accepted it."""
    try:
        message = _message_for(row, sender)
        if transport is None:
            _log_instead_of_sending(row)
        else:
            transport.send(message, envelope_sender, row.recipient)
    except _UndeliverableError as error:
        return _Failure(str(error), permanent=True)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _reply in error.recipients.values()]
        return _Failure(describe_error(error), permanent=all(500 <= code < 600 for code in codes))
    except SmtpUnavailableError as error:
        return _Failure(str(error), server_down=True)
    except OSError as error:  # SMTP 4xx/5xx answers, disconnects, timeouts
        return _Failure(describe_error(error))
    return None


def deliver_pending(
    limit: int | None = None,
    now: datetime | None = None,
    *,
    stop: threading.Event | None = None,
) -> DeliveryReport:
    """Deliver the outbox messages that are due, oldest first; needs an app context and commits.

    Args:
        limit: at most this many messages (default ``MAIL_MAX_BATCH``).
        now: the current instant (aware); fixed for the whole run when given (tests advance it).
        stop: when set, the run ends after the message in hand (the worker's SIGTERM).

    Each message is claimed, sent and marked in a transaction of its own, committed before the
    next one; the session must hold no unfinished work of the caller's. One SMTP connection
    serves the whole run. When the server cannot be reached, the message in hand is scheduled
    for a retry and the run ends, so an outage costs one attempt per run, not one per message.
    """
    config = current_app.config
    limit = int(config.get("MAIL_MAX_BATCH") or 100) if limit is None else limit
    max_attempts = int(config.get("MAIL_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS)
    sender = config.get("MAIL_DEFAULT_SENDER") or "Roadshow <noreply@localhost>"
    envelope_sender = parseaddr(sender)[1] or sender
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    # Only what is due when the run starts: a message retried during the run waits its turn.
    due_before = clock()
    transport = SmtpTransport.from_config(config) if config.get("MAIL_SERVER") else None
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    report = DeliveryReport()
    try:
        while report.processed < limit and not (stop is not None and stop.is_set()):
            row = _claim_next(due_before, postgresql)
            if row is None:
                break
            row_id, attempts, recipient = row.id, row.attempts, row.recipient
            failure = _attempt(row, transport, sender, envelope_sender)
            if failure is None:
                if not _update_pending(
                    row_id, status=OutboxStatus.SENT, sent_at=clock(), attempts=attempts + 1
                ):
                    logger.warning("Outbox message %s was sent but had been removed meanwhile", row_id)
                db.session.commit()
                report.sent += 1
                continue

            attempts += 1
            if failure.permanent or attempts >= max_attempts:
                _update_pending(
                    row_id, status=OutboxStatus.FAILED, attempts=attempts, last_error=failure.error
                )
                report.failed += 1
                logger.error("Gave up on outbox message %s to %s: %s", row_id, recipient, failure.error)
            else:
                next_try = clock() + retry_delay(attempts)
                _update_pending(row_id, attempts=attempts, last_error=failure.error, next_attempt_at=next_try)
                report.retried += 1
                logger.warning(
                    "Outbox message %s to %s not delivered (attempt %s), next try at %s: %s",
                    row_id,
                    recipient,
                    attempts,
                    next_try.isoformat(),
                    failure.error,
                )
            db.session.commit()
            if failure.server_down:
                break
    finally:
        # Whatever happened, hold no row lock and no half-done transaction past this run.
        db.session.rollback()
        if transport is not None:
            transport.close()
    return report


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Set *stop* on SIGTERM or SIGINT while inside, then restore the previous handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be installed from the main thread
        return

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("%s received: stopping after the message in hand", signal.Signals(signum).name)
        stop.set()

    previous = {signum: signal.signal(signum, request_stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@click.command("send-mail")
@click.option(
    "--limit", type=click.IntRange(min=1), help="At most this many messages (default MAIL_MAX_BATCH)."
)
@with_appcontext
def send_mail_command(limit: int | None) -> None:
    """Deliver the outbox messages that are due, once, and print the counts."""
    report = deliver_pending(limit=limit)
    click.echo(str(report))


@click.command("mail-worker")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="Seconds to wait between runs.",
)
@click.option("--once", is_flag=True, help="Run once and exit.")
@with_appcontext
def mail_worker_command(interval: float, once: bool) -> None:
    """Deliver outbox messages in a loop until SIGTERM or SIGINT (Ctrl-C)."""
    stop = threading.Event()
    batch_size = int(current_app.config.get("MAIL_MAX_BATCH") or 100)
    with _stop_on_signals(stop):
        while not stop.is_set():
            try:
                report = deliver_pending(stop=stop)
            except SQLAlchemyError:
                # The database may be restarting: log, and try again at the next interval.
                logger.exception("Outbox delivery run failed")
                report = None
            finally:
                db.session.remove()  # give the connection back to the pool between runs
            if report is not None and report.processed:
                click.echo(str(report))
            if once:
                break
            batch_was_full = report is not None and report.processed >= batch_size
            if not batch_was_full:  # a backlog is worked through without pausing
                stop.wait(interval)
    click.echo("mail worker stopped")
