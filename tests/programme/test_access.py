"""Permissions, route by route: another event's organiser and a company member get 404, an
anonymous visitor is sent to log in; nothing changes."""

from __future__ import annotations

import pytest

from roadshow.enums import SlotState
from tests.conftest import post_form
from tests.programme.helpers import add_slots, db_state, manage, set_slot, utc


@pytest.fixture
def routes(app, world, apply_as):
    """Every organiser route of the pitch programme, with valid-looking input, on a small plan."""
    empty, held = add_slots(app, world.block, [utc(8), utc(8, 15)])
    acme = apply_as(world.event, world.acme)
    nordic = apply_as(world.event, world.nordic)
    set_slot(app, held, application_id=acme.id, state=SlotState.PUBLISHED)
    gets = ["", "board", f"board/slots/{held}", "releases"]
    posts = [
        (f"blocks/{world.block.id}/generate", {}),
        (f"slots/{empty}/shorten", {"end_time": "09:05"}),
        (f"slots/{empty}/split", {"split_time": ""}),
        (f"slots/{empty}/delete", {}),
        ("propose", {"keep_published": "y"}),
        ("apply", {"proposal": "x"}),
        (f"board/slots/{empty}/assign", {"application_id": nordic.id}),
        (f"board/slots/{held}/move", {"target_slot_id": empty, "holder": acme.id}),
        (f"board/slots/{held}/swap", {"other_slot_id": empty, "holder": acme.id}),
        (f"board/slots/{held}/unassign", {"holder": acme.id}),
        (f"board/slots/{held}/lock", {"holder": acme.id}),
        (f"board/slots/{held}/unlock", {"holder": acme.id}),
        ("publish", {}),
    ]
    return gets, posts


@pytest.mark.parametrize("who", ["other_organiser", "anna", "outsider"])
def test_organiser_routes_are_404_for_others(app, client, login, world, routes, who):
    gets, posts = routes
    login(getattr(world, who))
    before = db_state(app)
    for path in gets:
        assert client.get(manage(world, path)).status_code == 404, path
    for path, data in posts:
        assert post_form(client, manage(world, path), data).status_code == 404, path
    assert db_state(app) == before


def test_organiser_routes_send_anonymous_visitors_to_log_in(app, client, world, routes):
    gets, posts = routes
    before = db_state(app)
    for path in gets:
        response = client.get(manage(world, path))
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]
    for path, data in posts:
        response = post_form(client, manage(world, path), data)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]
    assert db_state(app) == before


def test_organiser_of_the_event_reaches_every_page(organiser_client, world, routes):
    gets, _posts = routes
    for path in gets:
        assert organiser_client.get(manage(world, path)).status_code == 200, path


def test_site_admin_may_manage_any_event(client, login, world, routes, make_user):
    admin = make_user("root@example.org", name="Root", is_admin=True)
    login(admin)
    assert client.get(manage(world, "board")).status_code == 200


def test_post_without_csrf_token_changes_nothing(app, organiser_client, world, routes):
    _gets, posts = routes
    before = db_state(app)
    path, data = posts[0]
    response = organiser_client.post(manage(world, path), data=data)
    assert response.status_code == 400
    assert db_state(app) == before


def test_get_on_an_action_is_not_allowed(organiser_client, world, routes):
    _gets, _posts = routes
    assert organiser_client.get(manage(world, "publish")).status_code == 405


def test_ids_too_large_for_the_database_are_404(app, organiser_client, client, login, world, routes):
    huge = 10**15
    before = db_state(app)
    assert organiser_client.get(f"/manage/events/{huge}/pitches/board").status_code == 404
    assert organiser_client.get(manage(world, f"board/slots/{huge}")).status_code == 404
    assert post_form(organiser_client, manage(world, f"blocks/{huge}/generate")).status_code == 404
    response = post_form(
        organiser_client, manage(world, f"board/slots/{world.other_slot.id}/assign"), {"application_id": huge}
    )
    assert response.status_code == 404
    assert post_form(organiser_client, f"/my/slots/{huge}/confirm").status_code == 404
    assert db_state(app) == before
