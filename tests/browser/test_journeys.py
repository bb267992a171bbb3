"""The journey of every role in a real browser, once in English and once in Chinese.

An organiser creates a roadshow and a pitch block and publishes the event; a company representative
signs up, registers an organisation and applies with availability windows; the organiser accepts the
application, generates slots, proposes and applies a schedule and publishes the pitch programme; an
attendee registers, stars a session and copies the personal calendar feed link. In the Chinese run
every person chooses 简体中文 with the switcher on the page, and each page is checked to be Chinese.
Fields are found by their labels, which checks the labels too.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from roadshow.models import OutboxMessage
from tests.browser.helpers import (
    HTML_LANG,
    expect_flash,
    expect_language,
    follow_nav,
    log_in,
    open_site,
    pages_seen,
    screenshot,
    switch_language,
)
from tests.conftest import TEST_PASSWORD, fetch

pytestmark = pytest.mark.browser

EVENT_ZONE = "Asia/Shanghai"
COMPANY_ZONE = "Europe/Berlin"
ORGANISER_ZONE = "Europe/Brussels"
ATTENDEE_ZONE = "Europe/Rome"

TITLES = {
    "event": ("EU–China Medical Devices Roadshow", "中欧医疗器械项目路演"),
    "block": ("Pitches: medical devices and rehabilitation", "项目路演：医疗器械与康复"),
    "organisation": ("Nordlicht Medical GmbH", "北光医疗有限公司"),
    "project": ("NeuroStep: a lightweight exoskeleton", "NeuroStep 轻型外骨骼"),
}


def title(key: str, lang: str) -> str:
    """The content title a reader of *lang* sees (the Chinese version for Chinese readers)."""
    english, chinese = TITLES[key]
    return chinese if lang == "zh" else english


def event_days() -> tuple[date, date]:
    """Two days a month ahead: applications and registration are open."""
    first = datetime.now(UTC).date() + timedelta(days=30)
    return first, first + timedelta(days=1)


def shanghai_clock(day: date, hour: int, minute: int) -> datetime:
    """A Berlin wall-clock time on *day*, as Shanghai's wall clock (what availability.js shows)."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(COMPANY_ZONE)).astimezone(ZoneInfo(EVENT_ZONE))


def clock_pattern(moment: datetime, lang: str) -> str:
    """A regular expression for *moment*'s wall-clock time as Babel and Intl write it in *lang*."""
    if lang == "zh":
        return f"{moment.hour:02d}:{moment.minute:02d}"
    hour = moment.hour % 12 or 12
    return rf"{hour}:{moment.minute:02d}\s?{'PM' if moment.hour >= 12 else 'AM'}"


def star_button_name(action: str, item: str) -> re.Pattern:
    """A star button's accessible name: its visible action, then the item's title for screen readers."""
    return re.compile(rf"^{re.escape(action)}\s?: {re.escape(item)}$")


def organiser_creates_and_publishes(page: Any, lang: str, t: Any, first: date, last: date) -> str:
    """The organiser creates the roadshow and its pitch block and publishes it; returns the overview URL."""
    follow_nav(page, lang, t, "Organise")
    page.get_by_role("link", name=t(lang, "New event")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "New event"))
    page.get_by_label(t(lang, "Kind of event"), exact=True).select_option("roadshow")
    page.get_by_label(t(lang, "Title"), exact=True).fill(TITLES["event"][0])
    page.get_by_label(t(lang, "Chinese title (optional)")).fill(TITLES["event"][1])
    page.get_by_label(t(lang, "Description"), exact=True).fill(
        "European medical-device companies pitch to Chinese partners."
    )
    page.get_by_label(t(lang, "Web address name"), exact=True).fill(f"medtech-roadshow-{lang}")
    page.get_by_label(t(lang, "Time zone of the programme"), exact=True).select_option(EVENT_ZONE)
    page.get_by_label(t(lang, "First day"), exact=True).fill(first.isoformat())
    page.get_by_label(t(lang, "Last day"), exact=True).fill(last.isoformat())
    page.get_by_label(t(lang, "Seats (optional)")).fill("50")
    page.get_by_role("button", name=t(lang, "Save"), exact=True).click()
    expect_flash(page, t(lang, "The event was created as a draft. Add its sessions, then publish it."))
    expect(page.get_by_role("heading", level=1)).to_have_text(title("event", lang))
    overview_url = page.url
    screenshot(page, f"{lang}-01-organiser-event-created")

    page.get_by_role("link", name=t(lang, "Add a session")).click()
    page.get_by_label(t(lang, "Kind of session"), exact=True).select_option("pitch_block")
    page.get_by_label(t(lang, "Title"), exact=True).fill(TITLES["block"][0])
    page.get_by_label(t(lang, "Chinese title (optional)")).fill(TITLES["block"][1])
    page.get_by_label(t(lang, "Day"), exact=True).fill(first.isoformat())
    page.get_by_label(t(lang, "Starts at"), exact=True).fill("16:00")
    page.get_by_label(t(lang, "Ends at"), exact=True).fill("17:30")
    page.get_by_label(t(lang, "Track or room (optional)")).fill("Pitch stage")
    page.get_by_label(t(lang, "Minutes per pitch (pitch blocks)")).fill("10")
    page.get_by_label(t(lang, "Changeover minutes between pitches (pitch blocks)")).fill("5")
    page.get_by_role("button", name=t(lang, "Save session")).click()
    expect_flash(page, t(lang, "The session was added."))
    expect(page.get_by_role("heading", level=4)).to_have_text(title("block", lang))
    # Two clocks: the organiser's Brussels time, and the event's Shanghai time beside it.
    block = page.locator(".session").first
    expect(block.locator(".viewer-clock .zone")).to_contain_text(ORGANISER_ZONE)
    block_starts = datetime.combine(first, time(16, 0), ZoneInfo(EVENT_ZONE))
    block_clocks = (
        f"{clock_pattern(block_starts, lang)}–{clock_pattern(block_starts + timedelta(minutes=90), lang)}"
    )
    expect(block.locator(".event-clock")).to_have_text(
        re.compile(rf"{block_clocks}\s+{EVENT_ZONE}, UTC\+08:00")
    )

    page.get_by_role("button", name=t(lang, "Publish"), exact=True).click()
    expect_flash(page, t(lang, "The event is published."))
    expect(page.locator(".badge-published")).to_have_text(t(lang, "Published"))
    expect_language(page, lang, t)
    screenshot(page, f"{lang}-02-organiser-event-published")
    return overview_url


def company_signs_up_and_applies(page: Any, lang: str, t: Any, email: str, first: date, last: date) -> None:
    """A company representative signs up, registers the company and applies with two windows."""
    sector = "医疗器械与康复" if lang == "zh" else "Medical devices and rehabilitation"  # a default sector
    follow_nav(page, lang, t, "Sign up")
    page.get_by_label(t(lang, "E-mail address"), exact=True).fill(email)
    page.get_by_label(t(lang, "Your name"), exact=True).fill("Jonas Weber")
    page.get_by_label(t(lang, "Password"), exact=True).fill(TEST_PASSWORD)
    page.get_by_label(t(lang, "Repeat the password"), exact=True).fill(TEST_PASSWORD)
    # timezone.js presets the zone the browser reports.
    expect(page.get_by_label(t(lang, "Time zone"), exact=True)).to_have_value(COMPANY_ZONE)
    page.get_by_role("button", name=t(lang, "Create account")).click()
    expect_flash(page, t(lang, "Welcome, %(name)s. Your account is ready.", name="Jonas Weber"))
    expect_language(page, lang, t)

    follow_nav(page, lang, t, "My organisations")
    page.get_by_role("link", name=t(lang, "Register an organisation")).click()
    page.get_by_label(t(lang, "Name (in English or Latin letters)")).fill(TITLES["organisation"][0])
    page.get_by_label(t(lang, "Chinese name (optional)")).fill(TITLES["organisation"][1])
    page.get_by_label(t(lang, "Country"), exact=True).select_option("DE")
    page.get_by_label(t(lang, "City"), exact=True).fill("Hamburg")
    page.get_by_label(sector, exact=True).check()
    page.get_by_label(t(lang, "Website (optional)")).fill("nordlicht-medical.example")
    page.get_by_role("button", name=t(lang, "Save"), exact=True).click()
    expect_flash(page, t(lang, "The organisation is registered, and you are its owner."))
    expect(page.get_by_role("heading", level=1)).to_contain_text(title("organisation", lang))
    screenshot(page, f"{lang}-03-company-organisation")

    follow_nav(page, lang, t, "Events")
    page.get_by_role("link", name=title("event", lang)).click()
    page.get_by_role("link", name=t(lang, "Apply to pitch")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Apply to pitch"))
    expect(page.get_by_label(t(lang, "Applying company"), exact=True)).to_have_value(re.compile(r"^\d+$"))
    page.get_by_label(t(lang, "Project title"), exact=True).fill(TITLES["project"][0])
    page.get_by_label(t(lang, "Chinese project title (optional)")).fill(TITLES["project"][1])
    page.get_by_label(t(lang, "Summary"), exact=True).fill(
        "A 4 kg powered exoskeleton for gait rehabilitation."
    )
    page.get_by_label(t(lang, "Sector"), exact=True).select_option(label=sector)
    page.get_by_label(t(lang, "Stage"), exact=True).select_option("prototype")
    page.get_by_label(t(lang, "Technology transfer"), exact=True).check()
    expect(page.get_by_label(t(lang, "Your company's time zone"), exact=True)).to_have_value(COMPANY_ZONE)

    rows = page.locator("[data-window-row]")
    first_row = rows.nth(0)
    first_row.get_by_label(t(lang, "Date"), exact=True).fill(first.isoformat())
    first_row.get_by_label(t(lang, "From"), exact=True).fill("08:30")
    first_row.get_by_label(t(lang, "To"), exact=True).fill("12:00")
    # availability.js shows the window on the other side's clock, Shanghai (the event's zone too).
    starts, ends = shanghai_clock(first, 8, 30), shanghai_clock(first, 12, 0)
    preview = first_row.locator("[data-window-preview]")
    expect(preview).to_contain_text(f"{EVENT_ZONE} ({t(lang, 'event')}): ")
    expect(preview).to_have_text(re.compile(clock_pattern(starts, lang) + ".*" + clock_pattern(ends, lang)))

    page.get_by_role("button", name=t(lang, "Add another window")).click()
    expect(rows).to_have_count(2)
    second_row = rows.nth(1)
    expect(second_row.locator("legend")).to_have_text(f"{t(lang, 'Window')} 2")
    second_row.get_by_label(t(lang, "Date"), exact=True).fill(last.isoformat())
    second_row.get_by_label(t(lang, "From"), exact=True).fill("09:00")
    second_row.get_by_label(t(lang, "To"), exact=True).fill("11:00")
    expect(second_row.locator("[data-window-preview]")).to_contain_text(EVENT_ZONE)
    screenshot(page, f"{lang}-04-company-application-form")

    page.get_by_role("button", name=t(lang, "Submit application")).click()
    expect_flash(page, t(lang, "Your application was submitted. You can change it until the deadline."))
    expect(page.get_by_role("heading", level=1)).to_have_text(title("project", lang))
    expect(page.locator("table")).to_contain_text(EVENT_ZONE)
    expect_language(page, lang, t)
    screenshot(page, f"{lang}-05-company-application-submitted")


def organiser_accepts_and_schedules(page: Any, lang: str, t: Any, overview_url: str) -> None:
    """The organiser accepts the application, generates slots, applies a schedule and publishes it."""
    page.goto(overview_url)
    page.get_by_role("link", name=t(lang, "Applications"), exact=True).click()
    expect_language(page, lang, t)
    page.get_by_role("link", name=title("project", lang)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title("project", lang))
    page.get_by_label(t(lang, "Accept"), exact=True).check()
    page.get_by_role("button", name=t(lang, "Save the decision")).click()
    expect_flash(page, t(lang, "The decision was saved and the company was told by e-mail."))
    screenshot(page, f"{lang}-06-organiser-accepted")

    page.goto(overview_url)
    page.get_by_role("link", name=t(lang, "Pitch slots"), exact=True).click()
    page.get_by_role("button", name=t(lang, "Generate slots")).click()
    # 16:00–17:30 in pitches of 10 minutes with 5 minutes of changeover: six slots.
    expect_flash(page, t.plural(lang, "%(num)d slot was generated.", "%(num)d slots were generated.", 6))
    expect(page.locator(".slot-list li")).to_have_count(6)

    page.get_by_role("link", name=t(lang, "Board"), exact=True).click()
    page.get_by_role("button", name=t(lang, "Propose schedule")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Proposed schedule"))
    expect(page.locator("#main")).to_contain_text(title("organisation", lang))
    screenshot(page, f"{lang}-07-organiser-proposal")
    page.get_by_role("button", name=t(lang, "Apply this schedule")).click()
    expect_flash(
        page,
        t(
            lang,
            "The proposal was applied: %(placed)d company(ies) placed, %(moved)d moved, "
            "%(emptied)d slot(s) emptied.",
            placed=1,
            moved=0,
            emptied=0,
        ),
    )

    page.get_by_role("link", name=t(lang, "Releases"), exact=True).click()
    page.get_by_role("button", name=t(lang, "Publish release %(n)d", n=1)).click()
    expect_flash(page, t(lang, "Release %(n)d of the pitch programme is published.", n=1))
    expect(page.get_by_role("heading", name=t(lang, "Release %(n)d", n=1))).to_be_visible()
    expect_language(page, lang, t)
    screenshot(page, f"{lang}-08-organiser-programme-published")


def attendee_registers_stars_and_subscribes(page: Any, lang: str, t: Any, live_server: str) -> None:
    """The attendee registers, stars the pitch block, sees the agenda and copies the feed link."""
    follow_nav(page, lang, t, "Events")
    page.get_by_role("link", name=title("event", lang)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title("event", lang))
    screenshot(page, f"{lang}-09-attendee-event-page")
    page.get_by_role("main").get_by_role("link", name=t(lang, "Register"), exact=True).click()
    page.get_by_label(t(lang, "Attendee"), exact=True).check()
    page.get_by_role("button", name=t(lang, "Register"), exact=True).click()
    expect_flash(page, t(lang, "You are registered. Star the sessions you want in your agenda."))

    block_title = title("block", lang)
    page.get_by_role("button", name=star_button_name(t(lang, "Add to my agenda"), block_title)).click()
    expect(
        page.get_by_role("button", name=star_button_name(t(lang, "Remove from my agenda"), block_title))
    ).to_be_visible()
    # The company's published pitch is listed in the block, with the attendee's clock and the event's.
    pitch = page.locator(".pitch-list li").filter(has_text=title("project", lang))
    expect(pitch).to_contain_text(title("organisation", lang))
    expect(pitch.locator(".viewer-clock .zone")).to_contain_text(ATTENDEE_ZONE)
    expect(pitch.locator(".event-clock .zone")).to_contain_text(EVENT_ZONE)
    expect_language(page, lang, t)
    screenshot(page, f"{lang}-10-attendee-registered")

    follow_nav(page, lang, t, "My agenda")
    agenda = page.get_by_role("main")
    expect(agenda).to_contain_text(block_title)
    expect(agenda.locator(".viewer-clock .zone").first).to_contain_text(ATTENDEE_ZONE)
    expect_language(page, lang, t)
    screenshot(page, f"{lang}-11-attendee-agenda")

    page.goto("/account/calendar")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Calendar subscriptions"))
    page.get_by_role("button", name=t(lang, "Make my personal calendar link")).click()
    address = page.get_by_label(
        t(lang, "Or copy this address into your calendar app (“subscribe by URL” / “add from web”):")
    )
    link = address.input_value()
    assert re.fullmatch(r"https://roadshow\.test/calendar/[A-Za-z0-9_-]{20,}\.ics", link), link
    # Copy it as a person would: select the field's text and press the copy shortcut.
    address.click()
    address.press("Control+A")
    address.press("Control+C")
    assert page.evaluate("navigator.clipboard.readText()") == link
    expect_language(page, lang, t)
    screenshot(page, f"{lang}-12-attendee-feed-link")

    feed = page.context.request.get(live_server + urlsplit(link).path)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    body = feed.text()
    assert body.startswith("BEGIN:VCALENDAR")
    assert block_title in body.replace("\r\n ", "")  # unfold iCalendar lines


def queued_mail(app: Any, email: str) -> list[tuple[str, str]]:
    """(subject, first line of the text) of each e-mail queued for *email*, oldest first."""
    query = sa.select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)
    return [(message.subject, message.body_text.splitlines()[0]) for message in fetch(app, query)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_role_journey_in_the_browser(lang, app, live_server, new_page, make_user, make_event, text_in):
    t = text_in
    first, last = event_days()
    organiser = make_user(
        email=f"organiser-{lang}@example.org", name="Olga Organiser", timezone=ORGANISER_ZONE
    )
    make_event(organiser=organiser, title="An earlier summit")  # organisers of an event may create events
    attendee = make_user(email=f"attendee-{lang}@example.org", name="Ada Attendee", timezone=ATTENDEE_ZONE)
    company_email = f"company-{lang}@example.org"

    organiser_page = new_page(timezone_id=ORGANISER_ZONE)
    open_site(organiser_page, ORGANISER_ZONE)
    log_in(organiser_page, "en", t, organiser.email)
    switch_language(organiser_page, lang, t)
    overview_url = organiser_creates_and_publishes(organiser_page, lang, t, first, last)

    company_page = new_page(timezone_id=COMPANY_ZONE)
    open_site(company_page, COMPANY_ZONE)
    switch_language(company_page, lang, t)
    company_signs_up_and_applies(company_page, lang, t, company_email, first, last)

    organiser_accepts_and_schedules(organiser_page, lang, t, overview_url)
    # The company's e-mails are written in the language it signed up in, with the event's title in it.
    event_title = title("event", lang)
    greeting = t(lang, "Hello %(name)s,", name="Jonas Weber")
    assert queued_mail(app, company_email) == [
        (t(lang, "Accepted: your pitch at %(event)s", event=event_title), greeting),
        (t(lang, "Your pitch slot at %(event)s", event=event_title), greeting),
    ]

    attendee_page = new_page(timezone_id=ATTENDEE_ZONE)
    attendee_page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    open_site(attendee_page, ATTENDEE_ZONE)
    log_in(attendee_page, "en", t, attendee.email)
    switch_language(attendee_page, lang, t)
    attendee_registers_stars_and_subscribes(attendee_page, lang, t, live_server)

    # Every page each person opened after choosing the language was in that language.
    for page, at_least in ((organiser_page, 15), (company_page, 9), (attendee_page, 8)):
        seen = pages_seen(page)
        assert len(seen) >= at_least, seen
        assert [path for path, language in seen if language != HTML_LANG[lang]] == []
        assert page.js_errors == []
