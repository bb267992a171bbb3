"""Organisation routes: my organisations, registration, profiles and logos, members, join requests,
invitations, sectors and the CSV import of partner lists.

Profiles are visible to every signed-in user. Editing and the members page answer 404 to anyone who is
not a member (or a site admin), so that ids reveal nothing; owners' actions answer 403 to plain members.
The work is done in roadshow.organisations.services; routes commit.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from roadshow import permissions
from roadshow.countries import country_name
from roadshow.enums import MembershipRole, MembershipStatus, Region
from roadshow.errors import error_response
from roadshow.extensions import db
from roadshow.i18n import localized
from roadshow.models import Membership, Organisation
from roadshow.organisations import importer, services
from roadshow.organisations.forms import (
    ImportCommitForm,
    ImportUploadForm,
    InviteMemberForm,
    OrganisationForm,
    SectorForm,
    show_problems,
    uploaded_file,
)
from roadshow.uploads import delete_stored, send_stored

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

REGION_LABELS = {Region.EU: _l("European Union"), Region.CN: _l("China"), Region.OTHER: _l("Other countries")}
ROLE_LABELS = {MembershipRole.OWNER: _l("Owner"), MembershipRole.MEMBER: _l("Member")}
IMPORT_ACTION_LABELS = {
    "error": _l("Error"),
    "create": _l("New"),
    "update": _l("Already exists, will be updated"),
    "unchanged": _l("Already exists, no change"),
    "skip": _l("Already exists and is kept up to date by its members, will be skipped"),
}


@bp.context_processor
def _template_helpers() -> dict:
    locale = str(get_locale() or "en")
    return {
        "country_label": lambda code: country_name(code, locale),
        "region_label": lambda region: str(REGION_LABELS[Region(region)]),
        "role_label": lambda role: str(ROLE_LABELS[MembershipRole(role)]),
        "import_action_label": lambda action: str(IMPORT_ACTION_LABELS[action]),
    }


def _organisation_or_404(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


def _editable_or_404(organisation_id: int) -> Organisation:
    """The organisation, when the current user is a member (or admin); 404 otherwise."""
    organisation = _organisation_or_404(organisation_id)
    if not permissions.can_edit_organisation(current_user, organisation):
        abort(404)
    return organisation


def _managed_or_404(organisation_id: int) -> Organisation:
    """The organisation, when the current user may manage its members: 404 to outsiders, 403 to members."""
    organisation = _editable_or_404(organisation_id)
    if not permissions.can_manage_members(current_user, organisation):
        abort(403)
    return organisation


def _membership_or_404(organisation: Organisation, membership_id: int) -> Membership:
    membership = services.membership_in(organisation, membership_id)
    if membership is None:
        abort(404)
    return membership


def _flash_problems(error: services.InvalidChangeError) -> None:
    for messages in error.problems.values():
        for message in messages:
            flash(message, "error")


def _to_members(organisation: Organisation):
    return redirect(url_for("organisations.members", organisation_id=organisation.id))


def _may_import() -> None:
    if not permissions.can_import_organisations(current_user):
        abort(403)


# --- My organisations, registration, profile -------------------------------------------------------------


@bp.get("/")
@login_required
def mine():
    """The user's organisations, their requests to join, and links to register or import."""
    return render_template(
        "organisations/mine.html",
        rows=services.my_organisations(current_user),
        can_import=permissions.can_import_organisations(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def register():
    """Register an organisation; its creator becomes its owner. Duplicates are shown first."""
    form = OrganisationForm()
    matches: list[Organisation] = []
    if form.validate_on_submit():
        organisation = None
        try:
            organisation = services.register_organisation(
                current_user,
                form.details(),
                logo=uploaded_file(form.logo.data),
                allow_duplicate=form.confirm_different.data,
            )
            db.session.commit()
        except services.InvalidChangeError as error:
            db.session.rollback()
            show_problems(form, error)
        except services.DuplicateOrganisationError as error:
            matches = error.matches
            db.session.rollback()
        except Exception:
            db.session.rollback()
            if organisation is not None:
                delete_stored(organisation.logo_path)
            raise
        else:
            flash(_("The organisation is registered, and you are its owner."), "success")
            return redirect(url_for("organisations.profile", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=None, matches=matches)


@bp.get("/<int:organisation_id>")
@login_required
def profile(organisation_id: int):
    """An organisation's profile, for every signed-in user; members see links to edit it."""
    organisation = _organisation_or_404(organisation_id)
    return render_template(
        "organisations/profile.html",
        organisation=organisation,
        membership=services.any_membership(current_user, organisation),
        can_edit=permissions.can_edit_organisation(current_user, organisation),
        owners=services.owner_count(organisation),
    )


@bp.get("/<int:organisation_id>/logo")
@login_required
def logo(organisation_id: int):
    """The organisation's logo, with the type sniffed at upload and ``nosniff``."""
    organisation = _organisation_or_404(organisation_id)
    if not organisation.logo_path or not organisation.logo_content_type:
        abort(404)
    extension = organisation.logo_path.rsplit(".", 1)[-1]
    return send_stored(
        organisation.logo_path,
        organisation.logo_content_type,
        download_name=f"logo-{organisation.id}.{extension}",
        as_attachment=False,
    )


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(organisation_id: int):
    """Edit an organisation's profile (members and site admins)."""
    organisation = _editable_or_404(organisation_id)
    form = OrganisationForm(data=_form_data(organisation))
    if form.validate_on_submit():
        new_logo = uploaded_file(form.logo.data)
        try:
            old_logo = services.update_organisation(
                current_user,
                organisation,
                form.details(),
                logo=new_logo,
                remove_logo=form.remove_logo.data,
            )
            db.session.commit()
        except services.InvalidChangeError as error:
            db.session.rollback()
            show_problems(form, error)
        else:
            delete_stored(old_logo)
            flash(_("The profile was saved."), "success")
            return redirect(url_for("organisations.profile", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=organisation, matches=[])


def _form_data(organisation: Organisation) -> dict:
    return {
        "name": organisation.name,
        "name_zh": organisation.name_zh,
        "country": organisation.country,
        "city": organisation.city,
        "sectors": [sector.slug for sector in organisation.sectors],
        "website": organisation.website,
        "description": organisation.description,
        "description_zh": organisation.description_zh,
    }


# --- Joining, members, invitations ------------------------------------------------------------------


@bp.post("/<int:organisation_id>/join")
@login_required
def join(organisation_id: int):
    """Ask to join an organisation; an owner (or, without owners, a site admin) answers."""
    organisation = _organisation_or_404(organisation_id)
    try:
        services.request_to_join(current_user, organisation)
        db.session.commit()
    except services.InvalidChangeError as error:
        db.session.rollback()
        _flash_problems(error)
    except IntegrityError:  # asked twice at the same moment
        db.session.rollback()
        flash(_("You have already asked to join; the owners will answer."), "info")
    else:
        if services.owner_count(organisation):
            flash(_("Your request was sent. The owners will answer by e-mail."), "success")
        else:
            flash(_("Your request was sent. A site administrator will answer by e-mail."), "success")
    return redirect(url_for("organisations.mine"))


@bp.route("/<int:organisation_id>/members", methods=["GET", "POST"])
@login_required
def members(organisation_id: int):
    """Members and requests to join; owners invite colleagues by e-mail here."""
    organisation = _editable_or_404(organisation_id)
    can_manage = permissions.can_manage_members(current_user, organisation)
    form = InviteMemberForm()
    if request.method == "POST":
        if not can_manage:
            abort(403)
        if form.validate_on_submit():
            try:
                outcome = services.invite_member(current_user, organisation, form.email.data)
                db.session.commit()
            except services.InvalidChangeError as error:
                db.session.rollback()
                show_problems(form, error)
            except IntegrityError:  # added twice at the same moment
                db.session.rollback()
                form.email.errors = [
                    _("%(email)s is already a member of this organisation.", email=form.email.data)
                ]
            else:
                if outcome == "added":
                    flash(_("%(email)s is now a member.", email=form.email.data), "success")
                else:
                    flash(_("An invitation was sent to %(email)s.", email=form.email.data), "success")
                return _to_members(organisation)
    return render_template(
        "organisations/members.html",
        organisation=organisation,
        form=form,
        members=services.members_of(organisation),
        requests=services.members_of(organisation, MembershipStatus.REQUESTED) if can_manage else [],
        can_manage=can_manage,
        owners=services.owner_count(organisation),
        my_membership=permissions.membership_of(current_user, organisation),
    )


@bp.post("/<int:organisation_id>/requests/<int:membership_id>/<any(approve, decline):decision>")
@login_required
def decide_request(organisation_id: int, membership_id: int, decision: str):
    """Approve or decline a request to join (owners; site admins for organisations without owners)."""
    organisation = _managed_or_404(organisation_id)
    membership = _membership_or_404(organisation, membership_id)
    try:
        requester = services.decide_request(current_user, organisation, membership, decision == "approve")
        db.session.commit()
    except LookupError:
        db.session.rollback()
        abort(404)
    if decision == "approve":
        flash(_("%(name)s is now a member.", name=requester.name), "success")
    else:
        flash(_("The request of %(name)s was declined.", name=requester.name), "success")
    return _to_members(organisation)


@bp.post("/<int:organisation_id>/members/<int:membership_id>/remove")
@login_required
def remove_member(organisation_id: int, membership_id: int):
    """Remove a member (never the last owner)."""
    organisation = _managed_or_404(organisation_id)
    membership = _membership_or_404(organisation, membership_id)
    try:
        removed = services.remove_member(current_user, organisation, membership)
        db.session.commit()
    except LookupError:
        db.session.rollback()
        abort(404)
    except services.InvalidChangeError as error:
        db.session.rollback()
        _flash_problems(error)
        return _to_members(organisation)
    flash(_("%(name)s is no longer a member.", name=removed.name), "success")
    if not permissions.can_edit_organisation(current_user, organisation):
        return redirect(url_for("organisations.mine"))
    return _to_members(organisation)


@bp.post("/<int:organisation_id>/members/<int:membership_id>/<any(promote, demote):action>")
@login_required
def change_role(organisation_id: int, membership_id: int, action: str):
    """Make a member an owner, or an owner a plain member (never the last owner)."""
    organisation = _managed_or_404(organisation_id)
    membership = _membership_or_404(organisation, membership_id)
    role = MembershipRole.OWNER if action == "promote" else MembershipRole.MEMBER
    try:
        user = services.change_role(current_user, organisation, membership, role)
        db.session.commit()
    except LookupError:
        db.session.rollback()
        abort(404)
    except services.InvalidChangeError as error:
        db.session.rollback()
        _flash_problems(error)
        return _to_members(organisation)
    if role == MembershipRole.OWNER:
        flash(_("%(name)s is now an owner.", name=user.name), "success")
    else:
        flash(_("%(name)s is now a member without owner rights.", name=user.name), "success")
    if not permissions.can_edit_organisation(current_user, organisation):
        return redirect(url_for("organisations.mine"))
    return _to_members(organisation)


@bp.post("/<int:organisation_id>/leave")
@login_required
def leave(organisation_id: int):
    """Leave an organisation, or withdraw a request to join it (the last owner cannot leave)."""
    organisation = _organisation_or_404(organisation_id)
    if services.any_membership(current_user, organisation) is None:
        abort(404)
    try:
        services.leave_organisation(current_user, organisation)
        db.session.commit()
    except LookupError:
        db.session.rollback()
        abort(404)
    except services.InvalidChangeError as error:
        db.session.rollback()
        _flash_problems(error)
        return _to_members(organisation)
    flash(_("You are no longer a member of %(name)s.", name=localized(organisation, "name")), "success")
    return redirect(url_for("organisations.mine"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@login_required
def invitation(token: str):
    """An invitation to join: shown to the invited user, who accepts it with a POST."""
    try:
        invited = services.read_invitation(token)
    except services.InvalidInvitationError:
        return _bad_invitation()
    organisation = db.session.get(Organisation, invited.organisation_id)
    if organisation is None:
        return _bad_invitation()
    problem = services.invitation_problem(current_user, invited)
    if problem is not None:
        return error_response(403, problem)
    if request.method == "POST":
        services.accept_invitation(current_user, invited)
        db.session.commit()
        flash(_("You are now a member of %(name)s.", name=localized(organisation, "name")), "success")
        return redirect(url_for("organisations.profile", organisation_id=organisation.id))
    if permissions.is_organisation_member(current_user, organisation):
        flash(_("You are already a member of this organisation."), "info")
        return redirect(url_for("organisations.profile", organisation_id=organisation.id))
    return render_template("organisations/invitation.html", organisation=organisation, token=token)


def _bad_invitation():
    return error_response(
        404,
        _("This invitation link is invalid or has expired. Ask the owner to invite you again."),
    )


# --- Sectors -----------------------------------------------------------------------------------------


@bp.route("/sectors", methods=["GET", "POST"])
@login_required
def sectors():
    """The sectors organisations choose from; site admins and event organisers add more."""
    _may_import()
    form = SectorForm()
    if form.validate_on_submit():
        try:
            sector = services.add_sector(current_user, form.name.data, form.name_zh.data, form.slug.data)
            db.session.commit()
        except services.InvalidChangeError as error:
            db.session.rollback()
            show_problems(form, error)
        except IntegrityError:  # the same slug added at the same moment
            db.session.rollback()
            form.slug.errors = [_("A sector with this short name already exists.")]
        else:
            flash(_("The sector “%(name)s” was added.", name=sector.name), "success")
            return redirect(url_for("organisations.sectors"))
    return render_template(
        "organisations/sectors.html",
        form=form,
        sectors=services.all_sectors(),
        defaults=services.DEFAULT_SECTORS,
    )


# --- CSV import ----------------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_upload():
    """Upload a CSV partner list; a preview shows what each row would do before anything is written."""
    _may_import()
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = uploaded_file(form.file.data)
        if upload is None:
            form.file.errors = [_("Choose a CSV file.")]
        else:
            data = upload.stream.read(importer.MAX_IMPORT_BYTES + 1)
            try:
                plan = services.plan_import(data)
            except importer.ImportRefusedError as error:
                form.file.errors = [services.problem_text(error.message, error.params)]
            else:
                reference = services.keep_import_upload(current_user, data) if plan.ok else ""
                return _preview(plan, reference, filename=upload.filename)
    return render_template("organisations/import.html", form=form)


def _preview(
    plan: services.ImportPlan, reference: str, *, filename: str | None, committed_failed: bool = False
):
    return render_template(
        "organisations/import_preview.html",
        plan=plan,
        filename=filename,
        form=ImportCommitForm(data={"upload": reference}),
        committed_failed=committed_failed,
    )


@bp.post("/import/commit")
@login_required
def import_commit():
    """Import a previewed file: every row, or nothing when any row has a problem now."""
    _may_import()
    form = ImportCommitForm()
    if not form.validate_on_submit():
        return redirect(url_for("organisations.import_upload"))
    reference = form.upload.data
    try:
        data = services.load_import_upload(current_user, reference)
        result = services.commit_import(current_user, data)
        db.session.commit()
    except importer.ImportRefusedError as error:
        db.session.rollback()
        flash(services.problem_text(error.message, error.params), "error")
        return redirect(url_for("organisations.import_upload"))
    except services.ImportNotReadyError as error:
        db.session.rollback()
        return _preview(error.plan, "", filename=None, committed_failed=True)
    services.discard_import_upload(current_user, reference)
    flash(
        _(
            "Import finished: %(created)d new, %(updated)d updated, %(unchanged)d unchanged, "
            "%(skipped)d skipped.",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            skipped=result.skipped,
        ),
        "success",
    )
    return redirect(url_for("organisations.import_upload"))
