"""NUL bytes anywhere in a request (path, query, form fields and their names, JSON, uploaded file
names, headers, cookies) are answered 400 or ignored, never a 500, and nothing is written.

PostgreSQL refuses NUL in text, so a NUL that reached a query would be a 500 there: these tests
matter most on PostgreSQL, and are run on both.
"""

from __future__ import annotations

import io
import json

import pytest

from tests.conftest import csrf_token, post_form
from tests.threats.routes_table import application_form
from tests.threats.world import PDF, PNG, World, signed_in_client, snapshot

NUL = "\x00"
SAME_SITE = {"Referer": "https://roadshow.test/"}


NUL_PATHS = [
    "/events/event%00-a",
    "/events/event-a%00",
    "/organisations/%00",
    "/calendar/%00.ics",
    "/reset/abc%00def",
    "/manage/invitations/%00",
    "/static/css/site.css%00.js",
    "/?q=%00",
    "/events/event-a?tz=Europe/Brussels%00",
    "/my/agenda/grid?day=2030-06-10%00",
    "/manage/planner/?date=2030-06-10%00",
    "/login?next=/%00",
    "/?%00=1",
]


def test_nul_in_path_or_query_is_400(app, world: World):
    client = signed_in_client(app, world.user("organiser_a"))
    assert {path: client.get(path).status_code for path in NUL_PATHS} == dict.fromkeys(NUL_PATHS, 400)


FORM_POSTS = [
    ("anonymous", "/login", lambda w: {"email": f"attendee@example.org{NUL}", "password": "x"}),
    ("anonymous", "/login", lambda w: {"email": "attendee@example.org", f"pass{NUL}word": "x"}),
    (
        "anonymous",
        "/signup",
        lambda w: {"email": "n@example.org", "name": f"N{NUL}", "password": "p", "confirm": "p"},
    ),
    ("attendee", "/account", lambda w: {"name": f"Ada{NUL}", "locale": "en", "timezone": "UTC"}),
    ("attendee", "/timezone", lambda w: {"timezone": f"Europe/Berlin{NUL}"}),
    ("attendee", "/language", lambda w: {"language": "en", "next": f"/{NUL}"}),
    (
        "organiser_a",
        lambda w: f"/manage/events/{w.event_a.id}/sessions/new",
        lambda w: {
            "kind": "keynote",
            "title": f"T{NUL}",
            "day": "2030-06-10",
            "start_time": "07:00",
            "end_time": "07:30",
        },
    ),
    (
        "organiser_a",
        lambda w: f"/manage/events/{w.event_a.id}/organisers",
        lambda w: {"email": f"x{NUL}@example.org"},
    ),
    (
        "organiser_a",
        lambda w: f"/manage/events/{w.event_a.id}/applications/{w.app_s.id}/decide",
        lambda w: {"decision": "accepted", "note": f"n{NUL}"},
    ),
    (
        "organiser_a",
        lambda w: f"/manage/events/{w.event_a.id}/pitches/board/slots/{w.slot_a_empty}/assign",
        lambda w: {"application_id": f"{w.app_c.id}{NUL}"},
    ),
    (
        "member_a",
        lambda w: f"/organisations/{w.org_a.id}/edit",
        lambda w: {"name": f"Acme{NUL}", "country": "DE"},
    ),
    ("member_b", "/applications/new?event=event-a", lambda w: application_form(w, summary=f"s{NUL}")),
    ("organiser_a", "/organisations/sectors", lambda w: {"name": f"Space{NUL}"}),
]


def test_nul_in_form_fields_is_400_and_changes_nothing(app, world: World):
    clients = {role: signed_in_client(app, world.user(role)) for role in {r for r, _, _ in FORM_POSTS}}
    before = snapshot(app)
    statuses = []
    for role, path, data in FORM_POSTS:
        url = path(world) if callable(path) else path
        statuses.append((url, post_form(clients[role], url, data(world)).status_code))
    assert [(url, status) for url, status in statuses if status != 400] == []
    assert snapshot(app) == before


def _multipart(client, url: str, fields: dict) -> int:
    fields = {**fields, "csrf_token": csrf_token(client)}
    return client.post(url, data=fields, headers=SAME_SITE, content_type="multipart/form-data").status_code


@pytest.mark.parametrize(
    ("role", "path", "fields"),
    [
        (
            "member_a",
            lambda w: f"/applications/{w.app_a.id}/edit",
            lambda w: {**application_form(w, organisation=None), "deck": (io.BytesIO(PDF), f"deck{NUL}.pdf")},
        ),
        (
            "member_b",
            lambda w: "/applications/new?event=event-a",
            lambda w: {**application_form(w), "deck": (io.BytesIO(PDF), f"{NUL}.pdf")},
        ),
        (
            "member_a",
            lambda w: f"/organisations/{w.org_a.id}/edit",
            lambda w: {"name": "Acme GmbH", "country": "DE", "logo": (io.BytesIO(PNG), f"logo{NUL}.png")},
        ),
        (
            "organiser_a",
            lambda w: "/organisations/import",
            lambda w: {"file": (io.BytesIO(b"name,country\nX,DE\n"), f"list{NUL}.csv")},
        ),
    ],
)
def test_nul_in_uploaded_file_names_is_400_and_changes_nothing(app, world: World, role, path, fields):
    client = signed_in_client(app, world.user(role))
    before = snapshot(app)
    assert _multipart(client, path(world), fields(world)) == 400
    assert snapshot(app) == before


def test_nul_in_json_body_is_never_a_500(app, world: World):
    client = signed_in_client(app, world.user("attendee"))
    token = csrf_token(client)
    before = snapshot(app)
    body = json.dumps({"timezone": f"Europe/Berlin{NUL}", "csrf_token": token})
    response = client.post(
        "/timezone",
        data=body,
        content_type="application/json",
        headers={**SAME_SITE, "X-CSRFToken": token, "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert snapshot(app) == before


NUL_HEADERS = [
    {"Accept-Language": f"zh{NUL}"},
    {"User-Agent": f"curl{NUL}"},
    {"X-Forwarded-For": f"1.2.3.4{NUL}"},
    {"X-Request-ID": f"abc{NUL}"},
    {"If-None-Match": f'"etag{NUL}"'},
    {"Referer": f"https://roadshow.test/{NUL}"},
    {"Cookie": f"session={NUL}; tz=Europe/Berlin{NUL}; lang=zh{NUL}"},
]


def test_nul_in_headers_and_cookies_is_never_a_500(app, world: World):
    statuses = {
        (path, repr(headers)): app.test_client().get(path, headers=headers).status_code
        for headers in NUL_HEADERS
        for path in ("/", "/events/event-a", "/events/event-a/calendar.ics", "/account")
    }
    assert {key: status for key, status in statuses.items() if status not in {200, 302, 304, 400}} == {}


def test_nul_in_a_header_of_a_post_is_never_a_500_and_changes_nothing(app, world: World):
    client = signed_in_client(app, world.user("attendee"))
    before = snapshot(app)
    response = post_form(
        client,
        "/account",
        {"name": "Ada", "locale": "en", "timezone": "UTC"},
        headers={"Referer": f"https://x/{NUL}"},
    )
    assert response.status_code == 400
    assert snapshot(app) == before
