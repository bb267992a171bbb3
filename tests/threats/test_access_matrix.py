"""The access matrix: every route × every role gets the status in tests/threats/routes_table.py, and a
refused POST (or any GET) changes nothing in the database. Ids of another event's (or company's)
objects in paths and form fields give 404 and change nothing.

A route added to the application without an entry in the table fails
``test_every_route_of_the_application_is_in_the_matrix``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import post_form
from tests.threats.routes_table import ROUTES, form_data, refused
from tests.threats.world import ROLES, World, checksum, differences, row_counts, signed_in_client, snapshot

ANONYMOUS_LOGIN_REDIRECT = "/login"


def _rules(app) -> dict[str, set[str]]:
    """Endpoint → the methods its rule accepts (HEAD and OPTIONS left out)."""
    rules: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        assert rule.endpoint not in rules, f"two rules share the endpoint {rule.endpoint}"
        rules[rule.endpoint] = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
    return rules


def test_every_route_of_the_application_is_in_the_matrix(app):
    rules = _rules(app)
    assert sorted(set(rules) - set(ROUTES)) == [], "routes missing from tests/threats/routes_table.py"
    assert sorted(set(ROUTES) - set(rules)) == [], "routes in the table that the application lacks"
    for endpoint, methods in rules.items():
        route = ROUTES[endpoint]
        assert ("GET" in methods) == (route.get is not None), endpoint
        assert ("POST" in methods) == (route.post is not None), endpoint
        assert methods <= {"GET", "POST"}, f"{endpoint} accepts {methods}: add them to the matrix"


def test_every_role_is_accounted_for_in_every_row():
    for endpoint, route in ROUTES.items():
        if route.get is not None:
            assert set(route.get) == set(ROLES), endpoint
        if route.post is not None:
            assert set(route.post.allowed) | set(route.post.refused) == set(ROLES), endpoint
            assert not set(route.post.allowed) & set(route.post.refused), endpoint


def _is_login_redirect(response) -> bool:
    return urlsplit(response.headers.get("Location", "")).path == ANONYMOUS_LOGIN_REDIRECT


def _request(client, method: str, path: str, data: dict[str, Any] | None = None, multipart: bool = False):
    if method == "GET":
        return client.get(path)
    kwargs = {"content_type": "multipart/form-data"} if multipart else {}
    return post_form(client, path, data or {}, **kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_for_role(app, world: World, role: str):
    """GET every route, and make every POST this role may not make: exact statuses, no change."""
    client = signed_in_client(app, world.user(role))
    before = snapshot(app)
    wrong: list[str] = []
    changed: list[str] = []
    for endpoint, route in ROUTES.items():
        checks: list[tuple[str, int, dict[str, Any] | None, bool]] = []
        if route.get is not None:
            checks.append(("GET", route.get[role], None, False))
        if route.post is not None and role in route.post.refused:
            checks.append(("POST", route.post.refused[role], form_data(route, world), route.post.multipart))
        for method, expected, data, multipart in checks:
            path = route.path(world)
            response = _request(client, method, path, data, multipart)
            if response.status_code != expected:
                wrong.append(
                    f"{method} {path} ({endpoint}) as {role}: {response.status_code}, expected {expected}"
                )
            elif method == "GET" and route.location is not None:
                if response.headers.get("Location") != route.location:
                    wrong.append(f"GET {path} as {role}: redirected to {response.headers.get('Location')}")
            elif role == "anonymous" and expected == 302 and not _is_login_redirect(response):
                wrong.append(f"{method} {path} as anonymous: redirected to {response.headers['Location']}")
            after = snapshot(app)
            if after != before:
                changed.append(f"{method} {path} as {role}: {differences(before, after)}")
                before = after
    assert wrong == []
    assert changed == []


# --- Another event's (or company's) ids ----------------------------------------------------------------

# (role, method, path, form) — every one is answered 404 and changes nothing.
CROSS_OBJECT_REQUESTS: list[tuple[str, str, Any, Any]] = [
    # Organiser A, in event A's pages, naming event B's sessions, slots, applications, organisers.
    ("organiser_a", "GET", lambda w: f"/manage/events/{w.event_a.id}/sessions/{w.session_b.id}/edit", None),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/sessions/{w.session_b.id}/edit",
        lambda w: {
            "kind": "keynote",
            "title": "Hijacked",
            "day": "2030-06-10",
            "start_time": "08:00",
            "end_time": "09:00",
        },
    ),
    ("organiser_a", "GET", lambda w: f"/manage/events/{w.event_a.id}/sessions/{w.session_b.id}/move", None),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/sessions/{w.session_b.id}/move",
        lambda w: {"day": "2030-06-11", "start_time": "07:00"},
    ),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/sessions/{w.session_b.id}/cancel",
        None,
    ),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/sessions/{w.session_b.id}/delete",
        None,
    ),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/organisers/{w.users['organiser_b'].id}/remove",
        None,
    ),
    ("organiser_a", "GET", lambda w: f"/manage/events/{w.event_a.id}/applications/{w.app_b.id}", None),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/applications/{w.app_b.id}/decide",
        lambda w: {"decision": "rejected"},
    ),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/pitches/blocks/{w.block_b.id}/generate",
        None,
    ),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/pitches/slots/{w.slot_b_empty}/shorten",
        lambda w: {"end_time": "10:20"},
    ),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/pitches/slots/{w.slot_b_empty}/split",
        lambda w: {"split_time": ""},
    ),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/pitches/slots/{w.slot_b_empty}/delete",
        None,
    ),
    ("organiser_a", "GET", lambda w: f"/manage/events/{w.event_a.id}/pitches/board/slots/{w.slot_b}", None),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/pitches/board/slots/{w.slot_b}/unassign",
        lambda w: {"holder": str(w.app_b.id)},
    ),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/pitches/board/slots/{w.slot_b}/lock",
        lambda w: {"holder": str(w.app_b.id)},
    ),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/pitches/board/slots/{w.slot_b_empty}/assign",
        lambda w: {"application_id": str(w.app_c.id)},
    ),
    # … and in form fields: event B's application, event B's slots as targets.
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/pitches/board/slots/{w.slot_a_empty}/assign",
        lambda w: {"application_id": str(w.app_b.id), "confirm": "y"},
    ),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/pitches/board/slots/{w.slot_a_d}/move",
        lambda w: {"target_slot_id": str(w.slot_b_empty), "holder": str(w.app_d.id), "confirm": "y"},
    ),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/pitches/board/slots/{w.slot_a_d}/swap",
        lambda w: {
            "other_slot_id": str(w.slot_b),
            "holder": str(w.app_d.id),
            "other_holder": str(w.app_b.id),
            "confirm": "y",
        },
    ),
    # Organiser B naming event A's objects under event B's own pages.
    (
        "organiser_b",
        "POST",
        lambda w: f"/manage/events/{w.event_b.id}/pitches/board/slots/{w.slot_b_empty}/assign",
        lambda w: {"application_id": str(w.app_c.id), "confirm": "y"},
    ),
    ("organiser_b", "GET", lambda w: f"/manage/events/{w.event_b.id}/applications/{w.app_a.id}", None),
    # The attendee's own registration at event A, naming event B's session and slot.
    (
        "attendee",
        "POST",
        lambda w: f"/registrations/{w.registration_a}/sessions/{w.session_b.id}/star",
        lambda w: {"starred": "1"},
    ),
    (
        "attendee",
        "POST",
        lambda w: f"/registrations/{w.registration_a}/slots/{w.slot_b}/star",
        lambda w: {"starred": "1"},
    ),
    ("attendee", "POST", lambda w: f"/registrations/{w.registration_b}/cancel", None),
    # Company A's member, naming company B's slot, members and application.
    ("member_a", "POST", lambda w: f"/my/slots/{w.slot_b}/confirm", None),
    ("member_a", "POST", lambda w: f"/my/slots/{w.slot_b}/decline", lambda w: {"confirm": "y"}),
    ("member_a", "POST", lambda w: f"/organisations/{w.org_a.id}/members/{w.membership_bert}/remove", None),
    ("member_a", "POST", lambda w: f"/organisations/{w.org_a.id}/members/{w.membership_bert}/promote", None),
    ("member_a", "POST", lambda w: f"/organisations/{w.org_a.id}/requests/{w.membership_bert}/approve", None),
    ("member_a", "GET", lambda w: f"/applications/{w.app_b.id}/edit", None),
    ("member_a", "GET", lambda w: f"/applications/{w.app_b.id}/deck", None),
    # Event A's calendar downloads naming event B's session and slot.
    ("anonymous", "GET", lambda w: f"/events/event-a/sessions/{w.session_b.id}.ics", None),
    ("anonymous", "GET", lambda w: f"/events/event-a/slots/{w.slot_b}.ics", None),
    # Ids beyond what a database integer holds, and drafts, are the same plain 404.
    ("organiser_a", "GET", lambda w: f"/manage/events/{w.event_a.id}/sessions/{2**31}/edit", None),
    (
        "organiser_a",
        "POST",
        lambda w: f"/manage/events/{w.event_a.id}/pitches/board/slots/{w.slot_a_empty}/assign",
        lambda w: {"application_id": str(2**40)},
    ),
    ("attendee", "GET", lambda w: "/events/draft-a", None),
    ("organiser_b", "GET", lambda w: "/events/draft-a/register", None),
]


def test_cross_object_requests_table_names_every_kind_of_foreign_id():
    # A sanity check of the table itself: organiser, attendee, company and public paths are covered.
    roles = {role for role, *_ in CROSS_OBJECT_REQUESTS}
    assert roles == {"organiser_a", "organiser_b", "attendee", "member_a", "anonymous"}


def test_ids_of_another_events_objects_give_404_and_change_nothing(app, world: World):
    clients = {
        role: signed_in_client(app, world.user(role)) for role in {r for r, *_ in CROSS_OBJECT_REQUESTS}
    }
    before = snapshot(app)
    counts, digest = row_counts(before), checksum(before)
    wrong = []
    for role, method, path, data in CROSS_OBJECT_REQUESTS:
        url = path(world)
        response = _request(clients[role], method, url, data(world) if data else None)
        if response.status_code != 404:
            wrong.append(f"{method} {url} as {role}: {response.status_code}")
    after = snapshot(app)
    assert wrong == []
    assert row_counts(after) == counts
    assert checksum(after) == digest, differences(before, after)


def test_bulk_decision_naming_another_events_application_changes_nothing(app, world: World):
    """The one form naming many ids at once refuses the whole request with a message (no 404: the
    page is the organiser's own), whether the foreign id exists or not."""
    client = signed_in_client(app, world.user("organiser_a"))
    before = snapshot(app)
    url = f"/manage/events/{world.event_a.id}/applications/bulk"
    texts = []
    for foreign in (world.app_b.id, 2**31 - 2):
        data = {"application_ids": [str(world.app_s.id), str(foreign)], "decision": "rejected"}
        response = post_form(client, url, data)
        assert response.status_code == 302
        texts.append(client.get(response.headers["Location"]).get_data(as_text=True))
    assert snapshot(app) == before
    message = "Some selected applications are not applications to this event; nothing was changed."
    assert [message in text for text in texts] == [True, True]


def test_refusal_statuses_are_the_documented_ones():
    # 404 where ids must reveal nothing, 403 only for pages whose existence is public knowledge.
    assert refused(("organiser_a",)) == {
        "anonymous": 302,
        "attendee": 404,
        "member_a": 404,
        "member_b": 404,
        "organiser_b": 404,
        "admin": 404,
    }
