"""Company-side routes: apply to pitch, view, edit, withdraw, download the deck.

Every route loads the application or answers 404, and answers 404 too when the user may not see
it, so that another company's ids reveal nothing. The work is done in
roadshow.applications.services; routes commit.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from roadshow import permissions
from roadshow.applications import services
from roadshow.applications.forms import ApplicationForm, WithdrawForm, show_problems
from roadshow.enums import ApplicationStatus
from roadshow.extensions import db
from roadshow.i18n import localized
from roadshow.models import Event, Organisation, PitchApplication
from roadshow.uploads import delete_stored, send_stored

bp = Blueprint("applications", __name__, url_prefix="/applications")


@bp.context_processor
def _labels() -> dict:
    return services.label_context()


def _application_or_404(application_id: int, *, edit: bool = False) -> PitchApplication:
    """The application, when the current user may see it (edit it, with *edit*); 404 otherwise."""
    application = db.session.get(PitchApplication, application_id)
    allowed = permissions.can_edit_application if edit else permissions.can_view_application
    if application is None or not allowed(current_user, application):
        abort(404)
    return application


def _deck(form: ApplicationForm) -> services.DeckUpload | None:
    upload = form.deck.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    return services.DeckUpload(upload.stream, upload.filename)


def _previews(form: ApplicationForm, zones: list[str], event: Event) -> list[list[services.ZoneTimes]]:
    """Each row's window in the comparison zones (server-rendered; availability.js updates it live)."""
    zone = form.timezone.data or ""
    return [services.preview_window(entry, zone, zones, event.timezone) for entry in form.window_entries()]


def _render_form(form: ApplicationForm, event: Event, application: PitchApplication | None, region):
    zones = services.comparison_zones(region, event.timezone, form.timezone.data)
    return render_template(
        "applications/form.html",
        form=form,
        event=event,
        application=application,
        compare_zones=services.comparison_zones(region, event.timezone),
        previews=_previews(form, zones, event),
        closes_at=services.application_closes_at(event),
    )


def _saved(saved: services.SavedApplication) -> bool:
    """Commit a save; on a lost race remove the deck just stored. True when committed."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        delete_stored(saved.stored_deck)
        return False
    delete_stored(saved.replaced_deck)
    if saved.merged_windows:
        flash(_("Overlapping availability windows were merged."), "info")
    return True


def _submit(form: ApplicationForm, event: Event, organisation: Organisation) -> int | None:
    """Submit the application and commit; its id, or None with the problems shown on the form."""
    already = _("%(name)s has already applied to this event.", name=localized(organisation, "name"))
    try:
        saved = services.submit_application(current_user, event, organisation, form.details(), _deck(form))
    except services.InvalidApplicationError as error:
        db.session.rollback()
        show_problems(form, error)
        return None
    except IntegrityError:  # the same company applied from another tab at the same moment
        db.session.rollback()
        form.organisation.errors = [already]
        return None
    if not _saved(saved):
        form.organisation.errors = [already]
        return None
    return saved.application.id


@bp.get("/")
@login_required
def mine():
    """The applications of the user's organisations, and the roadshows open for applications."""
    organisations = services.organisations_of(current_user)
    return render_template(
        "applications/mine.html",
        applications=services.applications_of(current_user, organisations),
        open_events=services.open_roadshows(),
        organisations=organisations,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def apply():
    """Apply to pitch at the roadshow named by ``?event=<slug>``, for one of the user's companies."""
    event = services.roadshow_by_slug(request.args.get("event", ""))
    if event is None:
        abort(404)
    organisations = services.organisations_of(current_user)
    applied = services.applied_organisation_ids(event, organisations)
    candidates = [organisation for organisation in organisations if organisation.id not in applied]
    if not services.accepts_applications(event) or not candidates:
        return render_template(
            "applications/cannot_apply.html",
            event=event,
            organisations=organisations,
            applications=services.applications_to(event, organisations),
            closed=not services.accepts_applications(event),
            closes_at=services.application_closes_at(event),
        )
    form = ApplicationForm(
        organisations=candidates,
        event_zone=event.timezone,
        data={"timezone": current_user.timezone, "organisation": candidates[0].id},
    )
    form.set_sectors(services.all_sectors())
    chosen = next((o for o in candidates if o.id == form.organisation.data), candidates[0])
    if form.wants_another_window():
        form.add_blank_window()
    elif form.validate_on_submit() and (application_id := _submit(form, event, chosen)) is not None:
        flash(_("Your application was submitted. You can change it until the deadline."), "success")
        return redirect(url_for("applications.detail", application_id=application_id))
    return _render_form(form, event, None, chosen.region)


@bp.get("/<int:application_id>")
@login_required
def detail(application_id: int):
    """An application as its company sees it: details, availability in both zones, deck, status."""
    application = _application_or_404(application_id)
    return render_template(
        "applications/detail.html",
        application=application,
        event=application.event,
        can_edit=permissions.can_edit_application(current_user, application),
        editable=services.is_editable(application),
        closes_at=services.application_closes_at(application.event),
        columns=services.availability_columns(application),
        seeking=services.seeking_values(application),
    )


@bp.route("/<int:application_id>/edit", methods=["GET", "POST"])
@login_required
def edit(application_id: int):
    """Change an application until the deadline (read-only after it, with a message)."""
    application = _application_or_404(application_id, edit=True)
    if not services.is_editable(application):
        flash(_("This application can no longer be changed."), "warning")
        return redirect(url_for("applications.detail", application_id=application.id))
    event = application.event
    form = ApplicationForm(event_zone=event.timezone, data=_form_data(application))
    form.set_sectors(services.all_sectors())
    if form.wants_another_window():
        form.add_blank_window()
    elif form.validate_on_submit():
        try:
            saved = services.update_application(current_user, application, form.details(), _deck(form))
        except services.InvalidApplicationError as error:
            db.session.rollback()
            show_problems(form, error)
        else:
            if _saved(saved):
                flash(_("Your changes were saved."), "success")
                return redirect(url_for("applications.detail", application_id=application.id))
            form.form_errors.append(
                _("Someone else changed this at the same time. Please reload and try again.")
            )
    return _render_form(form, event, application, application.organisation.region)


def _form_data(application: PitchApplication) -> dict:
    return {
        "title": application.title,
        "title_zh": application.title_zh,
        "summary": application.summary,
        "summary_zh": application.summary_zh,
        "sector": str(application.sector_id) if application.sector_id else "",
        "stage": application.stage.value,
        "seeking": [option.value for option in services.seeking_values(application)],
        "investment_amount": application.investment_amount,
        "investment_currency": application.investment_currency or "",
        "timezone": application.timezone,
        "windows": services.window_rows(application) or [{}],
    }


@bp.route("/<int:application_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(application_id: int):
    """Ask for confirmation (GET), then withdraw the application (POST)."""
    application = _application_or_404(application_id, edit=True)
    form = WithdrawForm()
    if application.status == ApplicationStatus.WITHDRAWN:
        flash(_("This application has already been withdrawn."), "info")
        return redirect(url_for("applications.detail", application_id=application.id))
    if form.validate_on_submit():
        services.withdraw_application(current_user, application)
        db.session.commit()
        flash(_("The application was withdrawn."), "success")
        return redirect(url_for("applications.detail", application_id=application.id))
    return render_template("applications/withdraw.html", application=application, form=form)


@bp.get("/<int:application_id>/deck")
@login_required
def deck(application_id: int):
    """The pitch deck, as an attachment, for the company's members and the event's organisers."""
    application = _application_or_404(application_id)
    if not application.deck_path:
        abort(404)
    return send_stored(
        application.deck_path,
        "application/pdf",
        download_name=services.deck_download_name(application.deck_filename),
    )
