"""Security headers on every response; HSTS only for HTTPS in production; a view's own headers win."""

from __future__ import annotations

import pytest

from config import ProductionConfig
from roadshow.enums import EventStatus
from roadshow.security import DEFAULT_CONTENT_SECURITY_POLICY

STRONG_SECRET = "k9P2vX7qL4mZ8wR1tY6uB3nC5dF0gH2jS8aE4"
EXPECTED = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def production_app(make_app, app, **overrides):
    """A production-configured app on the suite's database, logging and rate limits left as in tests."""
    settings = {
        "SECRET_KEY": STRONG_SECRET,
        "SERVER_NAME": "roadshow.test",
        "REDIS_URL": None,
        "LOG_FORMAT": "",
        **overrides,
    }
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], ProductionConfig, **settings)


def _security_headers(response) -> dict[str, str]:
    return {name: response.headers.get(name) for name in EXPECTED}


def test_csp_has_no_unsafe_inline_or_eval():
    assert "unsafe-inline" not in DEFAULT_CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in DEFAULT_CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "path", ["/", "/login", "/no-such-page", "/healthz", "/readyz", "/static/css/site.css"]
)
def test_security_headers_on_every_kind_of_response(client, path):
    response = client.get(path)
    assert _security_headers(response) == EXPECTED


def test_security_headers_on_public_event_page_and_its_feed(client, make_event):
    event = make_event(status=EventStatus.PUBLISHED)
    for path in (f"/events/{event.slug}", f"/events/{event.slug}/calendar.ics"):
        response = client.get(path)
        assert response.status_code == 200
        assert _security_headers(response) == EXPECTED


def test_security_headers_on_post_and_redirect(client, make_user, login):
    response = login(make_user())
    assert response.status_code == 302
    assert _security_headers(response) == EXPECTED


def test_personal_feed_keeps_its_own_no_referrer_policy(client):
    response = client.get("/calendar/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics")
    assert response.status_code == 404
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers.get_all("Referrer-Policy") == ["no-referrer"]
    assert response.headers["Content-Security-Policy"] == EXPECTED["Content-Security-Policy"]


def test_csp_can_be_replaced_by_configuration(app, make_app):
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], CONTENT_SECURITY_POLICY="default-src 'none'")
    assert other.test_client().get("/healthz").headers["Content-Security-Policy"] == "default-src 'none'"


def test_hsts_in_production_over_https(app, make_app):
    response = production_app(make_app, app).test_client().get("/healthz", base_url="https://roadshow.test")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_include_subdomains_and_max_age_from_configuration(app, make_app):
    production = production_app(make_app, app, HSTS_MAX_AGE=600, HSTS_INCLUDE_SUBDOMAINS=True)
    response = production.test_client().get("/healthz", base_url="https://roadshow.test")
    assert response.headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"


def test_hsts_absent_over_plain_http_in_production(app, make_app):
    response = production_app(make_app, app).test_client().get("/healthz", base_url="http://roadshow.test")
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_absent_outside_production_even_over_https(client):
    response = client.get("/healthz", base_url="https://roadshow.test")
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_off_with_zero_max_age(app, make_app):
    production = production_app(make_app, app, HSTS_MAX_AGE=0)
    response = production.test_client().get("/healthz", base_url="https://roadshow.test")
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_follows_forwarded_proto_when_proxy_is_trusted(app, make_app):
    production = production_app(make_app, app, PROXY_FIX_X_PROTO=1)
    response = production.test_client().get(
        "/healthz", base_url="http://roadshow.test", headers={"X-Forwarded-Proto": "https"}
    )
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_ignores_forwarded_proto_when_proxy_is_not_trusted(app, make_app):
    response = (
        production_app(make_app, app)
        .test_client()
        .get("/healthz", base_url="http://roadshow.test", headers={"X-Forwarded-Proto": "https"})
    )
    assert "Strict-Transport-Security" not in response.headers
