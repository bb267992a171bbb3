"""Bad requests get a clear page in the site's layout (or JSON), never a 500 or a traceback."""

from __future__ import annotations

from config import TestConfig
from roadshow import create_app


def test_unknown_page_is_404_in_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html
    assert 'class="site-header"' in html


def test_404_as_json_for_json_clients(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json == {
        "error": "Page not found",
        "message": "There is nothing here. The link may be wrong, or the page may have been removed.",
        "status": 404,
    }


def test_wrong_method_is_405_with_allow_header(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Method not allowed" in response.get_data(as_text=True)


def test_oversized_body_is_413(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/language", data=b"x" * (limit + 1), headers={"Content-Type": "application/octet-stream"}
    )
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_nul_byte_in_query_is_400(client):
    response = client.get("/?q=a%00b")
    assert response.status_code == 400


def test_nul_byte_in_form_is_400(client):
    response = client.post("/language", data={"language": "en\x00", "next": "/"})
    assert response.status_code == 400


def test_nul_byte_in_path_is_400_or_404(client):
    response = client.get("/events/a%00b")
    assert response.status_code in (400, 404)
    assert response.status_code < 500


def test_missing_csrf_is_400_with_explanation(client):
    response = client.post("/language", data={"language": "en"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


def test_unexpected_error_is_500_page_without_traceback(app):
    fresh = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        INSTANCE_PATH=app.config["INSTANCE_PATH"],
        TESTING=False,
    )

    @fresh.get("/__boom")
    def boom():  # pragma: no cover - exercised through the client
        raise RuntimeError("secret internals")

    response = fresh.test_client().get("/__boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html
    assert "secret internals" not in html
    assert "Traceback" not in html


def test_id_beyond_database_integer_range_is_404(client):
    response = client.get("/manage/events/99999999999999")
    assert response.status_code == 404
