"""Helpers for the account tests: reading cookies, finding the reset link in the outbox."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from roadshow.models import OutboxMessage, User
from tests.conftest import fetch

SITE_HOST = "roadshow.test"  # TestConfig.SERVER_NAME: the test client's default host
RESET_LINK_RE = re.compile(r"https?://\S+/reset/\S+")


def cookie_value(client: FlaskClient, name: str, domain: str = SITE_HOST) -> str | None:
    """The value of cookie *name* the client holds for *domain*, or None."""
    cookie = client.get_cookie(name, domain=domain)
    return cookie.value if cookie is not None else None


def is_logged_in(client: FlaskClient) -> bool:
    """True when the client's cookies sign someone in (the account page answers instead of redirecting)."""
    response = client.get("/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def reload_user(app: Flask, user_id: int) -> User:
    """A fresh, detached copy of the user row."""
    return fetch(app, sa.select(User).where(User.id == user_id))[0]


def outbox(app: Flask) -> list[OutboxMessage]:
    """Every queued message, oldest first."""
    return fetch(app, sa.select(OutboxMessage).order_by(OutboxMessage.id))


def reset_link(message: OutboxMessage) -> str:
    """The single password-reset link in a message's text, checked to be the same in its HTML."""
    links = RESET_LINK_RE.findall(message.body_text)
    assert len(links) == 1, message.body_text
    assert message.body_html is not None and message.body_html.count(f'href="{links[0]}"') == 1
    return links[0]


@pytest.fixture
def client_from(app: Flask) -> Callable[..., FlaskClient]:
    """``client_from(cookies)``: a new browser holding only the given cookies (as if copied)."""

    def factory(cookies: dict[str, str]) -> FlaskClient:
        other = app.test_client()
        for name, value in cookies.items():
            other.set_cookie(name, value, domain=SITE_HOST)
        return other

    return factory
