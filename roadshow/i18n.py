"""Language and time-zone selection, and formatting of instants for the reader (two clocks)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from babel import Locale
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


def select_locale() -> Locale:
    """The reader's language: their profile, else the switcher's cookie, else Accept-Language."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # CLI commands and workers speak the default language
        return _babel_locale(default)
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return _babel_locale(current_user.locale)
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return _babel_locale(chosen)
    return _babel_locale(request.accept_languages.best_match(languages) or default)


@lru_cache(maxsize=16)
def _babel_locale(code: str) -> Locale:
    # Flask-Babel would parse the code on every request; a Locale it is given is used as it is.
    return Locale.parse(code)


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


# Formatted texts are cached by their immutable inputs: Babel looks up locale data and applies its
# patterns field by field on every call, and a programme page formats the same instants again on
# every request. The reader's locale (a Babel Locale, hashable) is part of every key, so a page in
# Chinese never gets an English text. An instant's key carries its UTC offset too: datetimes that
# compare equal may still be written with another offset (or fold), which Babel can see.
_CLOCK_CACHE_SIZE = 8192
_DAY_CACHE_SIZE = 2048


def format_instant(instant: datetime, tz_name: str, fmt: str = "medium") -> str:
    """An instant as date and time in zone *tz_name*, in the reader's language."""
    if not isinstance(instant, datetime):  # Babel's other inputs (None: now, a timestamp) vary
        return format_datetime(instant, fmt, tzinfo=timezones.zone(tz_name), locale=get_locale())
    return _format_instant(instant, instant.utcoffset(), tz_name, fmt, get_locale())


@lru_cache(maxsize=_DAY_CACHE_SIZE)
def _format_instant(instant: datetime, _offset: Any, tz_name: str, fmt: str, locale: Locale | None) -> str:
    return format_datetime(instant, fmt, tzinfo=timezones.zone(tz_name), locale=locale)


def format_clock(instant: datetime, tz_name: str) -> str:
    """An instant's time of day (e.g. 09:30) in zone *tz_name*."""
    if not isinstance(instant, datetime):
        return format_time(instant, "short", tzinfo=timezones.zone(tz_name), locale=get_locale())
    return _format_clock(instant, instant.utcoffset(), tz_name, get_locale())


@lru_cache(maxsize=_CLOCK_CACHE_SIZE)
def _format_clock(instant: datetime, _offset: Any, tz_name: str, locale: Locale | None) -> str:
    return format_time(instant, "short", tzinfo=timezones.zone(tz_name), locale=locale)


def format_day(instant_or_date: Any, tz_name: str | None = None, fmt: str = "full") -> str:
    """A calendar day (of an instant in *tz_name*, or a plain date) in the reader's language."""
    if isinstance(instant_or_date, datetime):
        if tz_name is None:
            raise ValueError("a time zone is needed to find an instant's day")
        instant_or_date = timezones.local_date(instant_or_date, tz_name)
    if type(instant_or_date) is not date:  # only plain dates are cached (hashable, one text each)
        return format_date(instant_or_date, fmt, locale=get_locale())
    return _format_date(instant_or_date, fmt, get_locale())


@lru_cache(maxsize=_DAY_CACHE_SIZE)
def _format_date(day: date, fmt: str, locale: Locale | None) -> str:
    return format_date(day, fmt, locale=locale)


def zone_label(tz_name: str, instant: datetime | None = None) -> str:
    """A zone named for people: its IANA name and offset at *instant* (``Asia/Shanghai, UTC+08:00``)."""
    if instant is None:
        return tz_name
    return f"{tz_name}, {timezones.utc_offset_label(instant, tz_name)}"


def zone_display_name(tz_name: str) -> str:
    """The zone's localised generic name, e.g. "Central European Time" / "中欧时间"."""
    return _zone_display_name(tz_name, get_locale())


@lru_cache(maxsize=1024)
def _zone_display_name(tz_name: str, locale: Locale | None) -> str:
    # Without a date Babel gives the generic name, which does not depend on the day.
    return get_timezone_name(timezones.zone(tz_name), locale=locale)


class TwoClocks(NamedTuple):
    """The texts of a time range on the viewer's clock and on the event's (see _macros.two_clocks)."""

    viewer_start: str
    viewer_end: str
    viewer_end_day: str | None  # the end's day when it is not the start's day on the viewer's clock
    viewer_zone: str
    event_start: str | None  # the event's clock: None when both zones are the same
    event_end: str | None
    event_day: str | None  # the start's day on the event's clock when it is not the viewer's day
    event_zone: str | None


def two_clocks(starts_at: datetime, ends_at: datetime, event_tz: str, viewer_tz: str) -> TwoClocks:
    """Every text of a time range shown on two clocks, formatted once for the reader's language."""
    return _two_clocks(
        starts_at, starts_at.utcoffset(), ends_at, ends_at.utcoffset(), event_tz, viewer_tz, get_locale()
    )


@lru_cache(maxsize=_CLOCK_CACHE_SIZE)
def _two_clocks(
    starts_at: datetime,
    starts_offset: Any,
    ends_at: datetime,
    ends_offset: Any,
    event_tz: str,
    viewer_tz: str,
    locale: Locale | None,
) -> TwoClocks:
    def clock(instant: datetime, offset: Any, tz_name: str) -> str:
        return _format_clock(instant, offset, tz_name, locale)

    def day(instant: datetime, tz_name: str, fmt: str = "full") -> str:
        return _format_date(timezones.local_date(instant, tz_name), fmt, locale)

    viewer_start_day = day(starts_at, viewer_tz)
    viewer_end_day = None
    if day(ends_at, viewer_tz) != viewer_start_day:
        viewer_end_day = day(ends_at, viewer_tz, "medium")
    if event_tz == viewer_tz:
        event_texts: tuple[str | None, ...] = (None, None, None, None)
    else:
        event_texts = (
            clock(starts_at, starts_offset, event_tz),
            clock(ends_at, ends_offset, event_tz),
            day(starts_at, event_tz, "medium") if day(starts_at, event_tz) != viewer_start_day else None,
            zone_label(event_tz, starts_at),
        )
    return TwoClocks(
        clock(starts_at, starts_offset, viewer_tz),
        clock(ends_at, ends_offset, viewer_tz),
        viewer_end_day,
        zone_label(viewer_tz, starts_at),
        *event_texts,
    )


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
    locale = get_locale()
    # The identifier starts with the language (``zh_Hans_CN``): no need to build it.
    if locale is not None and locale.language.startswith("zh"):
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
        clock_texts=two_clocks,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        current_locale=lambda: str(get_locale()),
        event_kind_label=lambda kind: str(EVENT_KIND_LABELS[EventKind(kind)]),
        event_status_label=lambda status: str(EVENT_STATUS_LABELS[EventStatus(status)]),
        session_kind_label=lambda kind: str(SESSION_KIND_LABELS[SessionKind(kind)]),
    )
