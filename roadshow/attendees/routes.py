"""Attendee routes: register and cancel, star sessions and pitches, "my agenda" as a list and a day
grid, remembering the browser's time zone, and previewing another zone with ``?tz=``.

Registration pages exist only for public events (a draft's slug is a 404 for everyone). Routes that
name a registration answer 404 unless it is the signed-in user's, and a session or slot of another
event (or an unpublished slot) is a 404 too. The work is done in roadshow.attendees.services.

``?tz=Area/City`` previews the page in another zone on the public event page and on the agenda: an
unknown name is answered 400 with a message saying so (see _preview_timezone), never ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from roadshow import timezones
from roadshow.attendees import services
from roadshow.attendees.forms import CancelForm, RegisterForm, StarForm, TimezoneForm
from roadshow.enums import RegistrationRole, RegistrationStatus
from roadshow.errors import error_response, wants_json
from roadshow.extensions import db
from roadshow.i18n import TIMEZONE_COOKIE, viewer_timezone
from roadshow.models import Event, Registration, utcnow
from roadshow.redirects import is_safe_path

bp = Blueprint("attendees", __name__)

MAX_ID = 2**31 - 1
TIMEZONE_COOKIE_AGE = 365 * 24 * 3600
PREVIEW_PARAMETER = "tz"
# Pages on which ?tz= previews another zone.
PREVIEW_ENDPOINTS = frozenset(
    {"public.event_page", "attendees.agenda", "attendees.agenda_grid", "attendees.register"}
)


def unknown_zone_message(name: str) -> str:
    """The message for a zone name that is not an IANA zone."""
    return _(
        "“%(zone)s” is not a time zone we know. Use an IANA name such as Europe/Brussels or Asia/Shanghai.",
        zone=name[:64],
    )


@bp.before_app_request
def _preview_timezone() -> Any:
    """Check ``?tz=`` on the pages that accept it: 400 for an unknown zone, else remember it in ``g``."""
    if request.endpoint not in PREVIEW_ENDPOINTS or PREVIEW_PARAMETER not in request.args:
        return None
    name = request.args.get(PREVIEW_PARAMETER, "").strip()
    if not timezones.is_valid_timezone(name):
        return error_response(400, unknown_zone_message(name))
    g.preview_timezone = name
    return None


def display_timezone() -> str:
    """The zone to show times in: a valid ``?tz=`` preview, else the viewer's own zone, else UTC."""
    return g.get("preview_timezone") or viewer_timezone() or "UTC"


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "role_label": lambda role: str(services.ROLE_LABELS[RegistrationRole(role)]),
        "registration_status_label": lambda status: str(services.STATUS_LABELS[RegistrationStatus(status)]),
    }


# --- Loading -------------------------------------------------------------------------------------------


def _known_id(value: int) -> int:
    if not 0 < value <= MAX_ID:
        abort(404)
    return value


def _public_event_or_404(slug: str) -> Event:
    event = services.public_event_or_none(slug)
    if event is None:
        abort(404)
    return event


def _own_registration_or_404(registration_id: int) -> Registration:
    registration = services.own_registration_or_none(current_user, _known_id(registration_id))
    if registration is None:
        abort(404)
    return registration


def _back(default: Callable[[], str]) -> Any:
    """Redirect to the form's ``next`` path when it is safe, else to ``default()`` (only then built:
    it may need rows that the commit expired)."""
    target = request.form.get("next")
    return redirect(target if is_safe_path(target) else default())


# --- Registering ---------------------------------------------------------------------------------------


def _registration_page(
    event: Event, form: RegisterForm | None = None, error: str | None = None, status: int = 200
):
    registration = services.registration_of(current_user, event)
    if form is None:
        form = RegisterForm(role=registration.role.value if registration else RegistrationRole.ATTENDEE.value)
    tz_name = display_timezone()
    session_ids, slot_ids = services.starred_ids(registration)
    programme = services.event_programme(event)
    # The page shows the seat counts only for an event with a capacity.
    seats_taken, waiting = services.seat_counts(event) if event.capacity else (0, 0)
    page = render_template(
        "attendees/register.html",
        event=event,
        registration=registration,
        position=services.waitlist_position(registration) if registration else None,
        seats_taken=seats_taken,
        waiting=waiting,
        is_over=services.event_is_over(event),
        form=form,
        error=error,
        tz_name=tz_name,
        programme=services.group_by_day(programme, tz_name),
        slots=services.visible_slots(event),
        starred_sessions=session_ids,
        starred_slots=slot_ids,
    )
    return page, status


@bp.get("/events/<slug>/register")
@login_required
def register(slug: str):
    """The event's registration page: register, see your status, star sessions and pitches."""
    return _registration_page(_public_event_or_404(slug))


@bp.post("/events/<slug>/register")
@login_required
def register_post(slug: str):
    """Register (or change role); a full event puts the registration on the waiting list."""
    event = _public_event_or_404(slug)
    form = RegisterForm()
    if not form.validate_on_submit():
        return _registration_page(event, form, status=400)
    try:
        outcome = services.register(current_user, event, RegistrationRole(form.role.data))
        message = _registration_message(outcome)  # before the commit expires the registration
        db.session.commit()
    except services.RegistrationRefusedError as refusal:
        db.session.rollback()
        return _registration_page(event, form, error=refusal.message, status=409)
    except IntegrityError:  # the same user registering twice at once on SQLite; PostgreSQL waits instead
        db.session.rollback()
        return _registration_page(
            event, form, error=_("You registered twice at once; please check below."), status=409
        )
    flash(message, "success" if outcome.result != "waitlisted" else "warning")
    return redirect(url_for("attendees.register", slug=slug))


def _registration_message(outcome: services.RegistrationOutcome) -> str:
    if outcome.result == "waitlisted":
        return _(
            "The event is full: you are on the waiting list (position %(position)d). "
            "We will e-mail you if a seat becomes free.",
            position=services.waitlist_position(outcome.registration) or 1,
        )
    if outcome.result == "role_changed":
        return _("Your role is now: %(role)s.", role=services.ROLE_LABELS[outcome.registration.role])
    if outcome.result == "unchanged" and outcome.registration.status == RegistrationStatus.WAITLISTED:
        return _(
            "You are already on the waiting list (position %(position)d).",
            position=services.waitlist_position(outcome.registration) or 1,
        )
    if outcome.result == "unchanged":
        return _("You are already registered for this event.")
    return _("You are registered. Star the sessions you want in your agenda.")


@bp.post("/registrations/<int:registration_id>/cancel")
@login_required
def cancel(registration_id: int):
    """Cancel your registration; your seat goes to the first person on the waiting list."""
    registration = _own_registration_or_404(registration_id)
    if not CancelForm().validate_on_submit():
        abort(400)
    slug = registration.event.slug
    was_active = registration.status != RegistrationStatus.CANCELLED
    services.cancel(current_user, registration)
    db.session.commit()
    if was_active:
        flash(_("Your registration is cancelled."), "success")
    return _back(lambda: url_for("attendees.register", slug=slug))


# --- Stars ---------------------------------------------------------------------------------------------


def _star(registration: Registration, change) -> Any:
    form = StarForm()
    wanted = form.wants_star() if form.validate_on_submit() else None
    if wanted is None:
        return error_response(400, _("Choose whether to star or unstar."))
    try:
        change(wanted)
        db.session.commit()
    except services.RegistrationRefusedError as refusal:
        db.session.rollback()
        return error_response(409, refusal.message)
    return _back(lambda: url_for("attendees.register", slug=registration.event.slug))


@bp.post("/registrations/<int:registration_id>/sessions/<int:session_id>/star")
@login_required
def star_session(registration_id: int, session_id: int):
    """Star (``starred=1``) or unstar (``starred=0``) a session of the event you registered for."""
    registration = _own_registration_or_404(registration_id)
    session = services.session_of_registration(registration, _known_id(session_id))
    if session is None:
        abort(404)
    return _star(
        registration, lambda wanted: services.set_session_star(current_user, registration, session, wanted)
    )


@bp.post("/registrations/<int:registration_id>/slots/<int:slot_id>/star")
@login_required
def star_slot(registration_id: int, slot_id: int):
    """Star or unstar a published pitch of the event you registered for."""
    registration = _own_registration_or_404(registration_id)
    slot = services.visible_slot_of_registration(registration, _known_id(slot_id))
    if slot is None:
        abort(404)
    return _star(
        registration, lambda wanted: services.set_slot_star(current_user, registration, slot, wanted)
    )


# --- My agenda -----------------------------------------------------------------------------------------


@bp.get("/my/agenda")
@login_required
def agenda():
    """Your starred sessions and pitches, day by day in your time zone, and your registrations."""
    tz_name = display_timezone()
    items = services.agenda(current_user)
    return render_template(
        "attendees/agenda.html",
        tz_name=tz_name,
        days=services.group_by_day(items, tz_name),
        registrations=services.user_registrations(current_user),
        grid_days=services.grid_days(items, tz_name),
    )


@bp.get("/my/agenda/grid")
@login_required
def agenda_grid():
    """One day of your agenda as a grid of hours (``?day=YYYY-MM-DD``, in your time zone)."""
    tz_name = display_timezone()
    items = services.agenda(current_user)
    days = services.grid_days(items, tz_name)
    day = _grid_day(request.args.get("day"), days, tz_name)
    return render_template(
        "attendees/grid.html",
        tz_name=tz_name,
        grid=services.day_grid(items, day, tz_name),
        days=days,
        day=day,
    )


def _grid_day(text: str | None, days: list[date], tz_name: str) -> date:
    """The day asked for; else the first agenda day from today on; else today. 400 for a bad date."""
    if text is not None:
        try:
            day = datetime.strptime(text.strip(), "%Y-%m-%d").date()  # noqa: DTZ007
            timezones.local_day_bounds(day, tz_name)  # the years at the ends of the calendar overflow
        except (ValueError, OverflowError):
            abort(
                make_response(error_response(400, _("Enter the day as YYYY-MM-DD, for example 2026-10-26.")))
            )
        return day
    today = timezones.local_date(utcnow(), tz_name)
    upcoming = [day for day in days if day >= today]
    return (upcoming or days or [today])[0]


# --- The viewer's time zone ----------------------------------------------------------------------------


@bp.post("/timezone")
def remember_timezone():
    """Remember the zone the browser reports in the ``tz`` cookie (204 for scripts, else redirect).

    Signed-in users' times follow their profile's zone; the cookie serves visitors, and anyone whose
    profile zone is not set.
    """
    form = TimezoneForm()
    if not form.validate_on_submit():
        return error_response(400, _("Send the name of a time zone, such as Europe/Brussels."))
    name = form.timezone.data.strip()
    if not timezones.is_valid_timezone(name):
        return error_response(400, unknown_zone_message(name))
    if request.headers.get("X-Requested-With") == "fetch" or wants_json():
        response = make_response("", 204)
    else:
        target = form.next.data
        response = redirect(target if is_safe_path(target) else url_for("public.home"))
    return _with_cookie(response, name)


def _with_cookie(response: Any, name: str) -> Any:
    response.set_cookie(
        TIMEZONE_COOKIE,
        name,
        max_age=TIMEZONE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure,
        httponly=False,  # timezone.js compares it with the browser's zone, to post only on a change
    )
    return response
