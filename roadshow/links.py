"""Absolute links for e-mails, calendars and feeds, built from configuration, never from the request.

A link sent by e-mail must point at the real site whatever Host header the request that caused the
e-mail carried (a forged Host would otherwise put an attacker's domain in a password-reset link).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from flask import current_app

log = logging.getLogger(__name__)

FALLBACK_SERVER_NAME = "localhost:5000"


def configured_server_name() -> str:
    """``SERVER_NAME`` from the configuration, or ``localhost:5000`` (logged) when it is unset."""
    server_name = current_app.config.get("SERVER_NAME")
    if not server_name:
        log.warning(
            "SERVER_NAME is not set; absolute links use %s. Set SERVER_NAME to the site's public host.",
            FALLBACK_SERVER_NAME,
        )
        return FALLBACK_SERVER_NAME
    return server_name


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of *endpoint* (a full name such as ``"auth.reset_password"``).

    The host is ``SERVER_NAME`` and the scheme ``PREFERRED_URL_SCHEME``; the request, if any, is
    ignored. ``_anchor`` adds a fragment; other values fill the rule's variables or the query string.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    anchor = values.pop("_anchor", None)
    scheme = app.config.get("PREFERRED_URL_SCHEME") or "http"
    app.inject_url_defaults(endpoint, values)
    adapter = app.url_map.bind(
        configured_server_name(),
        script_name=app.config.get("APPLICATION_ROOT") or "/",
        url_scheme=scheme,
    )
    url = adapter.build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + quote(str(anchor), safe="%!#$&'()*+,/:;=?@")
    return url
