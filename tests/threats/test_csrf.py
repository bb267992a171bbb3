"""CSRF: every state-changing route, log-in included, refuses a request without a valid token (400)
and changes nothing; the same request with the token goes through (the control run proves that the
form was valid and that the token was the only thing missing).

That GET never changes anything is checked by tests/threats/test_access_matrix.py: it snapshots the
whole database after every GET of every route as every role.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import csrf_token, post_form
from tests.threats.routes_table import ROUTES, form_data
from tests.threats.world import World, differences, signed_in_client, snapshot

POST_ENDPOINTS = sorted(endpoint for endpoint, route in ROUTES.items() if route.post is not None)
SAME_SITE = {"Referer": "https://roadshow.test/"}


def test_every_post_rule_of_the_application_is_listed(app):
    posts = sorted(rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ()))
    assert posts == POST_ENDPOINTS


def _send(client, path: str, data: dict[str, Any], multipart: bool, headers: dict[str, str]):
    kwargs: dict[str, Any] = {"content_type": "multipart/form-data"} if multipart else {}
    return client.post(path, data=data, headers=headers, **kwargs)


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_post_without_csrf_token_is_refused_and_changes_nothing(app, world: World, endpoint: str):
    route = ROUTES[endpoint]
    role = route.post.allowed[0]
    client = signed_in_client(app, world.user(role))
    path = route.path(world)
    before = snapshot(app)
    response = _send(client, path, form_data(route, world), route.post.multipart, SAME_SITE)
    assert response.status_code == 400
    assert "lacked its security token" in response.get_data(as_text=True)
    assert snapshot(app) == before
    # Control: the very same form with the token is accepted.
    control = post_form(
        client,
        path,
        form_data(route, world),
        **({"content_type": "multipart/form-data"} if route.post.multipart else {}),
    )
    assert control.status_code in {200, 204, 302}, control.get_data(as_text=True)[:400]
    if route.post.changes:
        after = snapshot(app)
        assert after != before, f"{endpoint}: the control run changed nothing"
    else:
        assert snapshot(app) == before, differences(before, snapshot(app))


def test_token_of_another_session_is_refused(app, world: World):
    victim = signed_in_client(app, world.user("organiser_a"))
    attacker = app.test_client()
    stolen = csrf_token(attacker)  # the attacker's own token, planted in a forged form
    before = snapshot(app)
    response = victim.post(
        f"/manage/events/{world.event_a.id}/cancel", data={"csrf_token": stolen}, headers=SAME_SITE
    )
    assert response.status_code == 400
    assert snapshot(app) == before


def test_cross_site_referer_is_refused_even_with_a_valid_token(app, world: World):
    client = signed_in_client(app, world.user("organiser_a"))
    token = csrf_token(client)
    before = snapshot(app)
    response = client.post(
        f"/manage/events/{world.event_a.id}/cancel",
        data={"csrf_token": token},
        headers={"Referer": "https://evil.example/forged.html"},
    )
    assert response.status_code == 400
    assert snapshot(app) == before


def test_login_form_without_token_does_not_log_in(app, world: World):
    """Login CSRF: a forged log-in form would sign the victim into the attacker's account."""
    client = app.test_client()
    data = {"email": world.users["member_b"].email, "password": "correct horse battery staple"}
    response = client.post("/login", data=data, headers=SAME_SITE)
    assert response.status_code == 400
    assert client.get("/account").status_code == 302  # still anonymous
