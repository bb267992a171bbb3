"""Review-desk forms: one decision, a bulk decision on selected rows, and the table's filters."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Form,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from roadshow.applications.services import REGION_LABELS, STAGE_LABELS, STATUS_LABELS
from roadshow.countries import country_name
from roadshow.enums import ApplicationStatus
from roadshow.i18n import localized
from roadshow.models import Sector
from roadshow.review.services import DECISIONS, MAX_NOTE_LENGTH, NO_SECTOR, SORT_KEYS

DECISION_LABELS = {
    ApplicationStatus.ACCEPTED: _l("Accept"),
    ApplicationStatus.WAITLISTED: _l("Put on the waiting list"),
    ApplicationStatus.REJECTED: _l("Reject"),
}
SORT_LABELS = {
    "submitted": _l("Submitted"),
    "company": _l("Company"),
    "country": _l("Country"),
    "sector": _l("Sector"),
    "status": _l("Status"),
}
_DECISION_CHOICES = [SelectChoice(status.value, DECISION_LABELS[status]) for status in DECISIONS]
_NOTE = TextAreaField(
    _l("Note to the company (optional)"),
    description=_l("Included in the e-mail the company's members receive, and shown with the application."),
    validators=[Length(max=MAX_NOTE_LENGTH)],
    filters=[lambda value: value.strip() if isinstance(value, str) else value],
)


class DecisionForm(FlaskForm):
    """Accept, waitlist or reject one application."""

    decision = RadioField(_l("Decision"), choices=_DECISION_CHOICES, validators=[InputRequired()])
    note = _NOTE


class BulkDecisionForm(FlaskForm):
    """One decision for every selected row of the table."""

    application_ids = SelectMultipleField(_l("Selected applications"), coerce=int, validate_choice=False)
    decision = SelectField(
        _l("Decision for the selected applications"), choices=_DECISION_CHOICES, validators=[InputRequired()]
    )
    note = _NOTE
    next = HiddenField()


class FilterForm(Form):
    """The table's filters and sort order, read from and written to the query string (no CSRF: GET)."""

    region = SelectField(_l("Region"), validate_choice=False)
    country = SelectField(_l("Country"), validate_choice=False)
    sector = SelectField(_l("Sector"), validate_choice=False)
    stage = SelectField(_l("Stage"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    sort = SelectField(
        _l("Sort by"),
        choices=[SelectChoice(key, SORT_LABELS[key]) for key in SORT_KEYS],
        validate_choice=False,
    )
    dir = SelectField(
        _l("Order"),
        choices=[SelectChoice("asc", _l("Ascending")), SelectChoice("desc", _l("Descending"))],
        validate_choice=False,
    )

    def __init__(self, *args: Any, countries: list[str], sectors: list[Sector], locale: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        every = SelectChoice("", _l("All"))
        self.region.choices = [every, *[SelectChoice(r.value, label) for r, label in REGION_LABELS.items()]]
        self.country.choices = [
            every,
            *[SelectChoice(code, country_name(code, locale)) for code in countries],
        ]
        self.sector.choices = [
            every,
            *[SelectChoice(sector.slug, localized(sector, "name")) for sector in sectors],
            SelectChoice(NO_SECTOR, _l("No sector")),
        ]
        self.stage.choices = [every, *[SelectChoice(s.value, label) for s, label in STAGE_LABELS.items()]]
        self.status.choices = [every, *[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()]]
