"""Review-desk routes: the table of an event's applications, one application, decisions, CSV export.

Every route loads the event and answers 404 unless the user may review its applications, and
answers 404 for an application of another event, so that ids reveal nothing. The work is done in
roadshow.review.services; routes commit.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from roadshow import permissions
from roadshow.applications import services as application_services
from roadshow.countries import country_name
from roadshow.enums import ApplicationStatus
from roadshow.extensions import db
from roadshow.models import Event, PitchApplication
from roadshow.redirects import is_safe_path
from roadshow.review import services
from roadshow.review.export import build_csv
from roadshow.review.forms import BulkDecisionForm, DecisionForm, FilterForm

bp = Blueprint("review", __name__, url_prefix="/manage/events/<int:event_id>/applications")


@bp.context_processor
def _labels() -> dict:
    return application_services.label_context()


def _reviewed_event_or_404(event_id: int) -> Event:
    """The event, when the current user may review its applications; 404 otherwise."""
    event = db.session.get(Event, event_id)
    if event is None or not permissions.can_review_applications(current_user, event):
        abort(404)
    return event


def _application_or_404(event: Event, application_id: int) -> PitchApplication:
    application = services.application_of_event(event, application_id)
    if application is None:
        abort(404)
    return application


@bp.get("/")
@login_required
def index(event_id: int):
    """The table: filters, sort, counts by region and sector, a page of rows, bulk decisions."""
    event = _reviewed_event_or_404(event_id)
    filters = services.ReviewFilters.from_args(request.args)
    page = services.review_page(event, filters)
    locale = str(get_locale())
    filter_form = FilterForm(
        data=filters.query_args(),
        countries=page.countries,
        sectors=application_services.all_sectors(),
        locale=locale,
    )
    bulk_form = BulkDecisionForm(next=request.full_path if request.query_string else request.path)
    return render_template(
        "review/index.html",
        event=event,
        filters=filters,
        page=page,
        filter_form=filter_form,
        bulk_form=bulk_form,
        country_names={code: country_name(code, locale) for code in page.countries},
    )


@bp.get("/<int:application_id>")
@login_required
def detail(event_id: int, application_id: int):
    """One application with everything the company gave, its availability in both zones, the decision form."""
    event = _reviewed_event_or_404(event_id)
    application = _application_or_404(event, application_id)
    decided = application.status.value if application.status in services.DECISIONS else None
    form = DecisionForm(data={"decision": decided, "note": application.decision_note or ""})
    return _render_detail(event, application, form)


def _render_detail(event: Event, application: PitchApplication, form: DecisionForm, status: int = 200):
    return (
        render_template(
            "review/detail.html",
            event=event,
            application=application,
            form=form,
            members=services.company_members(application),
            seeking=application_services.seeking_values(application),
            columns=application_services.availability_columns(application, viewer="organiser"),
            country_label=country_name(application.organisation.country, str(get_locale())),
        ),
        status,
    )


@bp.post("/<int:application_id>/decide")
@login_required
def decide(event_id: int, application_id: int):
    """Accept, waitlist or reject one application; its company's members are e-mailed."""
    event = _reviewed_event_or_404(event_id)
    application = _application_or_404(event, application_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_detail(event, application, form, 400)
    status = ApplicationStatus(form.decision.data)
    try:
        changed = services.decide(current_user, event, application, status, form.note.data)
    except services.DecisionError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _render_detail(event, application, form, 409)
    db.session.commit()
    if changed:
        flash(_("The decision was saved and the company was told by e-mail."), "success")
    else:
        flash(_("Nothing changed: the application already had this decision."), "info")
    return redirect(url_for("review.detail", event_id=event.id, application_id=application.id))


@bp.post("/bulk")
@login_required
def bulk(event_id: int):
    """Apply one decision to every selected row (of this event only: other ids refuse the request)."""
    event = _reviewed_event_or_404(event_id)
    form = BulkDecisionForm()
    back = form.next.data if is_safe_path(form.next.data) else url_for("review.index", event_id=event.id)
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(back)
    try:
        result = services.decide_many(
            current_user,
            event,
            form.application_ids.data or [],
            ApplicationStatus(form.decision.data),
            form.note.data,
        )
    except services.DecisionError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    flash(
        ngettext("%(num)d application changed.", "%(num)d applications changed.", result.changed)
        + (" " + _("%(count)d left as they were.", count=result.unchanged) if result.unchanged else ""),
        "success",
    )
    return redirect(back)


@bp.get("/export.csv")
@login_required
def export(event_id: int):
    """The (filtered) applications as a CSV file for spreadsheets."""
    event = _reviewed_event_or_404(event_id)
    filters = services.ReviewFilters.from_args(request.args)
    body = build_csv(services.export_header(event), services.export_rows(event, filters))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="applications-{event.slug}.csv"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
