"""Structured log lines (JSON or key=value) with the request id, and no secrets in logged paths."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from config import ProductionConfig
from roadshow import ops

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00")


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, dict[str, io.StringIO]]]:
    """A logger writing through a JSON and a key=value handler into two buffers."""
    logger = logging.getLogger("roadshow.tests.structured")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    streams = {"json": io.StringIO(), "kv": io.StringIO()}
    handlers = [ops.log_handler(kind, stream) for kind, stream in streams.items()]
    for handler in handlers:
        logger.addHandler(handler)
    yield logger, streams
    for handler in handlers:
        logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /calendar/Zx9rT2kLmQ4vW8yB1nC5dF7gH3jK6pS0.ics", "GET /calendar/[redacted].ics"),
        ("/feeds/abc123.ics", "/feeds/[redacted]"),
        ("/feeds/abc123/more", "/feeds/[redacted]/more"),
        ("/reset/IjQi.Zm9v.YmFy", "/reset/[redacted]"),
        ("/manage/invitations/eyJhbGciOi", "/manage/invitations/[redacted]"),
        ("/organisations/invitations/tok-1?next=/", "/organisations/invitations/[redacted]?next=/"),
        ("/x?token=s3cret&lang=zh", "/x?token=[redacted]&lang=zh"),
        ("/x?lang=zh&Token=s3cret", "/x?lang=zh&Token=[redacted]"),
        ("/events/summit/calendar.ics?lang=zh", "/events/summit/calendar.ics?lang=zh"),
        ("/events/summit", "/events/summit"),
    ],
)
def test_redact_for_log(text, expected):
    assert ops.redact_for_log(text) == expected


def test_json_log_line_in_a_request_has_id_method_redacted_path(app, captured):
    logger, streams = captured
    headers = {"X-Request-ID": "req-json-1"}
    with app.test_request_context(
        "/calendar/Zx9rT2kLmQ4vW8yB1nC5dF7gH3jK6pS0.ics?token=abc", headers=headers
    ):
        logger.info("served %s", "/reset/secret-token")
    line = json.loads(streams["json"].getvalue())
    assert TIME.fullmatch(line.pop("time"))
    assert line == {
        "level": "INFO",
        "logger": "roadshow.tests.structured",
        "request_id": "req-json-1",
        "method": "GET",
        "path": "/calendar/[redacted].ics",
        "message": "served /reset/[redacted]",
    }


def test_key_value_log_line_quotes_values_with_spaces(app, captured):
    logger, streams = captured
    with app.test_request_context("/events/summit", headers={"X-Request-ID": "req-kv-1"}):
        logger.warning('slow "page"')
    line = streams["kv"].getvalue().strip()
    assert re.fullmatch(
        r"time=\S+ level=WARNING logger=roadshow\.tests\.structured request_id=req-kv-1 "
        r'method=GET path=/events/summit message="slow \\"page\\""',
        line,
    ), line


def test_log_line_outside_a_request_has_dash_for_request_id(captured):
    logger, streams = captured
    logger.info("mail worker started")
    line = json.loads(streams["json"].getvalue())
    assert (line["request_id"], "path" in line, line["message"]) == ("-", False, "mail worker started")


def test_log_line_exception_is_included_and_redacted(app, captured):
    logger, streams = captured
    with app.test_request_context("/healthz"):
        try:
            raise ValueError("bad link /feeds/tok123")
        except ValueError:
            logger.exception("failed")
    line = json.loads(streams["json"].getvalue())
    assert line["message"] == "failed"
    assert line["exception"].endswith("ValueError: bad link /feeds/[redacted]")
    assert "tok123" not in streams["kv"].getvalue()


def test_configure_logging_production_default_installs_one_json_handler(make_app, app, tmp_path):
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    overrides = {"SECRET_KEY": "x" * 8 + "y-Production-Key-0123456789abcdef", "REDIS_URL": None}
    make_app(database, ProductionConfig, **overrides)
    make_app(database, ProductionConfig, **overrides)
    ours = [
        handler for handler in logging.getLogger().handlers if getattr(handler, "_roadshow_handler", False)
    ]
    assert len(ours) == 1
    assert isinstance(ours[0].formatter, ops.JsonLogFormatter)
    assert logging.getLogger().level == logging.INFO


def test_configure_logging_key_value_and_level_from_config(make_app, app):
    make_app(app.config["SQLALCHEMY_DATABASE_URI"], LOG_FORMAT="kv", LOG_LEVEL="warning")
    ours = [
        handler for handler in logging.getLogger().handlers if getattr(handler, "_roadshow_handler", False)
    ]
    assert [type(handler.formatter) for handler in ours] == [ops.KeyValueLogFormatter]
    assert logging.getLogger().level == logging.WARNING


def test_configure_logging_production_with_empty_log_format_leaves_logging_alone(make_app, app):
    overrides = {
        "SECRET_KEY": "x" * 8 + "y-Production-Key-0123456789abcdef",
        "REDIS_URL": None,
        "LOG_FORMAT": "",
    }
    make_app(app.config["SQLALCHEMY_DATABASE_URI"], ProductionConfig, **overrides)
    assert not any(getattr(handler, "_roadshow_handler", False) for handler in logging.getLogger().handlers)


def test_configure_logging_outside_production_leaves_logging_alone(app):
    assert ops.configure_logging(app) is None
    assert not any(getattr(handler, "_roadshow_handler", False) for handler in logging.getLogger().handlers)
