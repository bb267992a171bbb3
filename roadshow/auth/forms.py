"""Account forms: sign-up, log-in, password reset, profile, password change."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from roadshow import timezones
from roadshow.auth.services import email_is_taken, password_problems, verify_password
from roadshow.i18n import LANGUAGE_NAMES


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _normalise_email(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def language_choices(blank: bool = False) -> list[SelectChoice]:
    """The site's languages as select choices (each named in its own language)."""
    choices = [
        SelectChoice(code, label, render_kw={"lang": "zh-Hans" if code == "zh" else code})
        for code, label in LANGUAGE_NAMES.items()
    ]
    return [SelectChoice("", str(_l("Same as this page"))), *choices] if blank else choices


def timezone_choices(blank: bool = False) -> list[SelectChoice]:
    """Every IANA zone name as select choices."""
    choices = [SelectChoice(name) for name in timezones.all_timezone_names()]
    return [SelectChoice("", str(_l("Choose a time zone"))), *choices] if blank else choices


class StrongPassword:
    """Validator: the password passes ``password_problems`` (each problem becomes a field error).

    The e-mail address and name, when the form has those fields (or the account is given), are
    checked against the password too.
    """

    def __call__(self, form: FlaskForm, field: Any) -> None:
        """Validate *field* of *form*."""
        account = getattr(form, "account", None)
        email = getattr(getattr(form, "email", None), "data", None) or getattr(account, "email", "")
        name = getattr(getattr(form, "name", None), "data", None) or getattr(account, "name", "")
        problems = password_problems(field.data or "", email=email or "", name=name or "")
        if problems:
            field.errors.extend(problems[:-1])
            raise ValidationError(problems[-1])


class ValidTimezone:
    """Validator: an IANA time zone name this system knows (empty passes; add DataRequired to forbid)."""

    def __call__(self, form: FlaskForm, field: Any) -> None:
        """Validate *field* of *form*."""
        if field.data and not timezones.is_valid_timezone(field.data):
            raise ValidationError(
                _l("This is not a time zone we know. Choose one from the list, such as Asia/Shanghai.")
            )


def _email_field(autocomplete: str = "email", *, check_format: bool = False) -> EmailField:
    validators: list[Any] = [DataRequired(), Length(max=254)]
    if check_format:
        validators.append(Email(message=_l("Enter a valid e-mail address, such as name@example.org.")))
    return EmailField(
        _l("E-mail address"),
        filters=[_normalise_email],
        validators=validators,
        render_kw={"autocomplete": autocomplete, "spellcheck": "false", "autocapitalize": "none"},
    )


def _new_password_fields(label: Any = None) -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        label or _l("Password"),
        validators=[DataRequired(), StrongPassword()],
        description=_l("At least 10 characters. A few unrelated words make a good password."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class SignupForm(FlaskForm):
    """A new account."""

    email = _email_field(check_format=True)
    name = StringField(
        _l("Your name"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    password, confirm = _new_password_fields()
    locale = SelectField(_l("Language"), choices=[], validators=[Optional()])
    timezone = SelectField(
        _l("Time zone"),
        choices=[],
        validate_choice=False,
        validators=[ValidTimezone()],
        description=_l("Programme times are shown in this zone beside the event's own."),
    )
    next = HiddenField()

    def validate_email(self, field: EmailField) -> None:
        """An address no account uses yet."""
        if email_is_taken(field.data):
            raise ValidationError(
                _l("An account with this e-mail address already exists. Log in, or reset its password.")
            )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices(blank=True)
        self.timezone.choices = timezone_choices(blank=True)


class LoginForm(FlaskForm):
    """E-mail address and password."""

    email = _email_field("username")
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    """The address to send a password reset link to."""

    email = _email_field()


class ResetPasswordForm(FlaskForm):
    """A new password, chosen through a reset link."""

    password, confirm = _new_password_fields()

    def __init__(self, *args: Any, account: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account


class ProfileForm(FlaskForm):
    """Name, language and time zone."""

    name = StringField(
        _l("Your name"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    locale = SelectField(_l("Language"), choices=[])
    timezone = SelectField(
        _l("Time zone"),
        choices=[],
        validate_choice=False,
        validators=[DataRequired(), ValidTimezone()],
        description=_l("Programme times are shown in this zone beside the event's own."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()
        self.timezone.choices = timezone_choices()


class ChangePasswordForm(FlaskForm):
    """The current password and a new one."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    password, confirm = _new_password_fields(_l("New password"))

    def __init__(self, *args: Any, account: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account

    def validate_current_password(self, field: PasswordField) -> None:
        """The account's present password."""
        if self.account is None or not verify_password(self.account, field.data or ""):
            raise ValidationError(_l("This is not your current password."))
