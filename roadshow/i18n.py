"""Language and time-zone selection, and formatting of instants for the reader (two clocks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_date, format_datetime, format_time, get_timezone_name
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

from roadshow import timezones
from roadshow.enums import EventKind, EventStatus, SessionKind

LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}
LANGUAGE_COOKIE = "lang"
TIMEZONE_COOKIE = "tz"


def select_locale() -> str:
    """The reader's language: their profile, else the switcher's cookie, else Accept-Language."""
    if not has_request_context():  # CLI commands and workers speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Flask-Babel's default zone: the reader's own zone when known, else UTC."""
    return viewer_timezone() or "UTC"


def viewer_timezone() -> str | None:
    """The reader's IANA zone: their profile, else the zone their browser reported; None if unknown."""
    if not has_request_context():
        return None
    preview = g.get("preview_timezone")  # a validated ?tz= preview of another zone
    if preview:
        return preview
    if current_user and current_user.is_authenticated and timezones.is_valid_timezone(current_user.timezone):
        return current_user.timezone
    reported = request.cookies.get(TIMEZONE_COOKIE)
    if timezones.is_valid_timezone(reported):
        return reported
    return None


def format_instant(instant: datetime, tz_name: str, fmt: str = "medium") -> str:
    """An instant as date and time in zone *tz_name*, in the reader's language."""
    return format_datetime(instant, fmt, tzinfo=timezones.zone(tz_name), locale=get_locale())


def format_clock(instant: datetime, tz_name: str) -> str:
    """An instant's time of day (e.g. 09:30) in zone *tz_name*."""
    return format_time(instant, "short", tzinfo=timezones.zone(tz_name), locale=get_locale())


def format_day(instant_or_date: Any, tz_name: str | None = None, fmt: str = "full") -> str:
    """A calendar day (of an instant in *tz_name*, or a plain date) in the reader's language."""
    if isinstance(instant_or_date, datetime):
        if tz_name is None:
            raise ValueError("a time zone is needed to find an instant's day")
        instant_or_date = timezones.local_date(instant_or_date, tz_name)
    return format_date(instant_or_date, fmt, locale=get_locale())


def zone_label(tz_name: str, instant: datetime | None = None) -> str:
    """A zone named for people: its IANA name and offset at *instant* (``Asia/Shanghai, UTC+08:00``)."""
    if instant is None:
        return tz_name
    return f"{tz_name}, {timezones.utc_offset_label(instant, tz_name)}"


def zone_display_name(tz_name: str) -> str:
    """The zone's localised generic name, e.g. "Central European Time" / "中欧时间"."""
    return get_timezone_name(timezones.zone(tz_name), locale=get_locale())


EVENT_KIND_LABELS = {EventKind.SUMMIT: _l("Online summit"), EventKind.ROADSHOW: _l("Project roadshow")}
EVENT_STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.CANCELLED: _l("Cancelled"),
    EventStatus.ARCHIVED: _l("Archived"),
}
SESSION_KIND_LABELS = {
    SessionKind.KEYNOTE: _l("Keynote"),
    SessionKind.PANEL: _l("Panel"),
    SessionKind.PITCH_BLOCK: _l("Pitch block"),
    SessionKind.NETWORKING: _l("Networking"),
    SessionKind.BREAK: _l("Break"),
}


def localized(obj: Any, field: str) -> str:
    """*obj*'s *field* in the reader's language: ``<field>_zh`` for Chinese readers when filled."""
    if str(get_locale()).startswith("zh"):
        chinese = getattr(obj, f"{field}_zh", None)
        if chinese:
            return chinese
    return getattr(obj, field) or ""


def register_template_helpers(app: Flask) -> None:
    """Expose the formatting helpers to Jinja."""
    # Flask-Babel's lazy strings claim to be markup (__html__ returns them unescaped), so a lazy
    # message carrying user text (a form error quoting what was typed) would print raw HTML.
    # Translations here are text, never markup: escape them like any other string.
    LazyString.__html__ = lambda self: escape(str(self))
    app.jinja_env.filters.update(
        instant=format_instant,
        clock=format_clock,
        day=format_day,
        localized=localized,
    )
    app.jinja_env.globals.update(
        viewer_timezone=viewer_timezone,
        zone_label=zone_label,
        zone_display_name=zone_display_name,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        current_locale=lambda: str(get_locale()),
        event_kind_label=lambda kind: str(EVENT_KIND_LABELS[EventKind(kind)]),
        event_status_label=lambda status: str(EVENT_STATUS_LABELS[EventStatus(status)]),
        session_kind_label=lambda kind: str(SESSION_KIND_LABELS[SessionKind(kind)]),
    )
