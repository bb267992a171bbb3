"""X-Forwarded-* headers are trusted only as configured; production cookies are Secure and SameSite."""

from __future__ import annotations

import pytest
from flask import Blueprint, jsonify, request

from roadshow.security import proxy_fix_counts
from tests.conftest import post_form
from tests.security.test_headers import production_app

FORWARDED = {
    "X-Forwarded-For": "198.51.100.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "rs.example.org",
}


def _echo_app(make_app, app, **settings):
    """An app with a route that shows what it believes about the request."""
    echo = Blueprint("echo", __name__)

    @echo.get("/echo")
    def show():
        return jsonify(address=request.remote_addr, scheme=request.scheme, host=request.host)

    application = make_app(app.config["SQLALCHEMY_DATABASE_URI"], SERVER_NAME=None, **settings)
    application.register_blueprint(echo)
    return application


def test_proxy_fix_counts_default_to_off():
    assert proxy_fix_counts({}) == {"x_for": 0, "x_proto": 0, "x_host": 0, "x_port": 0, "x_prefix": 0}


def test_forwarded_headers_are_ignored_by_default(app, make_app):
    client = _echo_app(make_app, app).test_client()
    seen = client.get(
        "/echo", base_url="http://localhost", headers=FORWARDED, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    ).get_json()
    assert seen == {"address": "127.0.0.1", "scheme": "http", "host": "localhost"}


def test_forwarded_headers_are_trusted_as_configured(app, make_app):
    client = _echo_app(
        make_app, app, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1, PROXY_FIX_X_HOST=1
    ).test_client()
    seen = client.get(
        "/echo", base_url="http://localhost", headers=FORWARDED, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    ).get_json()
    assert seen == {"address": "198.51.100.7", "scheme": "https", "host": "rs.example.org"}


def test_forwarded_for_takes_only_the_trusted_number_of_hops(app, make_app):
    client = _echo_app(make_app, app, PROXY_FIX_X_FOR=1).test_client()
    # A client forged the first address; the one proxy appended the real client's.
    headers = {"X-Forwarded-For": "10.0.0.1, 203.0.113.9"}
    assert client.get("/echo", headers=headers).get_json()["address"] == "203.0.113.9"


def _set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


@pytest.mark.parametrize("remember", [False, True])
def test_production_login_cookies_are_secure_httponly_samesite_lax(app, make_app, make_user, remember):
    user = make_user()
    client = production_app(make_app, app).test_client()
    fields = {"email": user.email, "password": "correct horse battery staple"}
    if remember:
        fields["remember"] = "y"
    response = post_form(client, "/login", fields, base_url="https://roadshow.test")
    assert response.status_code == 302
    cookies = _set_cookies(response)
    expected = {"session", "remember_token"} if remember else {"session"}
    assert set(cookies) == expected
    for header in cookies.values():
        attributes = {part.strip().split("=")[0] for part in header.split(";")[1:]}
        assert {"Secure", "HttpOnly", "SameSite"} <= attributes, header
        assert "SameSite=Lax" in header


def test_development_cookies_are_samesite_lax_but_not_secure(client, make_user):
    user = make_user()
    response = post_form(client, "/login", {"email": user.email, "password": "correct horse battery staple"})
    session_cookie = _set_cookies(response)["session"]
    assert "SameSite=Lax" in session_cookie
    assert "HttpOnly" in session_cookie
    assert "Secure" not in session_cookie
