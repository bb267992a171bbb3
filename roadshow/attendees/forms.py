"""Attendee forms: registering with a role, cancelling, starring, and remembering the browser's zone."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length

from roadshow.attendees.services import ROLE_LABELS
from roadshow.enums import RegistrationRole


class RegisterForm(FlaskForm):
    """Register for an event as an attendee or an investor."""

    role = RadioField(
        _l("I attend as"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        default=RegistrationRole.ATTENDEE.value,
        validators=[DataRequired(message=_l("Choose whether you attend as an attendee or an investor."))],
    )


class CancelForm(FlaskForm):
    """Cancel a registration (a button: only the CSRF token)."""


class StarForm(FlaskForm):
    """Star or unstar a session or pitch; *next* is the page to come back to."""

    starred = HiddenField(validators=[DataRequired()])
    next = HiddenField()

    def wants_star(self) -> bool | None:
        """True to star, False to unstar, None for anything else."""
        return {"1": True, "0": False}.get(self.starred.data or "")


class TimezoneForm(FlaskForm):
    """The IANA zone a browser reports (``Intl.DateTimeFormat().resolvedOptions().timeZone``)."""

    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])
    next = HiddenField()
