"""Every request has an id: echoed in the response and carried by every log record of the request."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Blueprint, current_app

GENERATED = re.compile(r"[0-9a-f]{32}")


def test_request_id_sane_incoming_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a.17:3"})
    assert response.headers["X-Request-ID"] == "nginx-4f2a.17:3"


def test_request_id_missing_is_generated_and_new_each_time(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert GENERATED.fullmatch(first)
    assert GENERATED.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    "incoming",
    ["", "a" * 129, "has space", 'quote"d', "-leading-dash", "semi;colon", "ünïcode", "new\\nline"],
)
def test_request_id_insane_incoming_is_replaced(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])


def test_request_id_longest_sane_incoming_is_kept(client):
    incoming = "a" * 128
    assert client.get("/healthz", headers={"X-Request-ID": incoming}).headers["X-Request-ID"] == incoming


def test_request_id_on_error_pages(client):
    response = client.get("/no-such-page", headers={"X-Request-ID": "req-404"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "req-404"


def test_request_id_is_on_every_log_record_of_the_request(app, make_app, caplog):
    crashing = Blueprint("crashing", __name__)

    @crashing.get("/crash")
    def crash():
        current_app.logger.info("about to fail")
        raise RuntimeError("boom")

    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], PROPAGATE_EXCEPTIONS=False)
    other.register_blueprint(crashing)
    caplog.set_level(logging.INFO)
    response = other.test_client().get("/crash", headers={"X-Request-ID": "req-crash"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-crash"
    ours = [
        (record.name, record.getMessage(), record.request_id)
        for record in caplog.records
        if record.name.startswith("roadshow")
    ]
    assert ours == [
        ("roadshow", "about to fail", "req-crash"),
        ("roadshow.errors", "unhandled error on GET /crash", "req-crash"),
    ]


def test_log_records_outside_a_request_have_no_request_id(app, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("roadshow.tests").info("outside")
    (record,) = [record for record in caplog.records if record.name == "roadshow.tests"]
    assert (record.request_id, record.request_method, record.request_path) == (None, None, None)
