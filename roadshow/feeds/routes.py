"""Feed routes: event feeds, single downloads, personal webcal feeds and the subscription pages.

Every calendar URL answers a conditional request (304) from its validators before loading any
session, and the same plain 404 for anything it will not show (unknown slug, draft, unknown or
revoked or malformed token). Personal feeds need no cookie: their URL is the credential.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from roadshow.extensions import db, limiter
from roadshow.feeds import http, reads, services, tokens
from roadshow.feeds.redaction import install_token_redaction
from roadshow.i18n import LANGUAGE_NAMES
from roadshow.links import external_url
from roadshow.models import utcnow

bp = Blueprint("feeds", __name__)
# Feeds carry no rate limit (calendar apps poll them; they are cheap); skip the limiter entirely.
limiter.exempt(bp)


@bp.record_once
def _setup(state) -> None:
    """Keep personal feed tokens out of the access and error logs; close feed read connections."""
    install_token_redaction(state.app)
    reads.init_app(state.app)


def _calendar(key: services.FeedKey, render, *, private: bool = False, filename: str | None = None):
    """304 from *key*'s validators, else the (cached) body from *render*."""
    cache_control = http.PRIVATE_CACHE_CONTROL if private else http.PUBLIC_CACHE_CONTROL
    headers = http.PERSONAL_HEADERS if private else None
    if http.is_not_modified(request, key.validators):
        return http.not_modified(key.validators, cache_control=cache_control, headers=headers)
    body = services.cached_body(key, render) if filename is None else render()
    return http.calendar_response(
        body, key.validators, cache_control=cache_control, filename=filename, headers=headers
    )


@bp.get("/events/<slug>/calendar.ics")
def event_feed(slug: str):
    """The event's feed: its sessions and published pitch slots (``?lang=zh`` for Chinese titles)."""
    event = services.public_event(slug)
    if event is None:
        return http.not_found()
    language = services.feed_language(request.args.get("lang"))
    now = utcnow()
    key = services.event_feed_key(event, language, now)
    return _calendar(key, lambda: services.render_event_feed(event, language, now))


@bp.get("/events/<slug>/sessions/<int:session_id>.ics")
def session_download(slug: str, session_id: int):
    """One session as an ``.ics`` download."""
    event = services.public_event(slug)
    if event is None:
        return http.not_found()
    language = services.feed_language(request.args.get("lang"))
    key = services.item_key(event, "session", session_id, language)
    body = None
    if not http.is_not_modified(request, key.validators):
        body = services.session_download(event, session_id, language)
        if body is None:
            return http.not_found()
    return _calendar(key, lambda: body, filename=f"session-{session_id}.ics")


@bp.get("/events/<slug>/slots/<int:slot_id>.ics")
def slot_download(slug: str, slot_id: int):
    """One published pitch slot as an ``.ics`` download."""
    event = services.public_event(slug)
    if event is None:
        return http.not_found()
    language = services.feed_language(request.args.get("lang"))
    key = services.item_key(event, "slot", slot_id, language)
    body = None
    if not http.is_not_modified(request, key.validators):
        body = services.slot_download(event, slot_id, language)
        if body is None:
            return http.not_found()
    return _calendar(key, lambda: body, filename=f"slot-{slot_id}.ics")


@bp.get("/calendar/<token>.ics")
def personal_feed(token: str):
    """A user's personal feed, found by the secret in its URL (no cookie, no login)."""
    owner = tokens.token_owner(token)
    if owner is None:
        return http.not_found(personal=True)
    now = utcnow()
    key = services.personal_feed_key(owner, now)
    return _calendar(key, lambda: services.render_personal_feed(owner, now), private=True)


@bp.get("/events/<slug>/subscribe")
def subscribe(slug: str):
    """How to subscribe to the event's feed: webcal, Google, Outlook.com, or the plain URL."""
    event = services.public_event(slug)
    if event is None:
        abort(404)
    feeds = []
    for language, label in LANGUAGE_NAMES.items():
        url = external_url("feeds.event_feed", slug=event.slug, **services.lang_args(language))
        name = event.title_zh if language == "zh" and event.title_zh else event.title
        feeds.append((language, label, services.subscription_links(url, name)))
    return render_template("feeds/subscribe.html", event=event, feeds=feeds)


def _subscriptions_page(new_token: str | None = None):
    """The personal subscriptions page; a new token's URL is shown in this response only."""
    links = None
    if new_token is not None:
        url = external_url("feeds.personal_feed", token=new_token)
        links = services.subscription_links(url, "Roadshow")
    response = make_response(
        render_template(
            "feeds/subscriptions.html",
            token=tokens.active_token(current_user),
            links=links,
            fresh=bool(links),
        )
    )
    # The page may carry a secret URL: never cached, never sent on as a Referer.
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(http.PERSONAL_HEADERS)
    return response


@bp.get("/account/calendar")
@login_required
def subscriptions():
    """The signed-in user's calendar subscriptions: their personal feed link and how to use it."""
    return _subscriptions_page()


@bp.post("/account/calendar/new")
@login_required
def new_personal_feed():
    """Make a new personal feed URL (the old one stops working at once) and show it, once."""
    token = tokens.issue_token(current_user)
    db.session.commit()
    return _subscriptions_page(token)


@bp.post("/account/calendar/stop")
@login_required
def stop_personal_feed():
    """Turn the personal feed off: its URL stops working."""
    if tokens.revoke_tokens(current_user):
        flash(_("Your personal calendar feed is turned off; its link no longer works."), "success")
    db.session.commit()
    return redirect(url_for("feeds.subscriptions"))
