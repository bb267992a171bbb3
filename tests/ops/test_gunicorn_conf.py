"""gunicorn.conf.py: worker count and bind from the environment, JSON access lines without secrets."""

from __future__ import annotations

import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from roadshow import PROJECT_ROOT
from roadshow.security import default_worker_count

CONF = str(PROJECT_ROOT / "gunicorn.conf.py")


def _load(monkeypatch, **environ: str) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_CONTROL_SOCKET", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONF)


def test_gunicorn_conf_defaults_sync_workers_per_cpu_on_loopback(monkeypatch):
    settings = _load(monkeypatch)
    assert settings["workers"] == default_worker_count() == (os.cpu_count() or 1) + 1
    assert settings["worker_class"] == "sync"
    assert settings["bind"] == ["127.0.0.1:8000"]
    assert settings["accesslog"] == "-"
    assert settings["control_socket_disable"] is True


def test_gunicorn_conf_reads_workers_bind_and_control_socket_from_environment(monkeypatch):
    settings = _load(
        monkeypatch,
        WEB_CONCURRENCY="3",
        GUNICORN_BIND="0.0.0.0:8001, unix:/run/roadshow.sock",
        GUNICORN_CONTROL_SOCKET="/run/roadshow.ctl",
    )
    assert settings["workers"] == 3
    assert settings["bind"] == ["0.0.0.0:8001", "unix:/run/roadshow.sock"]
    assert (settings["control_socket_disable"], settings["control_socket"]) == (False, "/run/roadshow.ctl")


def test_gunicorn_conf_invalid_web_concurrency_falls_back_to_cpu_count(monkeypatch):
    assert _load(monkeypatch, WEB_CONCURRENCY="many")["workers"] == default_worker_count()


def test_gunicorn_access_entry_has_request_id_and_redacted_path_without_query(monkeypatch):
    access_entry = _load(monkeypatch)["access_entry"]
    response = SimpleNamespace(
        status="200 OK", sent=1234, headers=[("Content-Type", "text/calendar"), ("X-Request-ID", "req-9")]
    )
    environ = {
        "REMOTE_ADDR": "203.0.113.7",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/calendar/Zx9rT2kLmQ4vW8yB1nC5dF7gH3jK6pS0.ics",
        "QUERY_STRING": "token=abc",
        "HTTP_USER_AGENT": "Calendar/1.0",
    }
    entry = access_entry(response, environ, timedelta(milliseconds=12, microseconds=340))
    del entry["time"]
    assert entry == {
        "level": "INFO",
        "logger": "gunicorn.access",
        "request_id": "req-9",
        "remote": "203.0.113.7",
        "method": "GET",
        "path": "/calendar/[redacted].ics",
        "status": 200,
        "bytes": 1234,
        "duration_ms": 12.3,
        "user_agent": "Calendar/1.0",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.status, dict(response.headers)


def test_gunicorn_serves_healthz_and_logs_json_access_line(tmp_path: Path):
    port = _free_port()
    environ = {
        **os.environ,
        "ROADSHOW_ENV": "test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite3'}",
        "ROADSHOW_INSTANCE_PATH": str(tmp_path),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    environ.pop("REDIS_URL", None)
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", CONF, "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=environ,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                status, headers = _get(
                    f"http://127.0.0.1:{port}/healthz", {"X-Request-ID": "gunicorn-test-1"}
                )
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(log_path.read_text())
                time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
    assert (status, headers["X-Request-ID"]) == (200, "gunicorn-test-1")
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert [(line["request_id"], line["path"], line["status"]) for line in access] == [
        ("gunicorn-test-1", "/healthz", 200)
    ]
    assert any(
        line["message"] == "Using worker: sync" for line in lines if line["logger"] == "gunicorn.error"
    )
