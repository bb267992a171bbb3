"""Pitch-programme routes: slots of pitch blocks, the proposed schedule, the board, releases (for
organisers, under /manage/events/<id>/pitches/), and the company's own slots (under /my/slots/).

Every organiser route loads the event and answers 404 unless the user may manage it; slots and
applications are loaded within that event (another event's id is a 404 too). Company routes answer
404 for a slot that does not hold the user's organisation. The work is done in
roadshow.programme.services; routes commit. A change that lost a race (the slot or the company was
just taken) is rolled back and answered with 409 and a message saying so.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from roadshow import permissions
from roadshow.enums import ApplicationStatus
from roadshow.extensions import db
from roadshow.models import Event, PitchApplication, PitchSlot, ProgrammeSession
from roadshow.programme import services
from roadshow.programme.forms import (
    ActionForm,
    ApplyProposalForm,
    AssignForm,
    DeclineForm,
    HolderForm,
    MoveForm,
    ProposeForm,
    ShortenSlotForm,
    SplitSlotForm,
    SwapForm,
)

bp = Blueprint("programme", __name__)

MANAGE = "/manage/events/<int:event_id>/pitches"
# Ids are INTEGER columns: a larger number in a path or form is simply not found (PostgreSQL would
# otherwise refuse the query with "integer out of range").
MAX_ID = 2**31 - 1


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "slot_state_label": services.state_label,
        "region_of": services.region_label,
    }


# --- Loading ---------------------------------------------------------------------------------------------


def _known_id(value: int | None) -> int:
    """*value* when it can be a row id; 404 otherwise."""
    if value is None or not 0 < value <= MAX_ID:
        abort(404)
    return value


def _managed_event_or_404(event_id: int) -> Event:
    """The event, when the current user may manage it; 404 otherwise (unknown or not theirs)."""
    event = db.session.get(Event, _known_id(event_id))
    if event is None or not permissions.can_manage_event(current_user, event):
        abort(404)
    return event


def _slot_or_404(event: Event, slot_id: int | None) -> PitchSlot:
    slot = services.pitch_slot_of_event(event, _known_id(slot_id))
    if slot is None:
        abort(404)
    return slot


def _application_or_404(event: Event, application_id: int | None) -> PitchApplication:
    application = services.application_of_event(event, _known_id(application_id))
    if application is None:
        abort(404)
    return application


def _session_or_404(event: Event, session_id: int) -> ProgrammeSession:
    session = services.session_of_event(event, _known_id(session_id))
    if session is None:
        abort(404)
    return session


def _conflict_message() -> str:
    return str(services.CONFLICT_MESSAGE)


# --- Slots of pitch blocks -------------------------------------------------------------------------------


def _render_slots(event: Event, error: str | None = None, status: int = 200):
    return (
        render_template(
            "programme/slots.html",
            event=event,
            blocks=services.pitch_blocks(event),
            error=error,
            action_form=ActionForm(),
            propose_form=ProposeForm(),
        ),
        status,
    )


def _slot_edit(event: Event, work) -> Any:
    """Run a slot edit, commit it, and show the slots page (with the refusal, if any)."""
    try:
        message = work()
        db.session.commit()
    except services.ProgrammeError as error:
        db.session.rollback()
        return _render_slots(event, error.message, error.status)
    except IntegrityError:
        db.session.rollback()
        return _render_slots(event, _conflict_message(), 409)
    flash(message, "success")
    return redirect(url_for("programme.slots", event_id=event.id))


@bp.get(f"{MANAGE}/")
@login_required
def slots(event_id: int):
    """Each pitch block of the event with its slots: generate them, and edit empty ones."""
    return _render_slots(_managed_event_or_404(event_id))


@bp.post(f"{MANAGE}/blocks/<int:session_id>/generate")
@login_required
def generate_slots(event_id: int, session_id: int):
    """Fill a pitch block with slots from its start (only while all its slots are empty)."""
    event = _managed_event_or_404(event_id)
    session = _session_or_404(event, session_id)
    if not ActionForm().validate_on_submit():
        abort(400)

    def work() -> str:
        created = services.generate_slots(current_user, event, session)
        return ngettext("%(num)d slot was generated.", "%(num)d slots were generated.", len(created))

    return _slot_edit(event, work)


@bp.post(f"{MANAGE}/slots/<int:slot_id>/shorten")
@login_required
def shorten_slot(event_id: int, slot_id: int):
    """Make an empty slot end earlier."""
    event = _managed_event_or_404(event_id)
    slot = _slot_or_404(event, slot_id)
    form = ShortenSlotForm()
    if not form.validate_on_submit():
        return _render_slots(event, _("Enter the new end time of the slot (hours and minutes)."), 400)

    def work() -> str:
        services.shorten_slot(current_user, event, slot, form.end_time.data)
        return _("The slot was shortened.")

    return _slot_edit(event, work)


@bp.post(f"{MANAGE}/slots/<int:slot_id>/split")
@login_required
def split_slot(event_id: int, slot_id: int):
    """Split an empty slot in two."""
    event = _managed_event_or_404(event_id)
    slot = _slot_or_404(event, slot_id)
    form = SplitSlotForm()
    if not form.validate_on_submit():
        return _render_slots(
            event, _("Enter the time to split at (hours and minutes), or leave it empty."), 400
        )

    def work() -> str:
        services.split_slot(current_user, event, slot, form.split_time.data)
        return _("The slot was split in two.")

    return _slot_edit(event, work)


@bp.post(f"{MANAGE}/slots/<int:slot_id>/delete")
@login_required
def delete_slot(event_id: int, slot_id: int):
    """Delete an empty slot."""
    event = _managed_event_or_404(event_id)
    slot = _slot_or_404(event, slot_id)
    if not ActionForm().validate_on_submit():
        abort(400)

    def work() -> str:
        services.delete_slot(current_user, event, slot)
        return _("The slot was deleted.")

    return _slot_edit(event, work)


# --- Proposing a schedule ----------------------------------------------------------------------------------


@bp.post(f"{MANAGE}/propose")
@login_required
def propose(event_id: int):
    """Compute the optimal schedule and show it beside the current plan (nothing is changed)."""
    event = _managed_event_or_404(event_id)
    form = ProposeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        proposal = services.propose(current_user, event, keep_published=form.keep_published.data)
    except services.ProgrammeError as error:
        db.session.rollback()
        return render_template(
            "programme/proposal.html", event=event, proposal=None, error=error.message
        ), 400
    db.session.rollback()  # proposing reads only
    apply_form = ApplyProposalForm(data={"proposal": proposal.token})
    return render_template(
        "programme/proposal.html", event=event, proposal=proposal, apply_form=apply_form, error=None
    )


@bp.post(f"{MANAGE}/apply")
@login_required
def apply_proposal(event_id: int):
    """Apply exactly the proposal that was shown, unless the plan changed since (409)."""
    event = _managed_event_or_404(event_id)
    form = ApplyProposalForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = services.apply_proposal(current_user, event, form.proposal.data)
        db.session.commit()
    except services.ProgrammeError as error:
        db.session.rollback()
        return render_template(
            "programme/proposal.html", event=event, proposal=None, error=error.message
        ), error.status
    except IntegrityError:
        db.session.rollback()
        return render_template(
            "programme/proposal.html", event=event, proposal=None, error=_conflict_message()
        ), 409
    flash(
        _(
            "The proposal was applied: %(placed)d company(ies) placed, %(moved)d moved, "
            "%(emptied)d slot(s) emptied.",
            placed=result.placed,
            moved=result.moved,
            emptied=result.emptied,
        ),
        "success",
    )
    return redirect(url_for("programme.board", event_id=event.id))


# --- The board ----------------------------------------------------------------------------------------------


@bp.get(f"{MANAGE}/board")
@login_required
def board(event_id: int):
    """Every slot with its holder, region and both clocks; freed slots with a suggested company."""
    event = _managed_event_or_404(event_id)
    return render_template(
        "programme/board.html",
        event=event,
        board=services.board(event),
        action_form=ActionForm(),
        propose_form=ProposeForm(),
    )


def _render_slot(
    event: Event,
    slot: PitchSlot,
    *,
    error: str | None = None,
    status: int = 200,
    forms: dict[str, Any] | None = None,
):
    choices = services.slot_choices(event, slot)
    assign_form = AssignForm()
    assign_form.application_id.choices = [(a.id, _choice_label(a, fits)) for a, fits in choices.applications]
    move_form = MoveForm(data={"holder": slot.application_id})
    move_form.target_slot_id.choices = [
        (s.id, _slot_label(event, s, fits)) for s, fits in choices.empty_slots
    ]
    swap_form = SwapForm(data={"holder": slot.application_id})
    swap_form.other_slot_id.choices = [(s.id, _held_label(event, s)) for s in choices.held_slots]
    given = forms or {}
    return (
        render_template(
            "programme/slot.html",
            event=event,
            slot=slot,
            error=error,
            assign_form=given.get("assign", assign_form),
            move_form=given.get("move", move_form),
            swap_form=given.get("swap", swap_form),
        ),
        status,
    )


def _choice_label(application: PitchApplication, fits: bool) -> str:
    name = application.organisation.name
    if application.status == ApplicationStatus.ACCEPTED:
        label = _("%(company)s (accepted)", company=name)
    else:
        label = _("%(company)s (waitlisted)", company=name)
    return label if fits else _("%(label)s — outside its availability", label=label)


def _slot_label(event: Event, slot: PitchSlot, fits: bool) -> str:
    label = services.slot_text(slot, event.timezone)
    return label if fits else _("%(label)s — outside its availability", label=label)


def _held_label(event: Event, slot: PitchSlot) -> str:
    return f"{services.slot_text(slot, event.timezone)} — {slot.application.organisation.name}"


@bp.get(f"{MANAGE}/board/slots/<int:slot_id>")
@login_required
def slot_detail(event_id: int, slot_id: int):
    """One slot of the board and what can be done with it: assign, move, swap, unassign, lock."""
    event = _managed_event_or_404(event_id)
    return _render_slot(event, _slot_or_404(event, slot_id))[0]


def _board_action(event: Event, slot_id: int, work, confirm_page: dict[str, Any] | None = None):
    """Run a board action and commit it; ask for confirmation, or show the refusal, when needed."""
    try:
        outcome = work()
        if isinstance(outcome, services.Outcome) and not outcome.done:
            db.session.rollback()
            return render_template(
                "programme/confirm.html", event=event, warnings=outcome.warnings, **(confirm_page or {})
            )
        db.session.commit()
    except services.ProgrammeError as error:
        db.session.rollback()
        return _render_slot(event, _slot_or_404(event, slot_id), error=error.message, status=error.status)
    except IntegrityError:
        db.session.rollback()
        return _render_slot(event, _slot_or_404(event, slot_id), error=_conflict_message(), status=409)
    return None


def _to_board(event: Event, slot_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("programme.board", event_id=event.id, _anchor=f"slot-{slot_id}"))


@bp.post(f"{MANAGE}/board/slots/<int:slot_id>/assign")
@login_required
def assign(event_id: int, slot_id: int):
    """Give an empty slot to an accepted or waitlisted company (confirming when outside its availability)."""
    event = _managed_event_or_404(event_id)
    slot = _slot_or_404(event, slot_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return _render_slot(event, slot, error=_("Choose a company."), status=400, forms={"assign": form})
    application = _application_or_404(event, form.application_id.data)
    name = application.organisation.name
    response = _board_action(
        event,
        slot_id,
        lambda: services.assign(current_user, event, slot, application, confirmed=form.confirm.data),
        {
            "slot": slot,
            "action": url_for("programme.assign", event_id=event.id, slot_id=slot.id),
            "fields": {"application_id": application.id},
            "question": _("Give this slot to %(company)s anyway?", company=name),
        },
    )
    return response or _to_board(event, slot_id, _("%(company)s now holds the slot.", company=name))


@bp.post(f"{MANAGE}/board/slots/<int:slot_id>/move")
@login_required
def move(event_id: int, slot_id: int):
    """Move a slot's holder to an empty slot (confirming when outside its availability)."""
    event = _managed_event_or_404(event_id)
    slot = _slot_or_404(event, slot_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _render_slot(
            event, slot, error=_("Choose the slot to move to."), status=400, forms={"move": form}
        )
    target = _slot_or_404(event, form.target_slot_id.data)
    name = slot.application.organisation.name if slot.application else ""
    response = _board_action(
        event,
        slot_id,
        lambda: services.move(
            current_user,
            event,
            slot,
            target,
            expected_application_id=form.holder.data,
            confirmed=form.confirm.data,
        ),
        {
            "slot": slot,
            "action": url_for("programme.move", event_id=event.id, slot_id=slot.id),
            "fields": {"target_slot_id": target.id, "holder": form.holder.data or ""},
            "question": _("Move %(company)s to this slot anyway?", company=name),
        },
    )
    return response or _to_board(event, target.id, _("%(company)s was moved.", company=name))


@bp.post(f"{MANAGE}/board/slots/<int:slot_id>/swap")
@login_required
def swap(event_id: int, slot_id: int):
    """Exchange the holders of two slots (confirming when outside their availability)."""
    event = _managed_event_or_404(event_id)
    slot = _slot_or_404(event, slot_id)
    form = SwapForm()
    if not form.validate_on_submit():
        return _render_slot(
            event, slot, error=_("Choose the slot to swap with."), status=400, forms={"swap": form}
        )
    other = _slot_or_404(event, form.other_slot_id.data)
    response = _board_action(
        event,
        slot_id,
        lambda: services.swap(
            current_user,
            event,
            slot,
            other,
            expected_application_id=form.holder.data,
            expected_other_id=form.other_holder.data,
            confirmed=form.confirm.data,
        ),
        {
            "slot": slot,
            "action": url_for("programme.swap", event_id=event.id, slot_id=slot.id),
            "fields": {
                "other_slot_id": other.id,
                "holder": form.holder.data or "",
                "other_holder": form.other_holder.data or other.application_id or "",
            },
            "question": _("Swap these two companies anyway?"),
        },
    )
    return response or _to_board(event, slot_id, _("The two slots were swapped."))


@bp.post(f"{MANAGE}/board/slots/<int:slot_id>/unassign")
@login_required
def unassign(event_id: int, slot_id: int):
    """Take the holder off a slot."""
    event = _managed_event_or_404(event_id)
    slot = _slot_or_404(event, slot_id)
    form = HolderForm()
    if not form.validate_on_submit():
        abort(400)
    name = slot.application.organisation.name if slot.application else ""
    response = _board_action(
        event,
        slot_id,
        lambda: services.unassign(current_user, event, slot, expected_application_id=form.holder.data),
    )
    return response or _to_board(event, slot_id, _("%(company)s no longer holds the slot.", company=name))


@bp.post(f"{MANAGE}/board/slots/<int:slot_id>/<any(lock, unlock):action>")
@login_required
def lock(event_id: int, slot_id: int, action: str):
    """Lock a slot with its holder (the proposer keeps the pair), or unlock it."""
    event = _managed_event_or_404(event_id)
    slot = _slot_or_404(event, slot_id)
    form = HolderForm()
    if not form.validate_on_submit():
        abort(400)
    response = _board_action(
        event,
        slot_id,
        lambda: services.set_lock(
            current_user, event, slot, action == "lock", expected_application_id=form.holder.data
        ),
    )
    message = _("The slot is locked.") if action == "lock" else _("The slot is unlocked.")
    return response or _to_board(event, slot_id, message)


# --- Releases --------------------------------------------------------------------------------------------


def _render_releases(event: Event, error: str | None = None, status: int = 200):
    return (
        render_template(
            "programme/releases.html",
            event=event,
            pending=services.pending_changes(event),
            releases=services.releases(event),
            action_form=ActionForm(),
            error=error,
        ),
        status,
    )


@bp.get(f"{MANAGE}/releases")
@login_required
def releases(event_id: int):
    """The numbered releases of the pitch programme with their changelogs, and what is unpublished."""
    return _render_releases(_managed_event_or_404(event_id))


@bp.post(f"{MANAGE}/publish")
@login_required
def publish(event_id: int):
    """Publish the pitch programme as the next release and e-mail every company whose slot changed."""
    event = _managed_event_or_404(event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        release = services.publish(current_user, event)
        db.session.commit()
    except services.ProgrammeError as error:
        db.session.rollback()
        return _render_releases(event, error.message, error.status)
    except IntegrityError:  # another organiser published the same number at the same moment
        db.session.rollback()
        return _render_releases(event, _("Another organiser published at the same moment; reload."), 409)
    flash(_("Release %(n)d of the pitch programme is published.", n=release.number), "success")
    return redirect(url_for("programme.releases", event_id=event.id))


# --- The company side --------------------------------------------------------------------------------------


def _render_my_slots(error: str | None = None, status: int = 200):
    return (
        render_template(
            "programme/my_slots.html",
            items=services.company_slots(current_user),
            action_form=ActionForm(),
            decline_form=DeclineForm(),
            error=error,
        ),
        status,
    )


def _member_slot_or_404(slot_id: int) -> PitchSlot:
    slot = services.slot_of_member(current_user, _known_id(slot_id))
    if slot is None:
        abort(404)
    return slot


@bp.get("/my/slots/")
@login_required
def my_slots():
    """The published pitch slots of the user's organisations, to confirm or decline."""
    return _render_my_slots()


def _answer(work, message: str):
    try:
        work()
        db.session.commit()
    except services.ProgrammeError as error:
        db.session.rollback()
        return _render_my_slots(error.message, error.status)
    flash(message, "success")
    return redirect(url_for("programme.my_slots"))


@bp.post("/my/slots/<int:slot_id>/confirm")
@login_required
def confirm_slot(slot_id: int):
    """The company confirms its slot."""
    slot = _member_slot_or_404(slot_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _answer(
        lambda: services.confirm_slot(current_user, slot), _("Thank you: your pitch slot is confirmed.")
    )


@bp.post("/my/slots/<int:slot_id>/decline")
@login_required
def decline_slot(slot_id: int):
    """The company declines its slot, which is freed for another company."""
    slot = _member_slot_or_404(slot_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _render_my_slots(_("Tick the box to confirm that you give the slot back."), 400)
    return _answer(
        lambda: services.decline_slot(current_user, slot),
        _("You declined the slot; the organisers will offer it to another company."),
    )
