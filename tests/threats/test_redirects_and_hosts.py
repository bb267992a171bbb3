"""Open redirects and Host-header poisoning.

Every route that takes a ``next`` target (log-in, sign-up, the language and time-zone switchers,
the review desk's bulk form, the attendee's cancel and star buttons) lands on a page of this site
whatever it is given: flask-multipass's list of evil targets and more. A browser resolves the
Location header against the page and forgives backslashes, tabs and newlines, so the check does too.

Links sent by e-mail (password reset, organiser and member invitations, decisions) and shown for
calendars are built from SERVER_NAME, never from the request's ``Host`` or ``X-Forwarded-Host``.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest
import sqlalchemy as sa

from roadshow.extensions import db
from roadshow.models import OutboxMessage
from tests.conftest import CSRF_RE, TEST_PASSWORD, post_form
from tests.threats.world import World, signed_in_client

SITE = "roadshow.test"
EVIL_HOST = "evil.example"

# flask-multipass (tests/test_core.py, test_validate_next_url: every value it refuses), then more.
MULTIPASS_EVIL_NEXT = [
    "\n",
    "\r",
    "\n\r",
    "evil\n",
    "//evil",
    "//evil.com",
    "//evil.com:80",
    "///evil",
    "///evil.com",
    "///evil.com:80",
    "////evil",
    "////evil.com",
    "////evil.com:80",
    "http://evil.com",
    "https://evil.com",
    "http:\\\\evil.com",
    "http:\\evil.com",
    "https:\\\\evil.com",
    "https:\\evil.com",
    'javascript:alert("eeeeeeeevil")',
    "///localhost",
    "////localhost",
]
MORE_EVIL_NEXT = [
    "\\\\evil.com",
    "\\/evil.com",
    "/\\evil.com",
    "/\\/evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "/\r\n/evil.com",
    "\t//evil.com",
    " //evil.com",
    "%2F%2Fevil.com",
    "/%2F/evil.com",
    "/%5Cevil.com",
    "%09//evil.com",
    "https:evil.com",
    "http:/evil.com",
    "HTTPS://EVIL.COM",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "javascript://%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//roadshow.test@evil.com",
    "https://roadshow.test@evil.com/",
    "https://roadshow.test.evil.com/",
    "//evil.com/%2F..",
    "/.//evil.com",
    "/..//evil.com",
    "\u3002evil.com",
    "//evil\u3002com",
    "/\u2215\u2215evil.com",
    "/" * 40 + "evil.com",
]
EVIL_NEXT = MULTIPASS_EVIL_NEXT + MORE_EVIL_NEXT


def browser_destination(location: str, page: str = f"https://{SITE}/login") -> tuple[str, str]:
    """(scheme, host) a browser would go to for a Location header on *page* (WHATWG-style clean-up:
    tabs and newlines removed, backslashes read as slashes, leading spaces trimmed)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip(" \x00").replace("\\", "/")
    target = urlsplit(urljoin(page, cleaned))
    return target.scheme.lower(), (target.hostname or "").lower()


def assert_internal(response) -> None:
    """The response redirects to a page of this site."""
    assert response.status_code in {301, 302, 303, 307, 308}, response.status_code
    location = response.headers["Location"]
    assert browser_destination(location) == ("https", SITE), location
    assert not location.lower().lstrip().startswith(("javascript:", "data:", "vbscript:")), location


def test_destination_check_sees_the_classic_tricks():
    # The checker itself: these would leave the site in a browser.
    assert browser_destination("/\\evil.com")[1] == "evil.com"
    assert browser_destination("/\t/evil.com")[1] == "evil.com"
    assert browser_destination("https://roadshow.test@evil.com/")[1] == "evil.com"
    assert browser_destination("/events/a?next=//evil.com") == ("https", SITE)


def _outside(response) -> str | None:
    """None when *response* is a refusal (400) or redirects to this site; else what is wrong."""
    if response.status_code == 400:  # a refused byte in the request: no redirect at all
        return None
    try:
        assert_internal(response)
    except AssertionError as error:
        return f"{response.status_code} {response.headers.get('Location')!r}: {error}"
    return None


def test_login_next_always_lands_on_this_site(app, world: World):
    wrong = []
    for target in EVIL_NEXT:
        client = app.test_client()
        query = quote(target, safe="")
        assert client.get(f"/login?next={query}").status_code in {200, 400}
        form = {"email": world.users["attendee"].email, "password": TEST_PASSWORD, "next": target}
        response = post_form(client, f"/login?next={query}", form)
        if response.status_code != 400:
            wrong.append((target, "POST", _outside(response)))
            # Already signed in: GET /login?next=… redirects at once.
            wrong.append((target, "GET", _outside(client.get(f"/login?next={query}"))))
    assert [item for item in wrong if item[2]] == []


def test_signup_next_always_lands_on_this_site(app):
    wrong = []
    for i, target in enumerate(EVIL_NEXT):
        data = {
            "email": f"new{i}@example.org",
            "name": "New Comer",
            "password": "purple elephants juggle quietly 42",
            "confirm": "purple elephants juggle quietly 42",
            "next": target,
        }
        response = post_form(app.test_client(), f"/signup?next={quote(target, safe='')}", data)
        wrong.append((target, _outside(response)))
    assert [item for item in wrong if item[1]] == []


def test_language_and_timezone_switchers_land_on_this_site(app, world: World):
    wrong = []
    clients = (app.test_client(), signed_in_client(app, world.user("attendee")))
    for target in EVIL_NEXT:
        for client in clients:
            wrong.append(
                (target, _outside(post_form(client, "/language", {"language": "zh", "next": target})))
            )
            wrong.append((target, _outside(client.get("/language/zh", query_string={"next": target}))))
            response = post_form(client, "/timezone", {"timezone": "Asia/Shanghai", "next": target})
            wrong.append((target, _outside(response)))
    assert [item for item in wrong if item[1]] == []


def test_review_bulk_and_attendee_buttons_land_on_this_site(app, world: World):
    organiser = signed_in_client(app, world.user("organiser_a"))
    attendee = signed_in_client(app, world.user("attendee"))
    bulk_url = f"/manage/events/{world.event_a.id}/applications/bulk"
    star_url = f"/registrations/{world.registration_a}/sessions/{world.session_a.id}/star"
    wrong = []
    for target in EVIL_NEXT:
        decision = {"application_ids": [str(world.app_s.id)], "decision": "waitlisted", "next": target}
        wrong.append((target, _outside(post_form(organiser, bulk_url, decision))))
        wrong.append((target, _outside(post_form(attendee, star_url, {"starred": "1", "next": target}))))
    assert [item for item in wrong if item[1]] == []


def test_login_redirect_for_a_protected_page_keeps_its_own_path(app):
    response = app.test_client().get("/manage/")
    assert response.status_code == 302
    assert browser_destination(response.headers["Location"]) == ("https", SITE)
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_count_of_evil_targets():
    assert len(MULTIPASS_EVIL_NEXT) == 22
    assert len(set(EVIL_NEXT)) == len(EVIL_NEXT)


# --- Links built from SERVER_NAME ---------------------------------------------------------------------

FORGED_HOSTS = [
    {"Host": EVIL_HOST},
    {"X-Forwarded-Host": EVIL_HOST},
    {
        "Host": EVIL_HOST,
        "X-Forwarded-Host": EVIL_HOST,
        "X-Forwarded-Proto": "http",
        "Forwarded": f"host={EVIL_HOST}",
    },
]


def _outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def _texts(message: OutboxMessage) -> str:
    return "\n".join(
        filter(None, [message.subject, message.body_text, message.body_html, message.calendar_text])
    )


class ForgedClient:
    """A test client whose every request carries forged host headers, as an attacker's script sends
    them: ``Host`` becomes the request's host (its cookies are kept for that host), the rest are sent
    as given, and the Referer names the host the request claims (so CSRF's same-site check passes)."""

    def __init__(self, app, headers: dict[str, str], claimed_host: str | None = None) -> None:
        self.client = app.test_client()
        self.headers = {name: value for name, value in headers.items() if name != "Host"}
        host = headers.get("Host")
        self.base_url = f"https://{host}" if host else None
        self.referer = f"https://{claimed_host or host or SITE}/"

    def _options(self) -> dict:
        options: dict = {"headers": {"Referer": self.referer, **self.headers}}
        if self.base_url:
            options["base_url"] = self.base_url
        return options

    def get(self, path: str):
        """GET *path*."""
        return self.client.get(path, **self._options())

    def post(self, path: str, data: dict):
        """POST *data* with a fresh CSRF token."""
        # The home page's language switcher is a form once signed in; before, the log-in form has one.
        match = CSRF_RE.search(self.get("/").get_data(as_text=True))
        token = (match or CSRF_RE.search(self.get("/login").get_data(as_text=True))).group(1)
        return self.client.post(path, data={**data, "csrf_token": token}, **self._options())

    def login(self, user) -> ForgedClient:
        """Log in as *user*; returns self."""
        assert self.post("/login", {"email": user.email, "password": TEST_PASSWORD}).status_code == 302
        return self


def _mail_links(app, world: World, headers: dict[str, str]) -> list[str]:
    """Cause every kind of e-mail with a link while the requests carry forged host headers."""
    anonymous = ForgedClient(app, headers)
    assert anonymous.post("/reset", {"email": world.users["attendee"].email}).status_code == 302
    organiser = ForgedClient(app, headers).login(world.user("organiser_a"))
    url = f"/manage/events/{world.event_a.id}"
    assert organiser.post(f"{url}/organisers", {"email": "newbie@example.org"}).status_code == 302
    owner = ForgedClient(app, headers).login(world.user("member_a"))
    response = owner.post(f"/organisations/{world.org_a.id}/members", {"email": "new@example.org"})
    assert response.status_code == 302
    return [_texts(message) for message in _outbox(app)]


@pytest.mark.parametrize("headers", FORGED_HOSTS)
def test_emailed_links_use_the_configured_server_name(app, world: World, headers):
    texts = _mail_links(app, world, headers)
    assert len(texts) == 3  # reset link, organiser invitation, member invitation
    joined = "\n".join(texts)
    assert EVIL_HOST not in joined
    assert f"https://{SITE}/reset/" in joined
    assert f"https://{SITE}/manage/invitations/" in joined
    assert f"https://{SITE}/organisations/invitations/" in joined


def test_emailed_links_ignore_forwarded_host_even_behind_a_trusting_proxy(
    app, world: World, make_app, restore_limiter
):
    """With ProxyFix trusting X-Forwarded-Host (PROXY_FIX_X_HOST=1), e-mailed links still use SERVER_NAME."""
    proxied = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        PROXY_FIX_X_FOR=1,
        PROXY_FIX_X_PROTO=1,
        PROXY_FIX_X_HOST=1,
        UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
    )
    headers = {"X-Forwarded-Host": EVIL_HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    client = ForgedClient(proxied, headers, claimed_host=EVIL_HOST)  # the proxy's word is trusted here
    response = client.post("/reset", {"email": world.users["attendee"].email})
    assert response.status_code == 302
    (message,) = _outbox(app)
    assert EVIL_HOST not in _texts(message)
    assert f"https://{SITE}/reset/" in message.body_text


@pytest.mark.parametrize("headers", FORGED_HOSTS)
def test_calendar_links_on_pages_use_the_configured_server_name(app, world: World, headers):
    client = ForgedClient(app, headers).login(world.user("attendee"))
    subscribe = client.get("/events/event-a/subscribe")
    new_feed = client.post("/account/calendar/new", {})
    for response in (subscribe, new_feed):
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert EVIL_HOST not in html
        assert f"//{SITE}/" in html
