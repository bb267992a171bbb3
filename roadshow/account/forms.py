"""Account-data forms: confirming the deletion of one's account with the password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, Length

from roadshow.auth.services import MAX_PASSWORD_LENGTH


class DeleteAccountForm(FlaskForm):
    """The password, entered again, and an explicit confirmation."""

    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("I understand that my account and my registrations are deleted for good"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
