"""`flask send-mail` and `flask mail-worker`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from roadshow import PROJECT_ROOT
from roadshow.enums import OutboxStatus
from roadshow.models import OutboxMessage
from tests.conftest import fetch


def test_send_mail_command_delivers_and_prints_counts(app, runner, smtp_server, queue):
    server = smtp_server()
    queue(recipient="anna@example.eu")
    queue(recipient="li.wei@example.cn")

    result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 0, result.output
    assert result.output == "2 sent, 0 to retry, 0 failed\n"
    assert [r.rcpt_tos for r in server.received] == [("anna@example.eu",), ("li.wei@example.cn",)]
    assert fetch(app, sa.select(OutboxMessage.status)) == [OutboxStatus.SENT, OutboxStatus.SENT]


def test_send_mail_command_limit_sends_that_many(app, runner, smtp_server, queue):
    server = smtp_server()
    queue()
    queue()

    result = runner.invoke(args=["send-mail", "--limit", "1"])

    assert result.output == "1 sent, 0 to retry, 0 failed\n"
    assert len(server.received) == 1


def test_send_mail_command_nothing_due_prints_zeros(runner, smtp_server):
    smtp_server()

    result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 0
    assert result.output == "0 sent, 0 to retry, 0 failed\n"


def test_mail_worker_once_delivers_and_restores_signal_handlers(app, runner, mail_config, queue):
    mail_config["MAIL_SERVER"] = None
    queue()
    handlers_before = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))

    result = runner.invoke(args=["mail-worker", "--once"])

    assert result.exit_code == 0, result.output
    assert result.output == "1 sent, 0 to retry, 0 failed\nmail worker stopped\n"
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == handlers_before
    assert fetch(app, sa.select(OutboxMessage.status)) == [OutboxStatus.SENT]


def test_mail_worker_works_through_backlog_and_stops_on_sigterm(app, queue, tmp_path: Path):
    ids = [queue(), queue()]
    environment = {
        **os.environ,
        "ROADSHOW_ENV": "test",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "ROADSHOW_INSTANCE_PATH": str(tmp_path),
        "FLASK_APP": "wsgi",
        "PYTHONUNBUFFERED": "1",
        "MAIL_MAX_BATCH": "1",
    }
    environment.pop("MAIL_SERVER", None)
    # A full batch is followed at once by the next: with a 60 s interval, the second message
    # goes out within the deadline only if the worker does not pause while a backlog remains.
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "mail-worker", "--interval", "60"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        statuses = [OutboxStatus.PENDING]
        while OutboxStatus.PENDING in statuses and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.05)
            statuses = fetch(app, sa.select(OutboxMessage.status).where(OutboxMessage.id.in_(ids)))
        assert statuses == [OutboxStatus.SENT, OutboxStatus.SENT]

        # Now waiting out its 60 s interval: SIGTERM must end the wait, not the process.
        worker.send_signal(signal.SIGTERM)
        stdout, stderr = worker.communicate(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()

    assert worker.returncode == 0, stderr
    assert stdout == "1 sent, 0 to retry, 0 failed\n1 sent, 0 to retry, 0 failed\nmail worker stopped\n"
