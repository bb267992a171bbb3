"""The message catalogues: the template (.pot) is up to date with the code, the Chinese catalogue
follows it, is well-formed, and is what a Chinese reader gets.

When the first test fails, run ``make babel-update`` (it re-extracts and updates the .po files).
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from config import TestConfig
from roadshow import PROJECT_ROOT, create_app
from roadshow.extensions import db
from roadshow.models import Base
from tests.conftest import post_form

TRANSLATIONS = PROJECT_ROOT / "roadshow" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
CHINESE = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
# The same keywords as `make babel-extract` (Makefile, EXTRACT).
EXTRA_KEYWORDS = ("_l", "lazy_gettext")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _message_keys(catalog: Catalog) -> set[tuple[str | None, object]]:
    return {(message.context, message.id) for message in catalog if message.id}


def _extract(tmp_path: Path) -> Catalog:
    """Extract the project's messages afresh, as `make babel-extract` does, into a temporary file."""
    output = tmp_path / "messages.pot"
    arguments = ["pybabel", "--quiet", "extract", "-F", str(PROJECT_ROOT / "babel.cfg")]
    for keyword in EXTRA_KEYWORDS:
        arguments += ["-k", keyword]
    CommandLineInterface().run([*arguments, "-o", str(output), str(PROJECT_ROOT)])
    return _read(output)


def _describe(keys: set) -> str:
    return ", ".join(sorted(repr(message_id) for _, message_id in keys)[:20])


def test_catalogue_template_is_up_to_date_with_the_code(tmp_path: Path):
    fresh, committed = _message_keys(_extract(tmp_path)), _message_keys(_read(TEMPLATE))
    missing, stale = fresh - committed, committed - fresh
    assert not missing, f"not extracted yet (run make babel-update): {_describe(missing)}"
    assert not stale, f"no longer in the code (run make babel-update): {_describe(stale)}"


def test_chinese_catalogue_has_every_message_of_the_template():
    assert _message_keys(_read(CHINESE, "zh")) == _message_keys(_read(TEMPLATE))


def test_chinese_translations_keep_their_placeholders():
    catalogue = _read(CHINESE, "zh")
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalogue.check()]
    assert problems == []


@pytest.fixture
def chinese_app(tmp_path: Path):
    """An app whose translations are the committed Chinese catalogue, compiled afresh."""
    compiled = tmp_path / "translations" / "zh" / "LC_MESSAGES"
    compiled.mkdir(parents=True)
    with (compiled / "messages.mo").open("wb") as handle:
        write_mo(handle, _read(CHINESE, "zh"), use_fuzzy=True)
    application = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'i18n.sqlite3'}",
        INSTANCE_PATH=str(tmp_path),
        BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"),
    )
    with application.app_context():
        Base.metadata.create_all(db.engine)
    yield application
    with application.app_context():
        db.engine.dispose()


def test_compiled_chinese_catalogue_translates_the_layout(chinese_app):
    layout_translations = [
        html.escape(message.string, quote=False)
        for message in _read(CHINESE, "zh")
        if message.id
        and message.string
        and message.string != message.id
        and "%(" not in message.id
        and any(path == "templates/base.html" for path, _ in message.locations)
    ]
    assert layout_translations, "no string of templates/base.html is translated into Chinese"
    client = chinese_app.test_client()
    chinese = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    shown = [text for text in layout_translations if text in chinese]
    assert shown, "the Chinese home page shows none of the layout's translations"
    assert not [text for text in shown if text in english]


def _untranslated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return not all(text and text.strip() for text in strings)


def test_chinese_catalogue_has_no_untranslated_or_fuzzy_entry():
    catalogue = _read(CHINESE, "zh")
    untranslated = {
        (message.context, message.id) for message in catalogue if message.id and _untranslated(message)
    }
    fuzzy = {(message.context, message.id) for message in catalogue if message.id and message.fuzzy}
    assert not untranslated, f"{len(untranslated)} not translated into Chinese: {_describe(untranslated)}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy (check and clear the flag): {_describe(fuzzy)}"


def test_chinese_catalogue_plural_entries_have_chinese_single_form():
    catalogue = _read(CHINESE, "zh")
    plurals = [message for message in catalogue if message.id and message.pluralizable]
    assert catalogue.num_plurals == 1
    assert plurals, "the catalogue has no plural entry to check"
    assert [message.id for message in plurals if len(message.string) != 1] == []


def test_chinese_reader_sees_wtforms_messages_in_chinese(chinese_app):
    client = chinese_app.test_client()
    client.set_cookie("lang", "zh", domain=chinese_app.config["SERVER_NAME"])
    page = post_form(client, "/signup", {"email": "", "name": "", "password": "", "confirm": ""})
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    # WTForms' own "This field is required.", translated by Flask-WTF: e-mail, name, password, repeat.
    assert body.count("该字段是必填字段。") == 4
    assert "This field is required." not in body


def test_english_reader_sees_wtforms_messages_in_english(chinese_app):
    client = chinese_app.test_client()
    client.set_cookie("lang", "en", domain=chinese_app.config["SERVER_NAME"])
    body = post_form(client, "/signup", {"email": "", "name": "", "password": ""}).get_data(as_text=True)
    assert body.count("This field is required.") == 4
    assert "该字段是必填字段。" not in body
