"""Steps shared by the browser tests: screenshots, waiting for the zone cookie, switching language,
checking that a page speaks the reader's language, logging in through the form."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.conftest import TEST_PASSWORD

LANGUAGE_BUTTONS = {"en": "English", "zh": "简体中文"}
HTML_LANG = {"en": "en", "zh": "zh-Hans"}


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as tests/browser/artifacts/<name>.png and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_cookie(page: Any, name: str, timeout: float = 5.0) -> str:
    """The value of cookie *name* once the page's scripts have set it (timezone.js posts the zone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for cookie in page.context.cookies():
            if cookie["name"] == name:
                return cookie["value"]
        page.wait_for_timeout(50)
    raise AssertionError(f"cookie {name!r} was never set")


def open_site(page: Any, timezone_id: str) -> None:
    """Open the home page and let timezone.js report the browser's zone (it may reload a page once),
    so that no reload happens in the middle of a later step."""
    page.goto("/")
    assert wait_for_cookie(page, "tz") == timezone_id
    page.goto("/")


def expect_language(page: Any, lang: str, t: Callable[..., str]) -> None:
    """The page is in *lang*: the document's language, and the main navigation's words."""
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
    navigation = page.get_by_role("navigation", name=t(lang, "Main"))
    expect(navigation.get_by_role("link", name=t(lang, "Events"), exact=True)).to_be_visible()
    # Signed in, the switcher is a form of buttons; for visitors, links. Either marks the current one.
    expect(language_choice(page, lang)).to_have_attribute("aria-current", "true")
    assert page.js_errors == [], page.js_errors


def language_choice(page: Any, lang: str) -> Any:
    """The language switcher's button (signed in) or link (visitors) for *lang*."""
    return page.locator(".language-switcher").get_by_text(LANGUAGE_BUTTONS[lang], exact=True)


def switch_language(page: Any, lang: str, t: Callable[..., str]) -> None:
    """Choose *lang* with the switcher on the page (a no-op check for English, the default)."""
    if page.locator("html").get_attribute("lang") != HTML_LANG[lang]:
        with page.expect_navigation():
            language_choice(page, lang).click()
    expect_language(page, lang, t)
    pages_seen(page, forget=True)  # from here on, every page this person opens must be in *lang*


def pages_seen(page: Any, forget: bool = False) -> list[tuple[str, str]]:
    """(path, document language) of every page this person's browser loaded, oldest first."""
    seen = page.evaluate("JSON.parse(localStorage.getItem('pages-seen') || '[]')")
    if forget:
        page.evaluate("localStorage.removeItem('pages-seen')")
    return [tuple(entry) for entry in seen]


def log_in(page: Any, lang: str, t: Callable[..., str], email: str, password: str = TEST_PASSWORD) -> None:
    """Log in through the form, from the navigation's link."""
    follow_nav(page, lang, t, "Log in")
    page.get_by_label(t(lang, "E-mail address")).fill(email)
    page.get_by_label(t(lang, "Password")).fill(password)
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name=t(lang, "Log in")).click()
    expect(page.get_by_role("button", name=t(lang, "Log out"))).to_be_visible()


def follow_nav(page: Any, lang: str, t: Callable[..., str], label: str) -> None:
    """Click the main navigation's link named *label* (an English msgid) in *lang*."""
    page.get_by_role("navigation", name=t(lang, "Main")).get_by_role(
        "link", name=t(lang, label), exact=True
    ).click()


def expect_flash(page: Any, text: str) -> None:
    """A flash message with *text* is shown."""
    expect(page.locator(".flashes")).to_contain_text(text)
