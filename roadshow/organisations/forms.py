"""Organisation forms: the profile, inviting a member, adding a sector, uploading a partner list.

Forms check the shape of the input; the rules (country codes, web addresses, known sectors, logo
contents, duplicates) are checked in roadshow.organisations.services.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from roadshow.countries import prioritised_country_choices
from roadshow.organisations.services import InvalidChangeError, OrganisationDetails, sector_options


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _none_if_blank(value: Any) -> Any:
    return value or None


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def uploaded_file(storage: Any) -> FileStorage | None:
    """The uploaded file of a FileField, or None when none was chosen."""
    if isinstance(storage, FileStorage) and storage.filename:
        return storage
    return None


class OrganisationForm(FlaskForm):
    """Register an organisation, or edit its profile."""

    name = StringField(
        _l("Name (in English or Latin letters)"),
        validators=[DataRequired(), Length(max=200)],
        filters=[_strip],
    )
    name_zh = StringField(
        _l("Chinese name (optional)"), validators=[Optional(), Length(max=200)], filters=[_strip]
    )
    country = SelectField(
        _l("Country"),
        validate_choice=False,  # checked by the service, with a clearer message
        validators=[InputRequired()],
    )
    city = StringField(_l("City"), validators=[Length(max=120)], filters=[_strip])
    sectors = MultiCheckboxField(_l("Sectors"), validate_choice=False)
    website = URLField(
        _l("Website (optional)"),
        description=_l("An http:// or https:// address; “example.com” is read as https://example.com."),
        validators=[Optional(), Length(max=300)],
        filters=[_strip, _none_if_blank],
    )
    description = TextAreaField(
        _l("Description"),
        description=_l("What the organisation does, and what it looks for in Europe or China."),
        validators=[Length(max=20000)],
        filters=[_strip],
    )
    description_zh = TextAreaField(
        _l("Chinese description (optional)"), validators=[Length(max=20000)], filters=[_strip]
    )
    logo = FileField(
        _l("Logo (optional)"),
        description=_l("A PNG, JPEG or WebP image of at most 2 MB."),
        render_kw={"accept": "image/png,image/jpeg,image/webp"},
    )
    remove_logo = BooleanField(_l("Remove the current logo"))
    confirm_different = BooleanField(_l("It is a different organisation: register it anyway"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locale = str(get_locale() or "en")
        featured = str(_l("EU member states and China"))
        others = str(_l("Other countries"))
        self.country.choices = [SelectChoice("", str(_l("Choose a country…")))] + [
            SelectChoice(code, name, optgroup=featured if is_featured else others)
            for code, name, is_featured in prioritised_country_choices(locale)
        ]
        chinese = locale.startswith("zh")
        self.sectors.choices = [
            (slug, name_zh if chinese and name_zh else name) for slug, name, name_zh in sector_options()
        ]

    def details(self) -> OrganisationDetails:
        """The entered values, for roadshow.organisations.services."""
        return OrganisationDetails(
            name=self.name.data or "",
            name_zh=self.name_zh.data or None,
            country=(self.country.data or "").upper(),
            city=self.city.data or "",
            website=self.website.data,
            sector_slugs=tuple(dict.fromkeys(self.sectors.data or ())),
            description=self.description.data or "",
            description_zh=self.description_zh.data or None,
        )


class InviteMemberForm(FlaskForm):
    """Invite a colleague by e-mail address."""

    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Email(), Length(max=254)],
        filters=[_strip],
    )
    submit = SubmitField(_l("Invite"))


class SectorForm(FlaskForm):
    """Add a sector to the list organisations choose from."""

    name = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=120)], filters=[_strip])
    name_zh = StringField(
        _l("Name in Chinese (optional)"), validators=[Optional(), Length(max=120)], filters=[_strip]
    )
    slug = StringField(
        _l("Short name (optional)"),
        description=_l(
            "Lower-case letters, digits and hyphens, used in CSV files. Made from the name if empty."
        ),
        validators=[Optional(), Length(max=60)],
        filters=[_strip, _none_if_blank],
    )
    submit = SubmitField(_l("Add sector"))


class ImportUploadForm(FlaskForm):
    """Upload a CSV partner list for a preview."""

    file = FileField(
        _l("CSV file"),
        description=_l("UTF-8 (with or without BOM) or GB18030, at most 5 MB and 10,000 rows."),
        render_kw={"accept": ".csv,text/csv"},
    )
    submit = SubmitField(_l("Preview"))


class ImportCommitForm(FlaskForm):
    """Commit a previewed import."""

    upload = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Import"))


def show_problems(form: FlaskForm, error: InvalidChangeError) -> None:
    """Attach a service's refusal to the form: each message on its field, the rest above the form."""
    for field_name, messages in error.problems.items():
        field = form._fields.get(field_name) if field_name else None
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = [*field.errors, *messages]
