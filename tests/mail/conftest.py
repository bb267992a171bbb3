"""Fixtures for mail tests: a real SMTP server (aiosmtpd) on 127.0.0.1 and outbox helpers."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from roadshow.extensions import db
from roadshow.mail.outbox import queue_email

MAIL_KEYS = (
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_TIMEOUT",
    "MAIL_MAX_ATTEMPTS",
    "MAIL_MAX_BATCH",
    "MAIL_DEFAULT_SENDER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
)


@dataclass(frozen=True)
class Received:
    """One message as the SMTP server accepted it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    peer: tuple[str, int]  # the client's address: one per SMTP connection


class RecordingHandler:
    """Accepts every message and keeps its envelope; refuses the first *refuse_first* with *reply*."""

    def __init__(self, refuse_first: int = 0, reply: str = "451 4.3.0 Try again later", delay: float = 0):
        """Refuse that many DATA commands before accepting; *delay* slows each acceptance."""
        self.refuse_first = refuse_first
        self.reply = reply
        self.delay = delay
        self.refused = 0
        self.received: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Record the message (or refuse it while refusals remain)."""
        with self._lock:
            if self.refused < self.refuse_first:
                self.refused += 1
                return self.reply
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.received.append(
                Received(envelope.mail_from, tuple(envelope.rcpt_tos), envelope.content, tuple(session.peer))
            )
        return "250 2.0.0 Message accepted"


class RecipientRefusingHandler(RecordingHandler):
    """Refuses every recipient with *rcpt_reply* (e.g. a permanent 550)."""

    def __init__(self, rcpt_reply: str = "550 5.1.1 No such user here"):
        """Answer every RCPT TO with *rcpt_reply*."""
        super().__init__()
        self.rcpt_reply = rcpt_reply

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list) -> str:
        """Refuse the recipient."""
        return self.rcpt_reply


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_config(app: Flask) -> Iterator[dict[str, Any]]:
    """The app's config, with every MAIL_* key restored after the test."""
    saved = {key: app.config[key] for key in MAIL_KEYS if key in app.config}
    app.config["MAIL_DEFAULT_SENDER"] = "Roadshow <noreply@roadshow.test>"
    yield app.config
    for key in MAIL_KEYS:
        app.config.pop(key, None)
    app.config.update(saved)


@pytest.fixture
def smtp_server(mail_config: dict[str, Any]) -> Iterator[Callable[..., RecordingHandler]]:
    """``smtp_server(handler=None)``: start aiosmtpd with *handler* and point MAIL_SERVER at it."""
    controllers: list[Controller] = []

    def start(handler: RecordingHandler | None = None) -> RecordingHandler:
        handler = handler or RecordingHandler()
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=5)
        controller.start()
        controllers.append(controller)
        mail_config["MAIL_SERVER"] = "127.0.0.1"
        mail_config["MAIL_PORT"] = controller.port
        mail_config["MAIL_TIMEOUT"] = 5
        return handler

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def queue(app: Flask) -> Callable[..., int]:
    """``queue(recipient=…, subject=…, body_text=…, **kwargs)`` → the id of a committed outbox row."""

    def factory(
        recipient: str = "investor@example.org",
        subject: str = "Your pitch slot",
        body_text: str = "Your pitch slot is confirmed.",
        body_html: str | None = None,
        **kwargs: Any,
    ) -> int:
        with app.app_context():
            message = queue_email(recipient, subject, body_text, body_html, **kwargs)
            db.session.commit()
            return message.id

    return factory
