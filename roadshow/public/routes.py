"""Public routes: home, event pages, language switcher."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from flask_login import current_user

from roadshow.extensions import db
from roadshow.i18n import LANGUAGE_COOKIE
from roadshow.permissions import PUBLIC_EVENT_STATUSES
from roadshow.public import page_cache, services
from roadshow.redirects import safe_next_url

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    """Published upcoming events (anonymous visitors get the page from roadshow.public.page_cache)."""
    key = page_cache.home_key()
    if key is not None and (cached := page_cache.cached_page(key)) is not None:
        return cached
    events = services.upcoming_events()
    html = render_template("public/home.html", events=events)
    if key is not None:
        page_cache.store_page(page_cache.home_key_of((event.id, event.updated_at) for event in events), html)
    return html


@bp.get("/events/<slug>")
def event_page(slug: str):
    """An event's public page: its programme day by day, in the event's zone and the reader's.

    Anonymous visitors get the whole page from roadshow.public.page_cache; everyone else gets their
    own page around the cached programme (drafts are rendered afresh for their organisers).
    """
    head = page_cache.cacheable_head(slug)
    if head is not None and (cached := page_cache.cached_page(page_cache.event_page_key(head))) is not None:
        return cached
    event = services.visible_event_or_none(slug, current_user)
    if event is None:
        abort(404)
    html = render_template("public/event.html", event=event, programme_html=page_cache.programme_html(event))
    if head is not None and event.status in PUBLIC_EVENT_STATUSES:
        page_cache.store_page(page_cache.event_page_key(event), html)
    return html


@bp.get("/language/<language>")
def choose_language(language: str):
    """A visitor's language switch: remember *language* in their cookie and go back.

    Only a display preference in the visitor's own browser changes (nothing on the server), so a
    link does; signed-in readers use the form below, which also saves the choice in their profile.
    """
    if language not in current_app.config["LANGUAGES"]:
        abort(404)
    return _remember_language(redirect(safe_next_url(request.args.get("next"))), language)


def _remember_language(response: Response, language: str) -> Response:
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.post("/language")
def set_language():
    """Remember the chosen language (in the profile when signed in) and go back."""
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated:
        current_user.locale = language
        db.session.commit()
    return _remember_language(redirect(safe_next_url(request.form.get("next"))), language)
