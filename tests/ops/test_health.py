"""/healthz answers while the process runs; /readyz only while the database (and Redis) answer."""

from __future__ import annotations

from pathlib import Path

UNREACHABLE_POSTGRESQL = "postgresql+psycopg://roadshow@127.0.0.1:1/roadshow"


def test_healthz_is_200_ok_and_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data() == b"ok\n"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_with_unreachable_database_is_still_200(make_app):
    response = make_app(UNREACHABLE_POSTGRESQL).test_client().get("/healthz")
    assert (response.status_code, response.get_data()) == (200, b"ok\n")


def test_readyz_with_reachable_database_is_200_ready(app, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}


def test_readyz_with_unreachable_postgresql_is_503_with_reason(make_app):
    response = make_app(UNREACHABLE_POSTGRESQL, REDIS_URL=None).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "reason": "database unreachable (OperationalError)",
        "checks": {"database": "unreachable (OperationalError)"},
    }


def test_readyz_with_unopenable_sqlite_file_is_503(make_app, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'roadshow.sqlite3'}"
    response = make_app(url, REDIS_URL=None).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "unreachable (OperationalError)"}


def test_readyz_with_unreachable_redis_is_503_naming_redis(app, make_app):
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL="redis://127.0.0.1:1/0")
    response = other.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "reason": "redis unreachable (ConnectionError)",
        "checks": {"redis": "unreachable (ConnectionError)"},
    }


def test_readyz_failure_is_logged_as_a_warning(make_app, caplog):
    make_app(UNREACHABLE_POSTGRESQL, REDIS_URL=None).test_client().get("/readyz")
    warnings = [record.getMessage() for record in caplog.records if record.name == "roadshow.ops"]
    assert warnings == ["not ready: database unreachable (OperationalError)"]
