"""gunicorn settings for Roadshow: ``gunicorn -c gunicorn.conf.py wsgi:app`` (``make serve``).

Sync workers, CPUs + 1 of them (``WEB_CONCURRENCY`` overrides), behind nginx: nginx buffers
slow clients and holds the keep-alive connections, so a sync worker only ever spends time on
application work. (Measured in benchmarks/load: gthread workers facing keep-alive clients directly
can pile connections onto one worker and halve throughput; sync workers behind nginx do not.)

Environment: ``GUNICORN_BIND`` (``127.0.0.1:8000``; several addresses comma-separated, or
``unix:/run/roadshow/gunicorn.sock``), ``WEB_CONCURRENCY``, ``GUNICORN_TIMEOUT`` (30 s),
``GUNICORN_ACCESS_LOG`` (``-`` = stderr; empty turns it off), ``LOG_LEVEL``,
``GUNICORN_CONTROL_SOCKET`` (a path turns gunicorn's control socket on; off by default).

Access and error lines are JSON with the request id; paths are logged without their query string
and with secrets (personal feed tokens, reset and invitation tokens) redacted.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

from gunicorn import glogging

from roadshow.ops import JsonLogFormatter, redact_for_log
from roadshow.security import worker_count

bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")]
workers = worker_count(os.environ)
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Recycle workers now and then, so that a slow leak can never grow without bound.
max_requests = 20000
max_requests_jitter = 2000
proc_name = "roadshow"
# gunicorn's control socket (gunicornc) defaults to one path per user, which two servers would share:
# off unless GUNICORN_CONTROL_SOCKET names a path for this one.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


class RoadshowGunicornLogger(glogging.Logger):
    """gunicorn's logger writing JSON: access lines with the request id and a redacted path."""

    def setup(self, cfg) -> None:
        """Set up gunicorn's handlers, then make the error log write JSON lines."""
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonLogFormatter())

    def access(self, resp, req, environ, request_time) -> None:
        """Log one request as a JSON line (``access_log_format`` is not used)."""
        if not self.access_log_enabled:
            return
        self.access_log.info("%s", json.dumps(access_entry(resp, environ, request_time), ensure_ascii=False))


def access_entry(resp, environ: dict, request_time) -> dict:
    """The fields of one access-log line."""
    headers = {name.lower(): value for name, value in resp.headers}
    status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "level": "INFO",
        "logger": "gunicorn.access",
        "request_id": headers.get("x-request-id", "-"),
        "remote": environ.get("REMOTE_ADDR", "-"),
        "method": environ.get("REQUEST_METHOD", "-"),
        "path": redact_for_log(environ.get("PATH_INFO", "")),
        "status": int(status),
        "bytes": getattr(resp, "sent", None),
        "duration_ms": round(request_time.total_seconds() * 1000, 1),
        "user_agent": environ.get("HTTP_USER_AGENT", "-"),
    }


logger_class = RoadshowGunicornLogger
