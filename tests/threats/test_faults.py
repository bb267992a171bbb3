"""Faults: a web process killed in the middle of a request leaves no partial rows and no e-mail; with
the SMTP server down, changes still commit and their e-mail is delivered later, exactly once.

The killed process is a real server (tests/threats/killable_server.py) on the suite's database,
SQLite or PostgreSQL, driven over HTTP; its kill hook (SIGKILL between flush and commit) is installed
by that test script only.
"""

from __future__ import annotations

import asyncio
import http.client
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from roadshow.enums import MembershipRole, OutboxStatus
from roadshow.extensions import db
from roadshow.models import Membership, OutboxMessage, PitchApplication, User, utcnow
from tests.conftest import TEST_PASSWORD, post_form
from tests.threats.world import World, differences, signed_in_client, snapshot

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """A minimal HTTP client with cookies (urllib), for a server in another process."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        """The body of GET *path* (redirects followed)."""
        with self.opener.open(self.base_url + path, timeout=10) as response:
            return response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> int:
        """POST *data* with a fresh CSRF token; the final status (redirects followed)."""
        # The home page's language switcher is a form once signed in; before, the log-in form has one.
        token = (CSRF_RE.search(self.get("/")) or CSRF_RE.search(self.get("/login"))).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        with self.opener.open(self.base_url + path, data=body, timeout=10) as response:
            return response.status


def _start_server(app, tmp_path: Path, kill_path: str | None = None) -> tuple[subprocess.Popen, str]:
    env = {
        **os.environ,
        "THREATS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "THREATS_INSTANCE_PATH": str(tmp_path / "server-instance"),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env.pop("THREATS_KILL_PATH", None)
    if kill_path:
        env["THREATS_KILL_PATH"] = kill_path
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.threats.killable_server"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    port = process.stdout.readline().strip()
    assert port.isdigit(), "the test server did not start"
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture
def server(app, tmp_path):
    """``server(kill_path=None)`` → (process, base URL); every process is ended after the test."""
    started: list[subprocess.Popen] = []

    def start(kill_path: str | None = None):
        process, url = _start_server(app, tmp_path, kill_path)
        started.append(process)
        return process, url

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)


def _company_with_members(app, world: World) -> None:
    """Company S (application submitted to event A) gets two members, who are e-mailed decisions."""
    with app.app_context():
        organisation_id = db.session.get(PitchApplication, world.app_s.id).organisation_id
        for user in ("mia", "rita"):
            db.session.add(
                Membership(
                    organisation_id=organisation_id, user_id=world.extra[user].id, role=MembershipRole.MEMBER
                )
            )
        db.session.commit()


def test_worker_killed_between_flush_and_commit_leaves_no_partial_rows_and_no_email(
    app, world: World, server
):
    _company_with_members(app, world)
    decide = f"/manage/events/{world.event_a.id}/applications/{world.app_s.id}/decide"
    decision = {"decision": "accepted", "note": "Welcome to the roadshow."}
    process, url = server(kill_path=decide)
    browser = Browser(url)
    assert (
        browser.post("/login", {"email": world.users["organiser_a"].email, "password": TEST_PASSWORD}) == 200
    )
    browser.get(decide.rsplit("/", 1)[0])  # the review page: a token for this session
    before = snapshot(app)
    with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)):
        browser.post(decide, decision)
    assert process.wait(timeout=10) == -signal.SIGKILL
    after = snapshot(app)
    assert after == before, differences(before, after)

    # Control: the same request on a server without the hook commits the decision and its e-mails,
    # so the killed request had written them (and the database is usable after the kill).
    _, url = server()
    browser = Browser(url)
    assert (
        browser.post("/login", {"email": world.users["organiser_a"].email, "password": TEST_PASSWORD}) == 200
    )
    assert browser.post(decide, decision) == 200
    with app.app_context():
        status = db.session.get(PitchApplication, world.app_s.id).status.value
        recipients = sorted(db.session.scalars(sa.select(OutboxMessage.recipient)))
    assert status == "accepted"
    assert recipients == ["mia@example.org", "rita@example.org"]


# --- SMTP down ------------------------------------------------------------------------------------------


class Recorder:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.received: list[tuple[str, tuple[str, ...], bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Accept and keep the message."""
        await asyncio.sleep(0)
        with self.lock:
            self.received.append((envelope.mail_from, tuple(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _deliver(app, now=None):
    from roadshow.mail.delivery import deliver_pending

    with app.app_context():
        return deliver_pending(now=now)


def _outbox(app) -> list[tuple[str, str, int]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboxMessage.recipient, OutboxMessage.status, OutboxMessage.attempts).order_by(
                OutboxMessage.id
            )
        ).all()
    return [(recipient, status.value, attempts) for recipient, status, attempts in rows]


def test_smtp_down_changes_commit_and_mail_is_delivered_later_exactly_once(app, world: World, monkeypatch):
    from aiosmtpd.controller import Controller

    port = _free_port()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)
    _company_with_members(app, world)
    client = signed_in_client(app, world.user("organiser_a"))
    response = post_form(
        client,
        f"/manage/events/{world.event_a.id}/applications/{world.app_s.id}/decide",
        {"decision": "accepted"},
    )
    assert response.status_code == 302  # the change does not wait for (or depend on) the mail server
    with app.app_context():
        assert db.session.get(PitchApplication, world.app_s.id).status.value == "accepted"
    assert _outbox(app) == [("mia@example.org", "pending", 0), ("rita@example.org", "pending", 0)]

    # The worker runs while nothing listens on the SMTP port: the message is kept for a retry.
    report = _deliver(app)
    assert (report.sent, report.retried) == (0, 1)
    assert _outbox(app) == [("mia@example.org", "pending", 1), ("rita@example.org", "pending", 0)]

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, ready_timeout=5)
    controller.start()
    try:
        later = utcnow() + timedelta(hours=2)
        assert _deliver(app, now=later).sent == 2
        assert _deliver(app, now=later + timedelta(hours=1)).sent == 0  # nothing sent twice
    finally:
        controller.stop()
    assert sorted(rcpt for _, rcpts, _ in recorder.received for rcpt in rcpts) == [
        "mia@example.org",
        "rita@example.org",
    ]
    assert [status for _, status, _ in _outbox(app)] == [OutboxStatus.SENT.value] * 2
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) > 0
