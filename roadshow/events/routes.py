"""Organiser routes: the dashboard, events, sessions, publication, co-organisers and the audit log.

Every route loads the event or answers 404, and answers 404 too when the user may not manage it,
so that an organiser of one event learns nothing about another. The work is done in
roadshow.events.services; routes commit.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from roadshow import permissions, timezones
from roadshow.errors import error_response
from roadshow.events import services
from roadshow.events.forms import EventForm, MoveSessionForm, OrganiserForm, SessionForm, show_problems
from roadshow.extensions import db
from roadshow.models import Event, ProgrammeSession

bp = Blueprint("events", __name__, url_prefix="/manage")


def _managed_event_or_404(event_id: int) -> Event:
    """The event, when the current user may manage it; 404 otherwise (unknown or not theirs)."""
    event = db.session.get(Event, event_id)
    if event is None or not permissions.can_manage_event(current_user, event):
        abort(404)
    return event


def _session_or_404(event: Event, session_id: int) -> ProgrammeSession:
    """The session, when it belongs to *event*; 404 otherwise."""
    session = services.session_of_event(event, session_id)
    if session is None:
        abort(404)
    return session


def _flash_problems(error: services.InvalidChangeError) -> None:
    for messages in error.problems.values():
        for message in messages:
            flash(message, "error")


def _to_overview(event: Event):
    return redirect(url_for("events.overview", event_id=event.id))


@bp.get("/")
@login_required
def dashboard():
    """The events the user organises (every event for an admin)."""
    return render_template(
        "events/dashboard.html",
        events=services.organised_events(current_user),
        can_create=permissions.can_create_event(current_user),
    )


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def create_event():
    """Create an event; its creator becomes its first organiser."""
    if not permissions.can_create_event(current_user):
        abort(403)
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = services.create_event(current_user, form.details())
            db.session.commit()
        except services.InvalidChangeError as error:
            db.session.rollback()
            show_problems(form, error)
        except IntegrityError:  # the slug was taken between the check and the write
            db.session.rollback()
            form.slug.errors = [_("Another event already uses this address; choose another.")]
        else:
            flash(_("The event was created as a draft. Add its sessions, then publish it."), "success")
            return _to_overview(event)
    return render_template("events/event_form.html", form=form, event=None)


@bp.get("/events/<int:event_id>")
@login_required
def overview(event_id: int):
    """An event's details and its sessions day by day, with the organiser's actions."""
    event = _managed_event_or_404(event_id)
    return render_template(
        "events/overview.html",
        event=event,
        days=services.sessions_by_day(event),
        status_actions=services.available_status_actions(event),
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit_event(event_id: int):
    """Edit an event's details."""
    event = _managed_event_or_404(event_id)
    form = EventForm(data=_event_form_data(event))
    if form.validate_on_submit():
        try:
            services.update_event(current_user, event, form.details())
            db.session.commit()
        except services.InvalidChangeError as error:
            db.session.rollback()
            show_problems(form, error)
        except IntegrityError:
            db.session.rollback()
            form.slug.errors = [_("Another event already uses this address; choose another.")]
        else:
            flash(_("The event was saved."), "success")
            return _to_overview(event)
    return render_template("events/event_form.html", form=form, event=event)


def _event_form_data(event: Event) -> dict:
    deadline = (
        timezones.utc_to_local(event.application_deadline, event.timezone)
        if event.application_deadline
        else None
    )
    return {
        "kind": event.kind.value,
        "title": event.title,
        "title_zh": event.title_zh,
        "description": event.description,
        "description_zh": event.description_zh,
        "slug": event.slug,
        "timezone": event.timezone,
        "start_date": event.start_date,
        "end_date": event.end_date,
        "join_url": event.join_url,
        "contact_email": event.contact_email,
        "deadline_date": deadline.date() if deadline else None,
        "deadline_time": deadline.time().replace(tzinfo=None) if deadline else None,
    }


@bp.post("/events/<int:event_id>/<any(publish, unpublish, cancel, archive):action>")
@login_required
def change_status(event_id: int, action: str):
    """Publish, unpublish, cancel or archive an event."""
    event = _managed_event_or_404(event_id)
    try:
        services.change_event_status(current_user, event, action)
        db.session.commit()
    except services.InvalidChangeError as error:
        db.session.rollback()
        _flash_problems(error)
    else:
        messages = {
            "publish": _("The event is published."),
            "unpublish": _("The event is a draft again."),
            "cancel": _("The event is cancelled."),
            "archive": _("The event is archived."),
        }
        flash(messages[action], "success")
    return _to_overview(event)


@bp.route("/events/<int:event_id>/sessions/new", methods=["GET", "POST"])
@login_required
def add_session(event_id: int):
    """Add a session to the programme."""
    event = _managed_event_or_404(event_id)
    form = SessionForm(data={"day": event.start_date})
    if form.validate_on_submit():
        try:
            services.add_session(current_user, event, form.details())
            db.session.commit()
        except services.InvalidChangeError as error:
            db.session.rollback()
            show_problems(form, error)
        else:
            flash(_("The session was added."), "success")
            return _to_overview(event)
    return render_template("events/session_form.html", form=form, event=event, session=None)


@bp.route("/events/<int:event_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(event_id: int, session_id: int):
    """Edit a session."""
    event = _managed_event_or_404(event_id)
    session = _session_or_404(event, session_id)
    form = SessionForm(data=_session_form_data(event, session))
    if form.validate_on_submit():
        try:
            services.update_session(current_user, event, session, form.details())
            db.session.commit()
        except services.InvalidChangeError as error:
            db.session.rollback()
            show_problems(form, error)
        else:
            flash(_("The session was saved."), "success")
            return _to_overview(event)
    return render_template("events/session_form.html", form=form, event=event, session=session)


def _session_form_data(event: Event, session: ProgrammeSession) -> dict:
    start = timezones.utc_to_local(session.starts_at, event.timezone)
    end = timezones.utc_to_local(session.ends_at, event.timezone)
    return {
        "kind": session.kind.value,
        "title": session.title,
        "title_zh": session.title_zh,
        "description": session.description,
        "description_zh": session.description_zh,
        "day": start.date(),
        "start_time": start.time().replace(tzinfo=None),
        "end_time": end.time().replace(tzinfo=None),
        "track": session.track,
        "join_url": session.join_url,
        "capacity": session.capacity,
        "slot_minutes": session.slot_minutes,
        "changeover_minutes": session.changeover_minutes,
    }


@bp.route("/events/<int:event_id>/sessions/<int:session_id>/move", methods=["GET", "POST"])
@login_required
def move_session(event_id: int, session_id: int):
    """Move a session to another day, time or track, keeping its length."""
    event = _managed_event_or_404(event_id)
    session = _session_or_404(event, session_id)
    start = timezones.utc_to_local(session.starts_at, event.timezone)
    form = MoveSessionForm(
        data={"day": start.date(), "start_time": start.time().replace(tzinfo=None), "track": session.track}
    )
    if form.validate_on_submit():
        try:
            services.move_session(
                current_user, event, session, form.day.data, form.start_time.data, form.track.data or ""
            )
            db.session.commit()
        except services.InvalidChangeError as error:
            db.session.rollback()
            show_problems(form, error)
        else:
            flash(_("The session was moved."), "success")
            return _to_overview(event)
    return render_template("events/session_move.html", form=form, event=event, session=session)


@bp.post("/events/<int:event_id>/sessions/<int:session_id>/cancel")
@login_required
def cancel_session(event_id: int, session_id: int):
    """Cancel a session: it stays in the programme, marked cancelled."""
    event = _managed_event_or_404(event_id)
    session = _session_or_404(event, session_id)
    try:
        services.cancel_session(current_user, event, session)
        db.session.commit()
    except services.InvalidChangeError as error:
        db.session.rollback()
        _flash_problems(error)
    else:
        flash(_("The session was cancelled."), "success")
    return _to_overview(event)


@bp.post("/events/<int:event_id>/sessions/<int:session_id>/delete")
@login_required
def delete_session(event_id: int, session_id: int):
    """Delete a session from the programme."""
    event = _managed_event_or_404(event_id)
    session = _session_or_404(event, session_id)
    try:
        services.delete_session(current_user, event, session)
        db.session.commit()
    except services.InvalidChangeError as error:
        db.session.rollback()
        _flash_problems(error)
    else:
        flash(_("The session was deleted."), "success")
    return _to_overview(event)


@bp.route("/events/<int:event_id>/organisers", methods=["GET", "POST"])
@login_required
def organisers(event_id: int):
    """The event's organisers; add one by e-mail (at once, or by an e-mailed invitation)."""
    event = _managed_event_or_404(event_id)
    form = OrganiserForm()
    if form.validate_on_submit():
        try:
            outcome = services.add_organiser(current_user, event, form.email.data)
            db.session.commit()
        except services.InvalidChangeError as error:
            db.session.rollback()
            show_problems(form, error)
        except IntegrityError:  # added twice at the same moment
            db.session.rollback()
            form.email.errors = [_("%(email)s already organises this event.", email=form.email.data)]
        else:
            if outcome == "added":
                flash(_("%(email)s is now an organiser of this event.", email=form.email.data), "success")
            else:
                flash(_("An invitation was sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("events.organisers", event_id=event.id))
    return render_template(
        "events/organisers.html", event=event, form=form, organisers=services.event_organisers(event)
    )


@bp.post("/events/<int:event_id>/organisers/<int:user_id>/remove")
@login_required
def remove_organiser(event_id: int, user_id: int):
    """Remove an organiser (never the last one)."""
    event = _managed_event_or_404(event_id)
    try:
        removed = services.remove_organiser(current_user, event, user_id)
        db.session.commit()
    except LookupError:
        abort(404)
    except services.InvalidChangeError as error:
        db.session.rollback()
        _flash_problems(error)
        return redirect(url_for("events.organisers", event_id=event.id))
    flash(_("%(email)s no longer organises this event.", email=removed.email), "success")
    if not permissions.can_manage_event(current_user, event):
        return redirect(url_for("events.dashboard"))
    return redirect(url_for("events.organisers", event_id=event.id))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@login_required
def invitation(token: str):
    """An organiser invitation: shown to the invited user, who confirms it with a POST."""
    try:
        invited = services.read_invitation(token)
    except services.InvalidInvitationError:
        return _bad_invitation()
    event = db.session.get(Event, invited.event_id)
    if event is None:
        return _bad_invitation()
    problem = services.invitation_problem(current_user, invited)
    if problem is not None:
        return error_response(403, problem)
    if request.method == "POST":
        services.accept_invitation(current_user, invited)
        db.session.commit()
        flash(_("You are now an organiser of this event."), "success")
        return _to_overview(event)
    if permissions.is_event_organiser(current_user, event):
        flash(_("You already organise this event."), "info")
        return _to_overview(event)
    return render_template("events/invitation.html", event=event, token=token)


def _bad_invitation():
    return error_response(
        404, _("This invitation link is invalid or has expired. Ask the organisers to invite you again.")
    )


@bp.get("/events/<int:event_id>/audit")
@login_required
def audit(event_id: int):
    """Who changed what in this event, and when."""
    event = _managed_event_or_404(event_id)
    return render_template("events/audit.html", event=event, rows=services.audit_rows(event))
