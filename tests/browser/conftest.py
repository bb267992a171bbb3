"""Browser tests: the app served over real HTTP from a thread, driven by Debian's Chromium.

The server runs the session's ``app`` (the same database as every other test: SQLite, or
PostgreSQL with TEST_DATABASE_URL), so the factories of tests/conftest.py prepare what a journey
needs and the usual clean-up empties the tables after each test. Playwright's sync API launches the
system ``chromium`` (never a downloaded browser); when it is missing, the tests are skipped.
Screenshots go to tests/browser/artifacts/ (git-ignored).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.support import Translations
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 15_000
# Every page the browser loads notes its path and language (helpers.pages_seen reads the notes).
RECORD_PAGE_LANGUAGE = """
addEventListener("DOMContentLoaded", () => {
  const seen = JSON.parse(localStorage.getItem("pages-seen") || "[]");
  seen.push([location.pathname, document.documentElement.lang]);
  localStorage.setItem("pages-seen", JSON.stringify(seen));
});
"""


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The app served on 127.0.0.1 (a free port) by a threaded WSGI server; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, launched once for the run (skips when it is not installed)."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); browser tests need it")
    from playwright.sync_api import sync_playwright  # requirements-dev.txt; imported only when needed

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    """Factory: ``new_page(timezone_id="Europe/Brussels", **context_options)`` → a page in its own
    browser context (its own cookies: one person), with the live server as base URL."""
    contexts: list[Any] = []

    def factory(timezone_id: str = "Europe/Brussels", **options: Any) -> Any:
        options.setdefault("locale", "en-GB")  # Accept-Language: Chinese comes from the switcher only
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=live_server, timezone_id=timezone_id, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(RECORD_PAGE_LANGUAGE)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors  # checked by the tests: no page may throw
        return page

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def catalogue(app: Flask) -> Translations:
    """The compiled Chinese catalogue the app itself uses."""
    loaded = Translations.load(app.config["BABEL_TRANSLATION_DIRECTORIES"], ["zh"])
    assert isinstance(loaded, Translations), "no compiled Chinese catalogue: run `make translations`"
    return loaded


@pytest.fixture(scope="session")
def text_in(catalogue: Translations) -> Callable[..., str]:
    """``text_in(lang, msgid, **values)``: the interface text a reader of *lang* sees (``en``/``zh``);
    ``text_in.plural(lang, singular, plural, num, **values)`` for ngettext messages.

    A Chinese text that is still the English source fails the test: the journeys assert Chinese."""

    def translate(lang: str, message: str, **values: Any) -> str:
        if lang == "zh":
            translated = catalogue.gettext(message)
            assert translated != message, f"not translated into Chinese: {message!r}"
            message = translated
        return message % values if values else message

    def plural(lang: str, singular: str, plural_form: str, num: int, **values: Any) -> str:
        if lang == "zh":
            message = catalogue.ngettext(singular, plural_form, num)
            assert message not in (singular, plural_form), f"not translated into Chinese: {singular!r}"
        else:
            message = singular if num == 1 else plural_form
        return message % {"num": num, **values}

    translate.plural = plural  # ``text_in.plural(lang, singular, plural, num, **values)``
    return translate
