"""A small accessibility and responsiveness pass in the browser.

Every form control on the main pages has an accessible name (a label, aria-label or
aria-labelledby), every link and button says what it does, the first Tab reaches the skip link,
and on a phone (375×812) the event page, the registration page and the agenda do not scroll
sideways, in English and in Chinese.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from roadshow.enums import EventKind, EventStatus, RegistrationRole, RegistrationStatus, SessionKind
from roadshow.extensions import db
from roadshow.models import Event, ProgrammeSession, Registration, User
from tests.browser.helpers import language_choice, log_in, open_site, screenshot

pytestmark = pytest.mark.browser

# The controls, links and buttons a person can reach, and those without an accessible name.
UNNAMED_CONTROLS = """() => {
  // Controls in closed <details> count too: they show when it opens. [hidden] ones never show.
  const shown = (el) => !el.closest("[hidden]") && el.type !== "hidden";
  const text = (value) => (value || "").trim();
  const byId = (id) => id && text(document.getElementById(id)?.textContent) !== "";
  const labelled = (el) => text(el.getAttribute("aria-label")) !== ""
    || (el.getAttribute("aria-labelledby") || "").split(/\\s+/).some(byId)
    || Array.from(el.labels || []).some((label) => text(label.textContent) !== "");
  const isButton = (el) => ["submit", "button", "reset"].includes(el.type);
  const all = (selector) => Array.from(document.querySelectorAll(selector)).filter(shown);
  const controls = all("input, select, textarea").filter((el) => !isButton(el));
  const actions = all("a[href], button, input[type=submit], input[type=button]");
  const named = (el) => labelled(el) || text(el.textContent || el.value) !== ""
    || el.querySelector("img[alt]:not([alt=''])") !== null;
  return {
    controls: controls.length,
    unnamed: [...controls.filter((el) => !labelled(el)), ...actions.filter((el) => !named(el))]
      .map((el) => el.outerHTML.slice(0, 160)),
  };
}"""
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@dataclass
class Site:
    """What the checks visit: a published roadshow with a programme, an application and people."""

    event: Event
    keynote: ProgrammeSession
    organiser: User
    company: User
    attendee: User
    application_id: int


@pytest.fixture
def site(app, make_user, make_event, make_session, make_organisation, make_application) -> Site:
    """A published roadshow a month ahead, with a keynote, a pitch block with slots, an application
    and an attendee who starred the keynote."""
    from roadshow.programme.services import generate_slots

    first = datetime.now(UTC).date() + timedelta(days=30)
    organiser = make_user(email="organiser@example.org", name="Olga Organiser", is_admin=True)
    company = make_user(email="company@example.org", name="Jonas Weber", timezone="Europe/Berlin")
    attendee = make_user(email="attendee@example.org", name="Ada Attendee", timezone="Europe/Rome")
    event = make_event(
        organiser=organiser,
        kind=EventKind.ROADSHOW,
        status=EventStatus.PUBLISHED,
        title="EU–China Medical Devices Roadshow",
        title_zh="中欧医疗器械项目路演",
        timezone="Asia/Shanghai",
        start_date=first,
        end_date=first + timedelta(days=1),
        capacity=50,
    )
    nine_in_shanghai = datetime(first.year, first.month, first.day, 1, 0, tzinfo=UTC)
    keynote = make_session(
        event, starts_at=nine_in_shanghai, minutes=45, title="Opening keynote", title_zh="开幕主旨演讲"
    )
    block = make_session(
        event,
        starts_at=nine_in_shanghai + timedelta(hours=1),
        minutes=90,
        kind=SessionKind.PITCH_BLOCK,
        title="Pitches: medical devices",
        title_zh="项目路演：医疗器械",
        slot_minutes=10,
        changeover_minutes=5,
    )
    organisation = make_organisation(name="Nordlicht Medical GmbH", owner=company, name_zh="北光医疗有限公司")
    make_organisation(name="Nordlicht Robotics GmbH", owner=company)  # has not applied yet: the form shows
    application = make_application(
        event,
        organisation,
        windows=[(nine_in_shanghai, nine_in_shanghai + timedelta(hours=4))],
        title="NeuroStep: a lightweight exoskeleton",
    )
    with app.app_context():
        generate_slots(
            db.session.get(User, organiser.id),
            db.session.get(Event, event.id),
            db.session.get(ProgrammeSession, block.id),
        )
        registration = Registration(
            event_id=event.id,
            user_id=attendee.id,
            role=RegistrationRole.ATTENDEE,
            status=RegistrationStatus.REGISTERED,
        )
        registration.starred_sessions.append(db.session.get(ProgrammeSession, keynote.id))
        db.session.add(registration)
        db.session.commit()
    return Site(event, keynote, organiser, company, attendee, application.id)


def assert_every_control_named(page: Any, path: str) -> int:
    """Open *path* and check every visible control, link and button has a name; returns the control count."""
    response = page.goto(path)
    assert response.status == 200, path
    found = page.evaluate(UNNAMED_CONTROLS)
    assert found["unnamed"] == [], f"{path}: {found['unnamed']}"
    expect(page.locator("h1")).to_have_count(1)
    assert page.js_errors == [], page.js_errors
    return found["controls"]


def signed_in(new_page: Callable[..., Any], user: User, text_in: Callable[..., str], **options: Any) -> Any:
    """A page on which *user* has logged in through the form."""
    page = new_page(timezone_id=user.timezone, **options)
    page.goto("/")
    log_in(page, "en", text_in, user.email)
    return page


def test_form_controls_links_and_buttons_have_accessible_names(site, new_page, text_in):
    event_id, slug = site.event.id, site.event.slug
    anonymous = new_page()
    counts = {
        path: assert_every_control_named(anonymous, path)
        for path in ["/", "/login", "/signup", "/reset", f"/events/{slug}"]
    }

    organiser = signed_in(new_page, site.organiser, text_in)
    for path in [
        "/manage/",
        "/manage/events/new",
        f"/manage/events/{event_id}",
        f"/manage/events/{event_id}/edit",
        f"/manage/events/{event_id}/sessions/new",
        f"/manage/events/{event_id}/sessions/{site.keynote.id}/move",
        f"/manage/events/{event_id}/organisers",
        f"/manage/events/{event_id}/applications/",
        f"/manage/events/{event_id}/applications/{site.application_id}",
        f"/manage/events/{event_id}/pitches/",
        f"/manage/events/{event_id}/pitches/board",
        f"/manage/events/{event_id}/pitches/releases",
        "/manage/planner/",
        "/account",
    ]:
        counts[path] = assert_every_control_named(organiser, path)

    company = signed_in(new_page, site.company, text_in)
    for path in [
        "/organisations/",
        "/organisations/new",
        f"/applications/new?event={slug}",
        f"/applications/{site.application_id}",
    ]:
        counts[path] = assert_every_control_named(company, path)

    attendee = signed_in(new_page, site.attendee, text_in)
    for path in [f"/events/{slug}/register", "/my/agenda", "/my/agenda/grid", "/account/calendar"]:
        counts[path] = assert_every_control_named(attendee, path)

    # The checks looked at real forms: the sign-up form has its six fields (and the switcher none).
    assert counts["/signup"] == 6
    assert counts["/manage/events/new"] >= 12
    assert counts[f"/applications/new?event={slug}"] >= 15


@pytest.mark.parametrize("path", ["/", "/events/{slug}"])
def test_first_tab_reaches_the_skip_link_which_moves_focus_to_the_content(site, new_page, path):
    page = new_page()
    open_site(page, "Europe/Brussels")  # the zone is known: the event page will not reload itself
    page.goto(path.format(slug=site.event.slug))
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to content")
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_phone_pages_do_not_scroll_sideways(site, new_page, text_in, lang):
    page = signed_in(
        new_page,
        site.attendee,
        text_in,
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
    )
    if lang == "zh":
        with page.expect_navigation():
            language_choice(page, "zh").click()
    for name, path in [
        ("event", f"/events/{site.event.slug}"),
        ("registration", f"/events/{site.event.slug}/register"),
        ("agenda", "/my/agenda"),
        ("agenda-grid", "/my/agenda/grid"),
    ]:
        page.goto(path)
        expect(page.get_by_role("main")).to_contain_text(
            "开幕主旨演讲" if lang == "zh" else "Opening keynote"
        )
        screenshot(page, f"phone-{lang}-{name}")
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways on a phone in {lang}"
