"""Absolute links come from SERVER_NAME and PREFERRED_URL_SCHEME, never from the request."""

from __future__ import annotations

import logging

from roadshow.links import external_url


def test_external_url_ignores_the_request_host(app):
    with app.test_request_context("/", base_url="http://evil.example:8080"):
        assert external_url("auth.login") == "https://roadshow.test/login"


def test_external_url_fills_variables_query_and_anchor(app):
    with app.app_context():
        url = external_url("auth.reset_password", token="abc.def", lang="zh", _anchor="new password")
    assert url == "https://roadshow.test/reset/abc.def?lang=zh#new%20password"


def test_external_url_follows_configured_scheme_and_port(app, monkeypatch):
    monkeypatch.setitem(app.config, "SERVER_NAME", "summit.example.cn:8443")
    monkeypatch.setitem(app.config, "PREFERRED_URL_SCHEME", "http")
    with app.app_context():
        assert external_url("public.home") == "http://summit.example.cn:8443/"


def test_external_url_without_server_name_falls_back_and_warns(app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    with caplog.at_level(logging.WARNING, logger="roadshow.links"), app.app_context():
        url = external_url("auth.login")
    assert url == "https://localhost:5000/login"
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert "SERVER_NAME is not set" in caplog.records[0].getMessage()
