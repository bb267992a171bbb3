"""Public routes: home, event pages, language switcher."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request
from flask_login import current_user

from roadshow.extensions import db
from roadshow.i18n import LANGUAGE_COOKIE
from roadshow.public import services
from roadshow.redirects import safe_next_url

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    """Published upcoming events."""
    return render_template("public/home.html", events=services.upcoming_events())


@bp.get("/events/<slug>")
def event_page(slug: str):
    """An event's public page: its programme day by day, in the event's zone and the reader's."""
    event = services.visible_event_or_none(slug, current_user)
    if event is None:
        abort(404)
    return render_template("public/event.html", event=event, programme=services.programme_by_day(event))


@bp.post("/language")
def set_language():
    """Remember the chosen language (in the profile when signed in) and go back."""
    from flask import current_app

    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated:
        current_user.locale = language
        db.session.commit()
    response = redirect(safe_next_url(request.form.get("next")))
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
