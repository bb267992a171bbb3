"""Rendered public event pages, kept so that a busy page is rendered once per version.

Two layers, each keyed by everything its HTML depends on, so an entry never needs invalidating: a
change makes a new key and the old entry ages out of a bounded LRU (shared through Redis when
REDIS_URL is set: roadshow.shared_cache).

- The whole page, for anonymous visitors with no flash message waiting, on URLs whose only query
  argument is a ``?tz=`` preview. Key: the event's id, programme version and ``updated_at`` (every
  change the page shows raises the version — see roadshow.events.services), the language, the
  reader's zone (their cookie or the preview) and the path with its query string (the language
  switcher sends the reader back there). Visitors' pages hold no CSRF token (their language
  switcher is made of links), so one copy serves them all and answering costs no session; a page
  that did ask for a token is never stored.
- The programme (sessions day by day), for everyone else who sees a public event: the same key
  without the path, rendered into each reader's own page (their navigation, their flashes).

Drafts are never cached: only their organisers see them, and they must see every edit at once.
Anonymous visitors' pages look the event up with roadshow.feeds.services.public_event, which each
process keeps for ``FEED_HEAD_TTL`` seconds, so a hit costs no query and a change reaches anonymous
readers within that time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, Response, current_app, g, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from roadshow.feeds.services import EventHead, public_event
from roadshow.i18n import viewer_timezone
from roadshow.lru import BoundedLRU
from roadshow.models import Event
from roadshow.permissions import PUBLIC_EVENT_STATUSES
from roadshow.public import services

DEFAULT_MAX_ENTRIES = 256
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
EXTENSION_KEY = "roadshow.page_cache"
# Query arguments a cached page may carry: the ``?tz=`` preview (checked before the view runs).
# Other arguments (a campaign's click ids, say) would each make a new entry and push useful ones
# out, so such pages are rendered around the cached programme instead.
CACHEABLE_ARGUMENTS = frozenset({"tz"})
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


class PageCache(Protocol):
    """Where rendered pages and programmes are kept (an in-process LRU, or Redis in front of one)."""

    def get(self, key: str) -> str | bytes | None:
        """The value under *key*, or None."""

    def put(self, key: str, value: str | bytes) -> None:
        """Store *value* under *key*."""

    def clear(self) -> None:
        """Forget every value."""

    def __len__(self) -> int:
        """How many values this process keeps."""


def local_page_cache(app: Flask) -> BoundedLRU[str | bytes]:
    """A new in-process LRU sized by ``PAGE_CACHE_ENTRIES`` and ``PAGE_CACHE_MAX_BYTES``."""
    return BoundedLRU(
        int(app.config.get("PAGE_CACHE_ENTRIES", DEFAULT_MAX_ENTRIES)),
        int(app.config.get("PAGE_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES)),
    )


def page_cache(app: Flask) -> PageCache:
    """*app*'s page cache: the shared one roadshow.shared_cache installed, else a local LRU."""
    cache = app.extensions.get(EXTENSION_KEY)
    if cache is None:
        cache = app.extensions.setdefault(EXTENSION_KEY, local_page_cache(app))
    return cache


@lru_cache(maxsize=1)
def release_digest() -> str:
    """A digest of the code, templates and translations that render pages (read once per process).

    Part of every shared page key, so that after a deployment no process serves a page that the
    previous release rendered.
    """
    digest = hashlib.sha256()
    for folder, pattern in (("roadshow", "**/*.py"), ("templates", "**/*.html"), ("roadshow", "**/*.mo")):
        for path in sorted((_PROJECT_ROOT / folder).glob(pattern)):
            digest.update(path.relative_to(_PROJECT_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _cache() -> PageCache:
    return page_cache(current_app._get_current_object())  # type: ignore[attr-defined]


def _key_text(key: tuple[Hashable, ...]) -> str:
    """A key as the text both caches take (paths and zones can be long: a digest)."""
    return hashlib.sha256(repr(key).encode("utf-8")).hexdigest()


def _reader() -> tuple[str, str | None]:
    """This reader's language and zone (their own, or a ``?tz=`` preview)."""
    return str(get_locale()), viewer_timezone()


def _version_key(kind: str, event: Event | EventHead) -> tuple[Hashable, ...]:
    """What a rendering of *event* depends on, for this reader: versions, language and zone."""
    return (kind, event.id, event.programme_version, event.updated_at.isoformat(), *_reader())


def _path() -> str:
    """The path and query string, as the language switcher's ``next`` field carries them."""
    return request.full_path if request.query_string else request.path


# --- Whole pages, for anonymous visitors ---------------------------------------------------------------


def _anonymous_without_flashes(arguments: frozenset[str]) -> bool:
    """May this request's whole page be shared? Anonymous, no flash waiting, only *arguments* given."""
    if current_user.is_authenticated or "_flashes" in session:  # flashes are personal
        return False
    return request.args.keys() <= arguments and all(
        len(request.args.getlist(name)) == 1 for name in request.args
    )


def cacheable_head(slug: str) -> EventHead | None:
    """The public event *slug* when this request's whole page may come from the cache, else None.

    Only anonymous visitors with no flash message waiting qualify, on URLs with no query argument
    but ``tz``. Unknown slugs and drafts give None: they take the usual path.
    """
    if not _anonymous_without_flashes(CACHEABLE_ARGUMENTS):
        return None
    return public_event(slug)


def event_page_key(event: Event | EventHead) -> tuple[Hashable, ...]:
    """The cache key of *event*'s whole page at this URL, for this reader."""
    return (*_version_key("page", event), _path())


def home_key() -> tuple[Hashable, ...] | None:
    """The cache key of the home page for this request (one light query), or None when not shared."""
    if not _anonymous_without_flashes(frozenset()):
        return None
    return home_key_of(services.upcoming_event_versions())


def home_key_of(versions: Iterable[tuple[int, datetime]]) -> tuple[Hashable, ...]:
    """The cache key of the home page listing events of these (id, updated_at), for this reader."""
    listed = tuple((event_id, updated_at.isoformat()) for event_id, updated_at in versions)
    return ("home", *_reader(), _path(), listed)


def cached_page(key: tuple[Hashable, ...]) -> Response | None:
    """The page stored under *key*, or None."""
    body = _cache().get(_key_text(key))
    if not isinstance(body, bytes):
        return None
    return Response(body, mimetype="text/html")


def store_page(key: tuple[Hashable, ...], html: str) -> None:
    """Keep *html*, a page just rendered for an anonymous visitor, under *key*."""
    if current_user.is_authenticated:  # never share a signed-in reader's page (their navigation)
        return
    if g.get("csrf_token") is not None:  # the page holds this visitor's own CSRF token: never shared
        return
    _cache().put(_key_text(key), html.encode())


# --- The programme, for every reader of a public event ----------------------------------------------------


def _render_programme(event: Event) -> str:
    return render_template("public/_programme.html", event=event, programme=services.programme_by_day(event))


def programme_html(event: Event) -> Markup:
    """The programme part of *event*'s page for this reader: cached for public events, fresh for drafts."""
    if event.status not in PUBLIC_EVENT_STATUSES:
        html: Any = _render_programme(event)
    else:
        key = _key_text(_version_key("programme", event))
        html = _cache().get(key)
        if not isinstance(html, str):
            html = _render_programme(event)
            _cache().put(key, html)
    # Markup is safe here: the fragment comes from our own template, which escapes every value it
    # prints (titles and descriptions included); nothing in it is marked safe.
    return Markup(html)  # noqa: S704 - see above
