"""Stored and reflected XSS: attack strings in every user text field (event and session titles and
descriptions, their Chinese versions, tracks, organisation names, descriptions, cities and websites,
user names, application titles, summaries, decision notes, deck file names, sector names, audit
values, imported CSV rows) and in reflected parameters; every page that shows them opened in
headless Chromium. No dialog may fire, no inline script may even be attempted (the browser would
report a CSP violation), and every page carries a strict Content-Security-Policy.

Two guards are proven separately: escaping alone (a browser context that ignores CSP: a dialog there
means a template let markup through), and CSP alone (markup injected into the live DOM by the test
is refused by the policy). A harness check shows that a dialog is seen when one does fire.

The server-side check (no browser) rotates the attack strings through every short field so that
each field receives each string, and looks for any of them unescaped in the HTML.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from werkzeug.http import parse_options_header

from roadshow.extensions import db
from roadshow.models import (
    AuditLogEntry,
    Event,
    Organisation,
    PitchApplication,
    ProgrammeSession,
    Sector,
    User,
    organisation_sectors,
)
from tests.conftest import post_form
from tests.threats.world import PDF, PNG, World, signed_in_client

ATTACKS = [
    "<script>alert(101)</script>",
    '"><script>alert(102)</script>',
    "'><script>alert(103)</script>",
    "<img src=x onerror=alert(104)>",
    "<svg onload=alert(105)>",
    "<svg><script>alert(106)</script></svg>",
    "javascript:alert(107)",
    "data:text/html,<script>alert(108)</script>",
    "[click me](javascript:alert(109))",
    '![logo](x" onerror="alert(110))',
    "</textarea><script>alert(111)</script>",
    '" autofocus onfocus=alert(112) x="',
    "' autofocus onfocus=alert(113) x='",
    '<iframe src="javascript:alert(114)"></iframe>',
    '<a href="javascript:alert(115)">click</a>',
    "</title><script>alert(116)</script>",
    "<body onload=alert(117)>",
    "<details open ontoggle=alert(118)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(119)>",
    "<ScRiPt>alert(120)</ScRiPt>",
    "<scr<script>ipt>alert(121)</script>",
    "`-alert(122)-`",
    "';alert(123);//",
    "</script><script>alert(124)</script>",
    "<input autofocus onfocus=alert(125)>",
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxMjYpPC9zY3JpcHQ+">',
    '<a href="&#106;avascript:alert(127)">x</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(128)">',
    "<svg><animate onbegin=alert(129) attributeName=x dur=1s>",
    '<noscript><p title="</noscript><img src=x onerror=alert(130)>">',
    "<select autofocus onfocus=alert(131)>",
    "<video><source onerror=alert(132)>",
    "<style>*{background:url(javascript:alert(133))}</style>",
    "{{ 7*191 }}{% raw %}",
    '<base href="javascript:alert(135)//">',
    "\u2028<script>alert(136)</script>\u2029",
]
RAW_MARKERS = re.compile(
    r"<(script|img|svg|iframe|a |body|details|math|input|object|meta|select|video|style|base|noscript)", re.I
)
DANGEROUS_URL_ATTRIBUTE = re.compile(
    r"""(?:href|src|action|formaction|data)\s*=\s*["']?\s*(?:javascript|data|vbscript):""", re.I
)


def test_attack_strings_are_unique_and_fit_short_columns():
    assert len(set(ATTACKS)) == len(ATTACKS) == 36
    assert max(len(attack) for attack in ATTACKS) <= 80  # programme_sessions.track is the shortest column


# --- Putting the strings into every field ---------------------------------------------------------------

# (model, how to find the row in the world, column): short text columns, one attack string each.
SHORT_FIELDS: list[tuple[type, Callable[[World], int], str]] = [
    (Event, lambda w: w.event_a.id, "title"),
    (Event, lambda w: w.event_a.id, "title_zh"),
    (ProgrammeSession, lambda w: w.session_a.id, "title"),
    (ProgrammeSession, lambda w: w.session_a.id, "title_zh"),
    (ProgrammeSession, lambda w: w.session_a.id, "track"),
    (ProgrammeSession, lambda w: w.block_a.id, "title"),
    (ProgrammeSession, lambda w: w.block_a.id, "title_zh"),
    (ProgrammeSession, lambda w: w.empty_block_a.id, "title"),
    (Organisation, lambda w: w.org_a.id, "name"),
    (Organisation, lambda w: w.org_a.id, "name_zh"),
    (Organisation, lambda w: w.org_a.id, "city"),
    (Organisation, lambda w: w.org_a.id, "website"),
    (Organisation, lambda w: w.app_c.organisation_id, "name"),
    (Organisation, lambda w: w.app_d.organisation_id, "name"),
    (Organisation, lambda w: w.app_s.organisation_id, "name"),
    (PitchApplication, lambda w: w.app_a.id, "title"),
    (PitchApplication, lambda w: w.app_a.id, "title_zh"),
    (PitchApplication, lambda w: w.app_a.id, "deck_filename"),
    (PitchApplication, lambda w: w.app_s.id, "title"),
    (PitchApplication, lambda w: w.app_d.id, "title"),
    (User, lambda w: w.users["member_a"].id, "name"),
    (User, lambda w: w.users["organiser_a"].id, "name"),
    (User, lambda w: w.users["attendee"].id, "name"),
    (User, lambda w: w.extra["mia"].id, "name"),
    (User, lambda w: w.extra["rita"].id, "name"),
    (User, lambda w: w.extra["otto"].id, "name"),
    (Sector, lambda w: w.tokens["sector_id"], "name"),
    (Sector, lambda w: w.tokens["sector_id"], "name_zh"),
]
# Long text columns get every attack string at once.
LONG_FIELDS: list[tuple[type, Callable[[World], int], str]] = [
    (Event, lambda w: w.event_a.id, "description"),
    (Event, lambda w: w.event_a.id, "description_zh"),
    (ProgrammeSession, lambda w: w.session_a.id, "description"),
    (ProgrammeSession, lambda w: w.session_a.id, "description_zh"),
    (Organisation, lambda w: w.org_a.id, "description"),
    (Organisation, lambda w: w.org_a.id, "description_zh"),
    (PitchApplication, lambda w: w.app_a.id, "summary"),
    (PitchApplication, lambda w: w.app_a.id, "summary_zh"),
    (PitchApplication, lambda w: w.app_a.id, "decision_note"),
    (PitchApplication, lambda w: w.app_s.id, "summary"),
]
EVERY_ATTACK = "\n".join(ATTACKS)


def prepare(app, world: World) -> None:
    """A sector for company A and application A, and a reader of Chinese (so *_zh fields show)."""
    with app.app_context():
        sector = Sector(slug="xss-sector", name="Sector", name_zh="行业")
        db.session.add(sector)
        db.session.flush()
        db.session.execute(
            sa.insert(organisation_sectors).values(organisation_id=world.org_a.id, sector_id=sector.id)
        )
        db.session.get(PitchApplication, world.app_a.id).sector_id = sector.id
        db.session.get(User, world.users["attendee"].id).locale = "zh"
        db.session.commit()
        world.tokens["sector_id"] = sector.id


def inject(app, world: World, offset: int) -> dict[str, str]:
    """Write the attack strings (short field k gets ATTACKS[(k + offset) % N]); returns field → string."""
    placed = {}
    with app.app_context():
        for k, (model, row_id, column) in enumerate(SHORT_FIELDS):
            attack = ATTACKS[(k + offset) % len(ATTACKS)]
            setattr(db.session.get(model, row_id(world)), column, attack)
            placed[f"{model.__name__}.{column}#{row_id(world)}"] = attack
        for model, row_id, column in LONG_FIELDS:
            setattr(db.session.get(model, row_id(world)), column, EVERY_ATTACK)
        db.session.add(
            AuditLogEntry(
                event_id=world.event_a.id,
                actor_id=world.users["organiser_a"].id,
                action="session.updated",
                target_type="ProgrammeSession",
                target_id=world.session_a.id,
                before={
                    "title": ATTACKS[offset % len(ATTACKS)],
                    "track": ATTACKS[(offset + 1) % len(ATTACKS)],
                },
                after={"title": ATTACKS[(offset + 2) % len(ATTACKS)], "track": "Main"},
            )
        )
        db.session.commit()
    return placed


def _a(world: World) -> str:
    return f"/manage/events/{world.event_a.id}"


PAGES: list[tuple[str, Callable[[World], str]]] = [
    ("anonymous", lambda w: "/"),
    ("anonymous", lambda w: "/events/event-a"),
    ("anonymous", lambda w: "/events/event-a/subscribe"),
    ("attendee", lambda w: "/events/event-a"),
    ("attendee", lambda w: "/events/event-a/register"),
    ("attendee", lambda w: "/my/agenda"),
    ("attendee", lambda w: "/my/agenda/grid?day=2030-06-10"),
    ("attendee", lambda w: f"/organisations/{w.org_a.id}"),
    ("attendee", lambda w: "/account"),
    ("attendee", lambda w: "/account/data/"),
    ("member_a", lambda w: "/applications/"),
    ("member_a", lambda w: f"/applications/{w.app_a.id}"),
    ("member_a", lambda w: f"/applications/{w.app_a.id}/edit"),
    ("member_a", lambda w: f"/applications/{w.app_a.id}/withdraw"),
    ("member_a", lambda w: "/organisations/"),
    ("member_a", lambda w: f"/organisations/{w.org_a.id}"),
    ("member_a", lambda w: f"/organisations/{w.org_a.id}/edit"),
    ("member_a", lambda w: f"/organisations/{w.org_a.id}/members"),
    ("member_a", lambda w: "/my/slots/"),
    ("organiser_a", lambda w: "/manage/"),
    ("organiser_a", lambda w: _a(w)),
    ("organiser_a", lambda w: f"{_a(w)}/edit"),
    ("organiser_a", lambda w: f"{_a(w)}/sessions/{w.session_a.id}/edit"),
    ("organiser_a", lambda w: f"{_a(w)}/sessions/{w.session_a.id}/move"),
    ("organiser_a", lambda w: f"{_a(w)}/sessions/{w.block_a.id}/edit"),
    ("organiser_a", lambda w: f"{_a(w)}/organisers"),
    ("organiser_a", lambda w: f"{_a(w)}/audit"),
    ("organiser_a", lambda w: f"{_a(w)}/applications/"),
    ("organiser_a", lambda w: f"{_a(w)}/applications/{w.app_a.id}"),
    ("organiser_a", lambda w: f"{_a(w)}/applications/{w.app_s.id}"),
    ("organiser_a", lambda w: f"{_a(w)}/pitches/"),
    ("organiser_a", lambda w: f"{_a(w)}/pitches/board"),
    ("organiser_a", lambda w: f"{_a(w)}/pitches/board/slots/{w.slot_a_d}"),
    ("organiser_a", lambda w: f"{_a(w)}/pitches/board/slots/{w.slot_a_empty}"),
    ("organiser_a", lambda w: f"{_a(w)}/pitches/releases"),
    ("organiser_a", lambda w: "/organisations/sectors"),
    ("organiser_a", lambda w: "/organisations/"),
]
# Reflected: the attack string in a query parameter or path that the page (or its error) may echo.
REFLECTED: list[tuple[str, Callable[[str], str]]] = [
    ("anonymous", lambda attack: f"/events/event-a?tz={quote(attack, safe='')}"),
    ("anonymous", lambda attack: f"/events/{quote(attack, safe='')}"),
    ("anonymous", lambda attack: f"/login?next={quote(attack, safe='')}"),
    ("attendee", lambda attack: f"/my/agenda/grid?day={quote(attack, safe='')}"),
    (
        "organiser_a",
        lambda attack: f"/manage/planner/?zones={quote(attack, safe='')}&start={quote(attack[:20], safe='')}",
    ),
    (
        "organiser_a",
        lambda attack: (
            f"/manage/events/1/applications/?country={quote(attack, safe='')}&sort={quote(attack, safe='')}"
        ),
    ),
]


# Refusals whose messages name stored user text (company names, session titles): each answered with
# the form or page again, the message included. (role, path, form)
ERROR_PATHS: list[tuple[str, Callable[[World], str], Callable[[World], dict[str, Any]]]] = [
    # A company whose application is not accepted: the message names it.
    (
        "organiser_a",
        lambda w: f"{_a(w)}/pitches/board/slots/{w.slot_a_empty}/assign",
        lambda w: {"application_id": str(w.app_s.id)},
    ),
    # A company that already holds a slot.
    (
        "organiser_a",
        lambda w: f"{_a(w)}/pitches/board/slots/{w.slot_a_empty}/assign",
        lambda w: {"application_id": str(w.app_a.id), "confirm": "y"},
    ),
    # A held slot cannot be shortened: the message names its company.
    ("organiser_a", lambda w: f"{_a(w)}/pitches/slots/{w.slot_a}/shorten", lambda w: {"end_time": "10:05"}),
    # A session overlapping another in the same track: the message names the other session.
    (
        "organiser_a",
        lambda w: f"{_a(w)}/sessions/new",
        lambda w: {
            "kind": "keynote",
            "title": "Clash",
            "day": "2030-06-11",
            "start_time": "10:00",
            "end_time": "10:30",
            "track": "Pitch",
        },
    ),
    # New event dates that leave sessions outside: the message lists their titles.
    (
        "organiser_a",
        lambda w: f"{_a(w)}/edit",
        lambda w: {
            "kind": "roadshow",
            "title": "Roadshow A",
            "slug": "event-a",
            "timezone": "Europe/Brussels",
            "start_date": "2030-07-01",
            "end_date": "2030-07-02",
        },
    ),
]


def unescaped(html: str) -> list[str]:
    """Attack strings found in *html* as live markup or as a dangerous URL attribute."""
    found = [attack for attack in ATTACKS if RAW_MARKERS.search(attack) and attack in html]
    found += [f"attribute: {m.group(0)}" for m in DANGEROUS_URL_ATTRIBUTE.finditer(html)]
    found += [attack for attack in ATTACKS if attack.startswith(('"', "'")) and attack in html]
    return found


# --- Server side: every field gets every string -----------------------------------------------------------


def test_no_attack_string_reaches_any_page_unescaped_in_any_field(app, world: World):
    prepare(app, world)
    clients = {
        role: signed_in_client(app, world.user(role))
        for role in {r for r, _ in PAGES} | {r for r, _ in REFLECTED}
    }
    problems: list[str] = []
    pages_seen = 0
    for offset in range(len(ATTACKS)):  # every short field receives every attack string
        inject(app, world, offset)
        for role, path in PAGES:
            response = clients[role].get(path(world))
            assert response.status_code == 200, (role, path(world), response.status_code)
            pages_seen += 1
            problems += [f"{role} {path(world)}: {p}" for p in unescaped(response.get_data(as_text=True))]
        for role, path, data in ERROR_PATHS:
            response = post_form(clients[role], path(world), data(world))
            assert response.status_code in {200, 400, 409}, (path(world), response.status_code)
            problems += [
                f"{role} POST {path(world)}: {p}" for p in unescaped(response.get_data(as_text=True))
            ]
    for attack in ATTACKS:
        for role, path in REFLECTED:
            response = clients[role].get(path(attack))
            assert response.status_code < 500, path(attack)
            problems += [f"{role} {path(attack)}: {p}" for p in unescaped(response.get_data(as_text=True))]
    assert problems == []
    assert pages_seen == len(ATTACKS) * len(PAGES)


def test_import_preview_escapes_every_attack_string(app, world: World):
    client = signed_in_client(app, world.user("organiser_a"))
    rows = ["name,name_zh,country,city,website,sectors,description"]
    for i, attack in enumerate(ATTACKS):
        cell = '"' + attack.replace('"', '""') + '"'
        rows.append(f"{cell},{cell},DE,{cell},{cell},{cell},{cell}")
        rows.append(f"Company {i},,{cell},Berlin,,,")
    data = ("\n".join(rows) + "\n").encode()
    response = post_form(
        client,
        "/organisations/import",
        {"file": (io.BytesIO(data), "<img src=x onerror=alert(199)>.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert unescaped(response.get_data(as_text=True)) == []


# --- In the browser ---------------------------------------------------------------------------------------


STRICT_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
}


def csp_problems(policy: str | None) -> list[str]:
    """Why *policy* is not strict (empty when it is)."""
    if not policy:
        return ["no Content-Security-Policy"]
    directives = {
        part.split()[0]: " ".join(part.split()[1:]) for part in (p.strip() for p in policy.split(";")) if part
    }
    problems = [
        f"{name} is {directives.get(name)!r}"
        for name, value in STRICT_DIRECTIVES.items()
        if directives.get(name) != value
    ]
    problems += [
        f"{word} allowed"
        for word in ("'unsafe-inline'", "'unsafe-eval'", "data:", "*")
        if word in directives.get("script-src", "") or word in directives.get("default-src", "")
    ]
    return problems


ZONE = "Europe/Brussels"


class Watcher:
    """A browser context for one role: records dialogs, CSP violations and script errors."""

    def __init__(self, browser, base_url: str, cookies: list[dict[str, Any]], *, bypass_csp: bool = False):
        self.context = browser.new_context(
            base_url=base_url, bypass_csp=bypass_csp, locale="en-GB", timezone_id=ZONE
        )
        self.context.set_default_timeout(15_000)
        # The zone cookie timezone.js would set: no background POST and reload in the middle of a check.
        self.context.add_cookies([{"name": "tz", "value": ZONE, "url": base_url}, *cookies])
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.violations: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{self.page.url}: {dialog.type} {dialog.message}")
        dialog.dismiss()

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.violations.append(f"{self.page.url}: {text[:200]}")

    def visit(self, path: str):
        """Open *path*, let autofocus and load handlers run; returns the main response."""
        return self.page.goto(path, wait_until="load")


def _session_cookie(app, world: World, role: str, base_url: str) -> list[dict[str, Any]]:
    user = world.user(role)
    if user is None:
        return []
    client = signed_in_client(app, user)
    value = client.get_cookie("session", domain="roadshow.test").value
    return [{"name": "session", "value": value, "url": base_url}]


@pytest.fixture
def watchers(app, world: World, chromium, live_server) -> Iterator[Callable[..., Watcher]]:
    made: list[Watcher] = []

    def factory(role: str, *, bypass_csp: bool = False) -> Watcher:
        watcher = Watcher(
            chromium, live_server, _session_cookie(app, world, role, live_server), bypass_csp=bypass_csp
        )
        made.append(watcher)
        return watcher

    yield factory
    for watcher in made:
        watcher.context.close()


def _browse(
    app, world: World, watchers, offsets: list[int], *, bypass_csp: bool
) -> tuple[list[str], list[str], list[str], int]:
    prepare(app, world)
    roles = {r for r, _ in PAGES}
    by_role = {role: watchers(role, bypass_csp=bypass_csp) for role in roles}
    csp: list[str] = []
    visits = 0
    for offset in offsets:
        inject(app, world, offset)
        for role, path in PAGES:
            response = by_role[role].visit(path(world))
            visits += 1
            assert response.status == 200, (role, path(world), response.status)
            if not bypass_csp:
                csp += [
                    f"{path(world)}: {p}"
                    for p in csp_problems(response.headers.get("content-security-policy"))
                ]
    # Every reflected path with a few strings here; all strings go through them in the server-side test.
    for attack in ATTACKS[offsets[0] : offsets[0] + 3]:
        for role, path in REFLECTED:
            response = by_role.get(role, by_role["attendee"]).visit(path(attack))
            visits += 1
            assert response.status < 500
    dialogs = [d for w in by_role.values() for d in w.dialogs]
    violations = [v for w in by_role.values() for v in w.violations]
    return dialogs, violations, csp, visits


@pytest.mark.parametrize("offset", [0, 18])
def test_no_dialog_fires_and_csp_is_strict_on_every_page(app, world: World, watchers, offset: int):
    dialogs, violations, csp, visits = _browse(app, world, watchers, [offset], bypass_csp=False)
    assert dialogs == []
    assert violations == []  # not even an attempt: escaping held before CSP had to act
    assert csp == []
    assert visits >= len(PAGES)


def test_escaping_alone_holds_with_csp_switched_off(app, world: World, watchers):
    dialogs, _, _, visits = _browse(app, world, watchers, [9], bypass_csp=True)
    assert dialogs == []
    assert visits >= len(PAGES)


def test_harness_sees_a_dialog_when_one_fires(app, world: World, watchers):
    watcher = watchers("anonymous", bypass_csp=True)
    watcher.visit("/")
    watcher.page.evaluate("() => alert('harness')")
    assert watcher.dialogs == [f"{watcher.page.url}: alert harness"]


def test_csp_alone_stops_markup_injected_into_the_page(app, world: World, watchers):
    """As if escaping had failed: the test writes event-handler and script markup into the live page.
    The policy refuses to run it (and the browser reports the refusal)."""
    watcher = watchers("anonymous")
    response = watcher.visit("/events/event-a")
    assert csp_problems(response.headers.get("content-security-policy")) == []
    watcher.page.evaluate(
        """() => {
            document.body.insertAdjacentHTML('beforeend', '<img src="x" onerror="alert(201)">');
            const s = document.createElement('script');
            s.textContent = 'alert(202)';
            document.body.appendChild(s);
            const a = document.createElement('a'); a.href = 'javascript:alert(203)'; a.id = 'evil';
            a.textContent = 'x'; document.body.appendChild(a);
        }"""
    )
    watcher.page.click("#evil")
    watcher.page.wait_for_timeout(100)
    assert watcher.dialogs == []
    assert len(watcher.violations) >= 2


# --- Uploads ---------------------------------------------------------------------------------------------


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(301)">'
    b"<script>alert(302)</script></svg>"
)
HTML = b"<!doctype html><html><body><script>alert(303)</script></body></html>"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (SVG, "logo.svg"),
        (SVG, "logo.png"),
        (HTML, "logo.png"),
        (b"GIF89a" + SVG, "logo.gif"),
        (SVG.replace(b"<?xml", b"\x89PNG<?xml"), "logo.png"),
    ],
)
def test_logo_is_never_accepted_as_svg_or_html(app, world: World, content: bytes, name: str):
    client = signed_in_client(app, world.user("member_a"))
    with app.app_context():
        before = db.session.get(Organisation, world.org_a.id).logo_path
    response = post_form(
        client,
        f"/organisations/{world.org_a.id}/edit",
        {"name": "Acme GmbH", "country": "DE", "logo": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "A logo must be a PNG, JPEG or WebP image." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Organisation, world.org_a.id).logo_path == before


def test_logo_is_served_inline_only_as_its_sniffed_image_type_with_nosniff(app, world: World):
    response = signed_in_client(app, world.user("attendee")).get(f"/organisations/{world.org_a.id}/logo")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.data == PNG


@pytest.mark.parametrize(
    "filename",
    [
        'deck"; filename="evil.html',
        "<script>alert(304)</script>.pdf",
        "../../etc/passwd",
        "evil.html",
        "a\r\nSet-Cookie: x=1.pdf",
    ],
)
def test_deck_is_an_attachment_with_nosniff_whatever_its_name_and_content(app, world: World, filename: str):
    """A PDF/HTML polyglot with a hostile file name: stored, then served only as a PDF attachment."""
    from tests.threats.routes_table import application_form

    polyglot = PDF[:9] + HTML + PDF[9:]
    client = signed_in_client(app, world.user("member_a"))
    data = {**application_form(world, organisation=None), "deck": (io.BytesIO(polyglot), filename)}
    response = post_form(
        client, f"/applications/{world.app_a.id}/edit", data, content_type="multipart/form-data"
    )
    if "\r" in filename or "\n" in filename:
        assert response.status_code in {302, 400}
    else:
        assert response.status_code == 302
    download = client.get(f"/applications/{world.app_a.id}/deck")
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    kind, options = parse_options_header(disposition)
    assert kind == "attachment"
    assert "\r" not in disposition and "\n" not in disposition
    assert options["filename"].endswith(".pdf"), disposition
    assert "/" not in options["filename"]
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "Set-Cookie" not in download.headers or "x=1" not in download.headers.get("Set-Cookie", "")


def test_deck_download_in_the_browser_is_a_download_not_a_page(app, world: World, watchers, live_server):
    with app.app_context():
        db.session.get(PitchApplication, world.app_a.id).deck_filename = "<img src=x onerror=alert(305)>.pdf"
        db.session.commit()
    watcher = watchers("member_a")
    with watcher.page.expect_download() as download:
        watcher.page.evaluate(
            f"() => {{ location.href = '{live_server}/applications/{world.app_a.id}/deck'; }}"
        )
    assert download.value.suggested_filename.endswith(".pdf")
    assert watcher.dialogs == []


# --- CSV export ---------------------------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "＝1+1",
]


def test_csv_export_neutralises_formulas_in_every_text_cell(app, world: World):
    import csv

    with app.app_context():
        application = db.session.get(PitchApplication, world.app_s.id)
        application.title = FORMULAS[0]
        application.summary = FORMULAS[1]
        db.session.get(Organisation, application.organisation_id).name = FORMULAS[2]
        db.session.get(Organisation, application.organisation_id).city = FORMULAS[3]
        db.session.get(PitchApplication, world.app_c.id).title = FORMULAS[4]
        db.session.get(PitchApplication, world.app_d.id).title = FORMULAS[5]
        db.session.get(PitchApplication, world.app_a.id).title = FORMULAS[6]
        db.session.commit()
    response = signed_in_client(app, world.user("organiser_a")).get(
        f"/manage/events/{world.event_a.id}/applications/export.csv"
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    cells = [cell for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig"))) for cell in row]
    for formula in FORMULAS:
        assert formula not in cells, formula
        if formula in {"-2+3"} or formula.startswith(("\t", "\r")):
            continue
    assert sum(1 for cell in cells if cell.startswith("'") and cell[1:] in FORMULAS) >= 5
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r", "＝"))]
