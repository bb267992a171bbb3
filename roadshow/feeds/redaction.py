"""Keeping personal feed tokens out of logs: request lines and error messages are redacted.

A personal feed's URL is its only credential, and access logs (werkzeug's, gunicorn's) and Flask's
"Exception on <path>" line would otherwise write it down. A filter on those loggers rewrites
``/calendar/<token>.ics`` to ``/calendar/[redacted].ics`` before any handler sees the record.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

# A token-shaped path segment after /calendar/, or any segment there ending in .ics.
_TOKEN_IN_PATH = re.compile(r"(/calendar/)(?:[A-Za-z0-9_%-]{20,}|[^/\s\"'?]+(?=\.ics))")
REDACTED = r"\1[redacted]"
LOGGER_NAMES = ("werkzeug", "gunicorn.access", "gunicorn.error", "flask.app")


def redact(text: str) -> str:
    """*text* with every personal feed token replaced by ``[redacted]``."""
    if "/calendar/" not in text:
        return text
    return _TOKEN_IN_PATH.sub(REDACTED, text)


class TokenRedactingFilter(logging.Filter):
    """Rewrites a record's message when it contains a personal feed path (never drops records)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact *record* in place; always keep it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record is not ours to fix
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


def install_token_redaction(app: Flask) -> None:
    """Add the filter (once) to the access-log loggers and to *app*'s own logger."""
    for name in (*LOGGER_NAMES, app.logger.name):
        logger = logging.getLogger(name)
        if not any(isinstance(existing, TokenRedactingFilter) for existing in logger.filters):
            logger.addFilter(TokenRedactingFilter())
