"""The access matrix: every route of the application × every role, with the status each role gets.

``ROUTES`` has one entry per endpoint of ``app.url_map`` (tests/threats/test_access_matrix.py fails
when a route is missing here, or listed here but gone). Each entry gives the URL built from the
world, the status of a GET for each role, and for state-changing routes a POST: the roles allowed to
make it (the first one is used by the CSRF tests and their control run), a valid form for it, and
the status every other role gets, with nothing changed in the database.

Statuses: 302 for anonymous on a page that needs a log-in (to /login), 404 when the user may not
know the object exists (another event's or company's ids), 403 when the page is public knowledge
but the action is not theirs (creating events, importing, someone else's invitation).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import TEST_PASSWORD
from tests.threats.world import IMPORT_CSV, ROLES, SIGNED_IN, World

NEW_PASSWORD = "purple elephants juggle quietly 42"

Statuses = dict[str, int]


def everyone(status: int = 200) -> Statuses:
    """The same status for every role, anonymous included."""
    return dict.fromkeys(ROLES, status)


def signed_in(status: int = 200) -> Statuses:
    """*status* for every signed-in role; anonymous is sent to the log-in page."""
    return {"anonymous": 302, **dict.fromkeys(SIGNED_IN, status)}


def only(*allowed: str, ok: int = 200, others: int = 404) -> Statuses:
    """*ok* for the *allowed* roles, *others* for the rest; anonymous is sent to the log-in page."""
    return {"anonymous": 302, **{role: ok if role in allowed else others for role in SIGNED_IN}}


def refused(allowed: tuple[str, ...], others: int = 404, **special: int) -> Statuses:
    """The statuses of the roles not in *allowed*: 302 for anonymous, *others* (or *special*) otherwise."""
    result = {"anonymous": 302, **{role: others for role in SIGNED_IN if role not in allowed}}
    result.update(special)
    for role in allowed:
        result.pop(role, None)
    return result


MANAGERS_A = ("organiser_a", "admin")
CREATORS = ("organiser_a", "organiser_b", "admin")


@dataclass(frozen=True)
class Post:
    """A state-changing request: who may make it, a valid form, and what everyone else gets."""

    allowed: tuple[str, ...]
    data: Callable[[World], dict[str, Any]]
    refused: Statuses
    changes: bool = True  # the first allowed role's valid POST changes the database
    multipart: bool = False


@dataclass(frozen=True)
class Route:
    """One endpoint: its URL in the world, GET statuses by role, and its POST (if it has one)."""

    path: Callable[[World], str]
    get: Statuses | None = None
    post: Post | None = None
    location: str | None = None  # where its GET redirects every role (else 302 means: to log in)


def _none(world: World) -> dict[str, Any]:
    return {}


def _manage(world: World, rest: str = "") -> str:
    return f"/manage/events/{world.event_a.id}{rest}"


def _pitches(world: World, rest: str = "") -> str:
    return f"/manage/events/{world.event_a.id}/pitches{rest}"


def _event_form(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "kind": "roadshow",
        "title": "Roadshow A",
        "title_zh": "",
        "description": "Pitches from European and Chinese companies.",
        "description_zh": "",
        "slug": "event-a",
        "timezone": "Europe/Brussels",
        "start_date": "2030-06-10",
        "end_date": "2030-06-11",
        "join_url": "",
        "contact_email": "",
        "capacity": "",
        "deadline_date": "",
        "deadline_time": "",
    }
    data.update(changes)
    return data


def _session_form(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "kind": "keynote",
        "title": "Opening A",
        "title_zh": "",
        "description": "",
        "description_zh": "",
        "day": "2030-06-10",
        "start_time": "08:00",
        "end_time": "09:00",
        "track": "Main",
        "join_url": "",
        "capacity": "",
        "slot_minutes": "",
        "changeover_minutes": "",
    }
    data.update(changes)
    return data


def _organisation_form(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "name": "Acme GmbH",
        "name_zh": "",
        "country": "DE",
        "city": "Berlin",
        "website": "https://acme.example",
        "description": "Rehabilitation robots.",
        "description_zh": "",
    }
    data.update(changes)
    return data


def application_form(world: World, **changes: Any) -> dict[str, Any]:
    """A valid pitch application (company B applying to event A unless *changes* say otherwise)."""
    data = {
        "organisation": str(world.org_b.id),
        "title": "Beta arm for A",
        "title_zh": "",
        "summary": "A robotic arm for precise assembly.",
        "summary_zh": "",
        "sector": "",
        "stage": "prototype",
        "seeking": ["technology_transfer"],
        "investment_amount": "",
        "investment_currency": "",
        "timezone": "Europe/Berlin",
        "windows-0-day": "2030-06-10",
        "windows-0-start_time": "09:00",
        "windows-0-end_time": "12:00",
    }
    data.update(changes)
    return data


def _password_change(world: World) -> dict[str, Any]:
    return {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}


ROUTES: dict[str, Route] = {
    # --- Public pages, health, static ------------------------------------------------------------
    "public.home": Route(lambda w: "/", get=everyone()),
    "public.event_page": Route(lambda w: "/events/event-a", get=everyone()),
    # A visitor's language link: only their own cookie changes, so every role gets the redirect.
    "public.choose_language": Route(lambda w: "/language/zh?next=/", get=everyone(302), location="/"),
    "public.set_language": Route(
        lambda w: "/language",
        post=Post(("attendee", *ROLES), lambda w: {"language": "zh", "next": "/"}, {}),
    ),
    "static": Route(lambda w: "/static/css/site.css", get=everyone()),
    "ops.healthz": Route(lambda w: "/healthz", get=everyone()),
    "ops.readyz": Route(lambda w: "/readyz", get=everyone()),
    # --- Accounts --------------------------------------------------------------------------------
    "auth.login": Route(
        lambda w: "/login",
        get={"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)},
        post=Post(ROLES, lambda w: {"email": w.users["attendee"].email, "password": TEST_PASSWORD}, {}),
    ),
    "auth.signup": Route(
        lambda w: "/signup",
        get={"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)},
        post=Post(
            ("anonymous",),
            lambda w: {
                "email": "newcomer@example.org",
                "name": "New Comer",
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
                "locale": "en",
                "timezone": "Europe/Berlin",
            },
            # Signed-in users are sent to their profile; nobody is created.
            dict.fromkeys(SIGNED_IN, 302),
        ),
    ),
    "auth.logout": Route(lambda w: "/logout", post=Post(("attendee", *ROLES), _none, {})),
    "auth.reset_request": Route(
        lambda w: "/reset",
        get=everyone(),
        post=Post(ROLES, lambda w: {"email": w.users["attendee"].email}, {}),
    ),
    "auth.reset_password": Route(
        lambda w: f"/reset/{w.reset_token}",
        get=everyone(),  # the link is the credential
        post=Post(ROLES, lambda w: {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, {}),
    ),
    "auth.profile": Route(
        lambda w: "/account",
        get=signed_in(),
        post=Post(
            ("attendee", *SIGNED_IN),
            lambda w: {"name": "Ada Renamed", "locale": "en", "timezone": "Asia/Shanghai"},
            {"anonymous": 302},
        ),
    ),
    "auth.change_password": Route(
        lambda w: "/account/password",
        post=Post(("attendee", *SIGNED_IN), _password_change, {"anonymous": 302}),
    ),
    "auth.logout_everywhere": Route(
        lambda w: "/account/logout-everywhere",
        post=Post(("attendee", *SIGNED_IN), _none, {"anonymous": 302}),
    ),
    # --- Account data (export, deletion) ----------------------------------------------------------
    "account.index": Route(lambda w: "/account/data/", get=signed_in()),
    "account.export": Route(lambda w: "/account/data/export.json", get=signed_in()),
    "account.delete": Route(
        lambda w: "/account/data/delete",
        post=Post(
            ("attendee", *SIGNED_IN),
            lambda w: {"password": TEST_PASSWORD, "confirm": "y"},
            {"anonymous": 302},
        ),
    ),
    # --- Calendars --------------------------------------------------------------------------------
    "feeds.subscriptions": Route(lambda w: "/account/calendar", get=signed_in()),
    "feeds.new_personal_feed": Route(
        lambda w: "/account/calendar/new",
        post=Post(("attendee", *SIGNED_IN), _none, {"anonymous": 302}),
    ),
    "feeds.stop_personal_feed": Route(
        lambda w: "/account/calendar/stop",
        post=Post(("attendee", *SIGNED_IN), _none, {"anonymous": 302}),
    ),
    "feeds.personal_feed": Route(lambda w: f"/calendar/{w.calendar_token}.ics", get=everyone()),
    "feeds.event_feed": Route(lambda w: "/events/event-a/calendar.ics", get=everyone()),
    "feeds.session_download": Route(
        lambda w: f"/events/event-a/sessions/{w.session_a.id}.ics", get=everyone()
    ),
    "feeds.slot_download": Route(lambda w: f"/events/event-a/slots/{w.slot_a}.ics", get=everyone()),
    "feeds.subscribe": Route(lambda w: "/events/event-a/subscribe", get=everyone()),
    # --- Attendees --------------------------------------------------------------------------------
    "attendees.register": Route(lambda w: "/events/event-a/register", get=signed_in()),
    "attendees.register_post": Route(
        lambda w: "/events/event-a/register",
        post=Post(("member_b", *SIGNED_IN), lambda w: {"role": "investor"}, {"anonymous": 302}),
    ),
    "attendees.cancel": Route(
        lambda w: f"/registrations/{w.registration_a}/cancel",
        post=Post(("attendee",), _none, refused(("attendee",))),
    ),
    "attendees.star_session": Route(
        lambda w: f"/registrations/{w.registration_a}/sessions/{w.session_a.id}/star",
        post=Post(("attendee",), lambda w: {"starred": "1"}, refused(("attendee",))),
    ),
    "attendees.star_slot": Route(
        lambda w: f"/registrations/{w.registration_a}/slots/{w.slot_a}/star",
        post=Post(("attendee",), lambda w: {"starred": "1"}, refused(("attendee",))),
    ),
    "attendees.agenda": Route(lambda w: "/my/agenda", get=signed_in()),
    "attendees.agenda_grid": Route(lambda w: "/my/agenda/grid?day=2030-06-10", get=signed_in()),
    "attendees.remember_timezone": Route(
        lambda w: "/timezone",
        post=Post(ROLES, lambda w: {"timezone": "Asia/Shanghai", "next": "/"}, {}, changes=False),
    ),
    # --- Organisers: events, sessions, organisers, audit -----------------------------------------
    "events.dashboard": Route(lambda w: "/manage/", get=signed_in()),
    "events.create_event": Route(
        lambda w: "/manage/events/new",
        get=only(*CREATORS, others=403),
        post=Post(
            CREATORS,
            lambda w: _event_form(w, slug="event-new", title="New summit", kind="summit"),
            refused(CREATORS, 403),
        ),
    ),
    "events.overview": Route(lambda w: _manage(w), get=only(*MANAGERS_A)),
    "events.edit_event": Route(
        lambda w: _manage(w, "/edit"),
        get=only(*MANAGERS_A),
        post=Post(MANAGERS_A, lambda w: _event_form(w, title="Roadshow A renamed"), refused(MANAGERS_A)),
    ),
    "events.change_status": Route(
        lambda w: _manage(w, "/cancel"), post=Post(MANAGERS_A, _none, refused(MANAGERS_A))
    ),
    "events.add_session": Route(
        lambda w: _manage(w, "/sessions/new"),
        get=only(*MANAGERS_A),
        post=Post(
            MANAGERS_A,
            lambda w: _session_form(w, title="Closing A", day="2030-06-11", track="Other"),
            refused(MANAGERS_A),
        ),
    ),
    "events.edit_session": Route(
        lambda w: _manage(w, f"/sessions/{w.session_a.id}/edit"),
        get=only(*MANAGERS_A),
        post=Post(MANAGERS_A, lambda w: _session_form(w, title="Opening A, renamed"), refused(MANAGERS_A)),
    ),
    "events.move_session": Route(
        lambda w: _manage(w, f"/sessions/{w.session_a.id}/move"),
        get=only(*MANAGERS_A),
        post=Post(
            MANAGERS_A,
            lambda w: {"day": "2030-06-11", "start_time": "07:00", "track": "Main"},
            refused(MANAGERS_A),
        ),
    ),
    "events.cancel_session": Route(
        lambda w: _manage(w, f"/sessions/{w.session_a.id}/cancel"),
        post=Post(MANAGERS_A, _none, refused(MANAGERS_A)),
    ),
    "events.delete_session": Route(
        lambda w: _manage(w, f"/sessions/{w.session_a.id}/delete"),
        post=Post(MANAGERS_A, _none, refused(MANAGERS_A)),
    ),
    "events.organisers": Route(
        lambda w: _manage(w, "/organisers"),
        get=only(*MANAGERS_A),
        post=Post(MANAGERS_A, lambda w: {"email": "new-organiser@example.org"}, refused(MANAGERS_A)),
    ),
    "events.remove_organiser": Route(
        lambda w: _manage(w, f"/organisers/{w.extra['otto'].id}/remove"),
        post=Post(MANAGERS_A, _none, refused(MANAGERS_A)),
    ),
    "events.invitation": Route(
        lambda w: f"/manage/invitations/{w.organiser_invitation}",
        get=only("attendee", others=403),
        post=Post(("attendee",), _none, refused(("attendee",), 403)),
    ),
    "events.audit": Route(lambda w: _manage(w, "/audit"), get=only(*MANAGERS_A)),
    "planner.index": Route(lambda w: "/manage/planner/", get=only(*CREATORS, others=403)),
    # --- Review desk ------------------------------------------------------------------------------
    "review.index": Route(lambda w: _manage(w, "/applications/"), get=only(*MANAGERS_A)),
    "review.detail": Route(lambda w: _manage(w, f"/applications/{w.app_s.id}"), get=only(*MANAGERS_A)),
    "review.decide": Route(
        lambda w: _manage(w, f"/applications/{w.app_s.id}/decide"),
        post=Post(MANAGERS_A, lambda w: {"decision": "accepted", "note": "Welcome."}, refused(MANAGERS_A)),
    ),
    "review.bulk": Route(
        lambda w: _manage(w, "/applications/bulk"),
        post=Post(
            MANAGERS_A,
            lambda w: {"application_ids": [str(w.app_s.id)], "decision": "rejected", "note": ""},
            refused(MANAGERS_A),
        ),
    ),
    "review.export": Route(lambda w: _manage(w, "/applications/export.csv"), get=only(*MANAGERS_A)),
    # --- Pitch programme (organisers) ------------------------------------------------------------
    "programme.slots": Route(lambda w: _pitches(w, "/"), get=only(*MANAGERS_A)),
    "programme.generate_slots": Route(
        lambda w: _pitches(w, f"/blocks/{w.empty_block_a.id}/generate"),
        post=Post(MANAGERS_A, _none, refused(MANAGERS_A)),
    ),
    "programme.shorten_slot": Route(
        lambda w: _pitches(w, f"/slots/{w.slot_a_empty}/shorten"),
        post=Post(MANAGERS_A, lambda w: {"end_time": "10:38"}, refused(MANAGERS_A)),
    ),
    "programme.split_slot": Route(
        lambda w: _pitches(w, f"/slots/{w.slot_a_empty}/split"),
        post=Post(MANAGERS_A, lambda w: {"split_time": ""}, refused(MANAGERS_A)),
    ),
    "programme.delete_slot": Route(
        lambda w: _pitches(w, f"/slots/{w.slot_a_empty}/delete"),
        post=Post(MANAGERS_A, _none, refused(MANAGERS_A)),
    ),
    "programme.propose": Route(
        lambda w: _pitches(w, "/propose"),
        post=Post(MANAGERS_A, lambda w: {"keep_published": "y"}, refused(MANAGERS_A), changes=False),
    ),
    "programme.apply_proposal": Route(
        lambda w: _pitches(w, "/apply"),
        post=Post(MANAGERS_A, lambda w: {"proposal": w.proposal_token}, refused(MANAGERS_A)),
    ),
    "programme.board": Route(lambda w: _pitches(w, "/board"), get=only(*MANAGERS_A)),
    "programme.slot_detail": Route(
        lambda w: _pitches(w, f"/board/slots/{w.slot_a_d}"), get=only(*MANAGERS_A)
    ),
    "programme.assign": Route(
        lambda w: _pitches(w, f"/board/slots/{w.slot_a_empty}/assign"),
        post=Post(MANAGERS_A, lambda w: {"application_id": str(w.app_c.id)}, refused(MANAGERS_A)),
    ),
    "programme.move": Route(
        lambda w: _pitches(w, f"/board/slots/{w.slot_a_d}/move"),
        post=Post(
            MANAGERS_A,
            lambda w: {"target_slot_id": str(w.slot_a_empty), "holder": str(w.app_d.id)},
            refused(MANAGERS_A),
        ),
    ),
    "programme.swap": Route(
        lambda w: _pitches(w, f"/board/slots/{w.slot_a_d}/swap"),
        post=Post(
            MANAGERS_A,
            lambda w: {
                "other_slot_id": str(w.slot_a),
                "holder": str(w.app_d.id),
                "other_holder": str(w.app_a.id),
                "confirm": "y",
            },
            refused(MANAGERS_A),
        ),
    ),
    "programme.unassign": Route(
        lambda w: _pitches(w, f"/board/slots/{w.slot_a_d}/unassign"),
        post=Post(MANAGERS_A, lambda w: {"holder": str(w.app_d.id)}, refused(MANAGERS_A)),
    ),
    "programme.lock": Route(
        lambda w: _pitches(w, f"/board/slots/{w.slot_a_d}/lock"),
        post=Post(MANAGERS_A, lambda w: {"holder": str(w.app_d.id)}, refused(MANAGERS_A)),
    ),
    "programme.publish": Route(
        lambda w: _pitches(w, "/publish"), post=Post(MANAGERS_A, _none, refused(MANAGERS_A))
    ),
    "programme.releases": Route(lambda w: _pitches(w, "/releases"), get=only(*MANAGERS_A)),
    # --- Pitch programme (companies) --------------------------------------------------------------
    "programme.my_slots": Route(lambda w: "/my/slots/", get=signed_in()),
    "programme.confirm_slot": Route(
        lambda w: f"/my/slots/{w.slot_a}/confirm",
        post=Post(("member_a",), _none, refused(("member_a",))),
    ),
    "programme.decline_slot": Route(
        lambda w: f"/my/slots/{w.slot_a}/decline",
        post=Post(("member_a",), lambda w: {"confirm": "y"}, refused(("member_a",))),
    ),
    # --- Organisations ----------------------------------------------------------------------------
    "organisations.mine": Route(lambda w: "/organisations/", get=signed_in()),
    "organisations.register": Route(
        lambda w: "/organisations/new",
        get=signed_in(),
        post=Post(
            ("attendee", *SIGNED_IN),
            lambda w: _organisation_form(w, name="Nordlicht Medical GmbH", website=""),
            {"anonymous": 302},
        ),
    ),
    "organisations.profile": Route(lambda w: f"/organisations/{w.org_a.id}", get=signed_in()),
    "organisations.logo": Route(lambda w: f"/organisations/{w.org_a.id}/logo", get=signed_in()),
    "organisations.edit": Route(
        lambda w: f"/organisations/{w.org_a.id}/edit",
        get=only("member_a", "admin"),
        post=Post(
            ("member_a", "admin"),
            lambda w: _organisation_form(w, description="Rehabilitation robots, since 1999."),
            refused(("member_a", "admin")),
            multipart=True,
        ),
    ),
    "organisations.join": Route(
        lambda w: f"/organisations/{w.org_a.id}/join",
        post=Post(("attendee", *SIGNED_IN), _none, {"anonymous": 302}),
    ),
    "organisations.leave": Route(
        lambda w: f"/organisations/{w.org_a.id}/leave",
        post=Post(("member_a",), _none, refused(("member_a",))),
    ),
    "organisations.members": Route(
        lambda w: f"/organisations/{w.org_a.id}/members",
        get=only("member_a", "admin"),
        post=Post(
            ("member_a", "admin"),
            lambda w: {"email": "colleague@example.org"},
            refused(("member_a", "admin")),
        ),
    ),
    "organisations.change_role": Route(
        lambda w: f"/organisations/{w.org_a.id}/members/{w.membership_mia}/promote",
        post=Post(("member_a", "admin"), _none, refused(("member_a", "admin"))),
    ),
    "organisations.remove_member": Route(
        lambda w: f"/organisations/{w.org_a.id}/members/{w.membership_mia}/remove",
        post=Post(("member_a", "admin"), _none, refused(("member_a", "admin"))),
    ),
    "organisations.decide_request": Route(
        lambda w: f"/organisations/{w.org_a.id}/requests/{w.membership_rita}/approve",
        post=Post(("member_a", "admin"), _none, refused(("member_a", "admin"))),
    ),
    "organisations.sectors": Route(
        lambda w: "/organisations/sectors",
        get=only(*CREATORS, others=403),
        post=Post(CREATORS, lambda w: {"name": "Space technology"}, refused(CREATORS, 403)),
    ),
    "organisations.import_upload": Route(
        lambda w: "/organisations/import",
        get=only(*CREATORS, others=403),
        # A preview writes nothing but the uploaded file (outside the database).
        post=Post(
            CREATORS,
            lambda w: {"file": (io.BytesIO(IMPORT_CSV), "partners.csv")},
            refused(CREATORS, 403),
            changes=False,
            multipart=True,
        ),
    ),
    "organisations.import_commit": Route(
        lambda w: "/organisations/import/commit",
        post=Post(CREATORS, lambda w: {"upload": w.import_reference}, refused(CREATORS, 403)),
    ),
    "organisations.invitation": Route(
        lambda w: f"/organisations/invitations/{w.organisation_invitation}",
        get=only("attendee", others=403),
        post=Post(("attendee",), _none, refused(("attendee",), 403)),
    ),
    # --- Pitch applications (companies) ----------------------------------------------------------
    "applications.mine": Route(lambda w: "/applications/", get=signed_in()),
    "applications.apply": Route(
        lambda w: "/applications/new?event=event-a",
        get=signed_in(),
        # Only a member of a company that has not applied yet gets the form; the others are shown
        # why they cannot apply (200), and nothing is written.
        post=Post(
            ("member_b",),
            application_form,
            {"anonymous": 302, **{r: 200 for r in SIGNED_IN if r != "member_b"}},
        ),
    ),
    "applications.detail": Route(
        lambda w: f"/applications/{w.app_a.id}", get=only("member_a", "organiser_a", "admin")
    ),
    "applications.deck": Route(
        lambda w: f"/applications/{w.app_a.id}/deck", get=only("member_a", "organiser_a", "admin")
    ),
    "applications.edit": Route(
        lambda w: f"/applications/{w.app_a.id}/edit",
        get=only("member_a"),
        post=Post(
            ("member_a",),
            lambda w: application_form(w, organisation=None, title="Rehab glove 2"),
            refused(("member_a",)),
        ),
    ),
    "applications.withdraw": Route(
        lambda w: f"/applications/{w.app_a.id}/withdraw",
        get=only("member_a"),
        post=Post(("member_a",), _none, refused(("member_a",))),
    ),
}


def route_for(endpoint: str) -> Route:
    """The table's entry for *endpoint*."""
    return ROUTES[endpoint]


def form_data(route: Route, world: World) -> dict[str, Any]:
    """*route*'s valid POST form, without None values."""
    assert route.post is not None
    return {key: value for key, value in route.post.data(world).items() if value is not None}
