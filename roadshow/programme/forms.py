"""Forms of the pitch programme: slot edits, board actions, proposals, company answers.

Ids arrive as plain integers; the routes load them within the event (another event's id is a 404)
and the services check the rules.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, TimeField
from wtforms.validators import DataRequired, InputRequired, Optional

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when the input has a step below 60


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ShortenSlotForm(FlaskForm):
    """Make an empty slot end earlier."""

    end_time = TimeField(_l("New end"), format=TIME_FORMATS, validators=[InputRequired()])


class SplitSlotForm(FlaskForm):
    """Split an empty slot in two."""

    split_time = TimeField(
        _l("Split at"),
        format=TIME_FORMATS,
        validators=[Optional()],
        description=_l("Leave empty to split in the middle."),
    )


class HolderForm(FlaskForm):
    """An action on a held slot; *holder* is the application the organiser saw in it."""

    holder = IntegerField(validators=[Optional()])


class AssignForm(FlaskForm):
    """Give an empty slot to a company without a slot."""

    application_id = SelectField(
        _l("Company"), coerce=int, validate_choice=False, validators=[InputRequired()]
    )
    confirm = BooleanField(_l("Yes, outside its availability"))


class MoveForm(HolderForm):
    """Move a slot's holder to an empty slot."""

    target_slot_id = SelectField(
        _l("Move to the empty slot"), coerce=int, validate_choice=False, validators=[InputRequired()]
    )
    confirm = BooleanField(_l("Yes, outside its availability"))


class SwapForm(HolderForm):
    """Exchange the holders of two slots."""

    other_slot_id = SelectField(
        _l("Swap with the slot"), coerce=int, validate_choice=False, validators=[InputRequired()]
    )
    other_holder = IntegerField(validators=[Optional()])
    confirm = BooleanField(_l("Yes, outside their availability"))


class ProposeForm(FlaskForm):
    """Compute a proposal."""

    keep_published = BooleanField(
        _l("Keep slots already published to companies as they are"),
        default=True,
        false_values=("", "0", "false", "n", "no", "off"),
    )


class ApplyProposalForm(FlaskForm):
    """Apply the proposal that was shown (signed)."""

    proposal = HiddenField(validators=[DataRequired()])


class DeclineForm(FlaskForm):
    """A company gives its slot back."""

    confirm = BooleanField(
        _l("I understand that the slot will be offered to another company"), validators=[DataRequired()]
    )
