"""Application forms: the pitch application with its availability rows, and withdrawal.

Forms check the shape of the input (required, lengths, dates, times, numbers); the domain rules
(investment amount and currency, time zones, daylight-saving gaps, the event's days) are checked in
roadshow.applications.services, whose refusals show_problems() attaches to the right field or row.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup
from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import Choice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget, Select

from roadshow import timezones
from roadshow.applications.services import (
    CURRENCIES,
    MAX_WINDOWS,
    SEEKING_LABELS,
    STAGE_LABELS,
    ApplicationDetails,
    InvalidApplicationError,
    WindowEntry,
    comparison_zones,
)
from roadshow.i18n import localized
from roadshow.models import Organisation, Sector

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when the input has a step below 60


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PlainOptionsSelect(Select):
    """A select whose plain options (a text value and label, no attributes) are rendered once per
    process and reused: the time-zone list has some 600 options, the same on every page."""

    @classmethod
    def render_option(cls, choice: Choice, **kwargs: Any) -> Markup:
        """The ``<option>`` for *choice*, exactly as Select writes it."""
        if kwargs or choice.render_kw or type(choice.value) is not str or type(choice.label) is not str:
            return super().render_option(choice, **kwargs)
        return _plain_option(choice.value, choice.label, bool(choice.selected))


@lru_cache(maxsize=2048)
def _plain_option(value: str, label: str, selected: bool) -> Markup:
    return Select.render_option(Choice(value, label, selected, {}))


@lru_cache(maxsize=1)
def _zone_choices() -> tuple[SelectChoice, ...]:
    return tuple(SelectChoice(name) for name in timezones.all_timezone_names())


class WindowForm(Form):
    """One availability row: a date and two wall-clock times in the company's zone."""

    day = DateField(_l("Date"), validators=[Optional()])
    start_time = TimeField(_l("From"), format=TIME_FORMATS, validators=[Optional()])
    end_time = TimeField(_l("To"), format=TIME_FORMATS, validators=[Optional()])

    def entry(self) -> WindowEntry:
        """The row's values for the service."""
        return WindowEntry(self.day.data, self.start_time.data, self.end_time.data)


class ApplicationForm(FlaskForm):
    """Apply to pitch at a roadshow, or edit an application."""

    organisation = SelectField(_l("Applying company"), coerce=int, validators=[InputRequired()])
    title = StringField(_l("Project title"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    title_zh = StringField(
        _l("Chinese project title (optional)"), validators=[Optional(), Length(max=200)], filters=[_strip]
    )
    summary = TextAreaField(
        _l("Summary"),
        description=_l("What the project is, what is new about it, and whom it serves."),
        validators=[DataRequired(), Length(max=5000)],
        filters=[_strip],
    )
    summary_zh = TextAreaField(
        _l("Chinese summary (optional)"), validators=[Optional(), Length(max=5000)], filters=[_strip]
    )
    sector = SelectField(_l("Sector"), validators=[InputRequired()], validate_choice=False)
    stage = SelectField(
        _l("Stage"),
        choices=[SelectChoice(stage.value, label) for stage, label in STAGE_LABELS.items()],
        validators=[InputRequired()],
    )
    seeking = MultiCheckboxField(
        _l("What the company is looking for"),
        choices=[SelectChoice(option.value, label) for option, label in SEEKING_LABELS.items()],
    )
    investment_amount = DecimalField(
        _l("Investment sought: amount"),
        places=2,
        description=_l("Required when you look for investment."),
        render_kw={"inputmode": "decimal"},
        validators=[Optional()],
    )
    investment_currency = SelectField(
        _l("Investment sought: currency"),
        choices=[SelectChoice("", "—"), *[SelectChoice(code) for code in CURRENCIES]],
        validate_choice=False,  # checked by the service, with a clearer message
    )
    deck = FileField(
        _l("Pitch deck (PDF, at most 20 MB)"),
        description=_l("Optional now; you can add or replace it until the deadline."),
        render_kw={"accept": "application/pdf,.pdf"},
    )
    timezone = SelectField(
        _l("Your company's time zone"),
        description=_l("Enter your availability below in this time zone."),
        validate_choice=False,  # checked by the service, with a clearer message
        validators=[InputRequired()],
        widget=PlainOptionsSelect(),
    )
    windows = FieldList(FormField(WindowForm), min_entries=1, max_entries=MAX_WINDOWS)
    add_window = SubmitField(_l("Add another window"))
    submit = SubmitField(_l("Submit application"))

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation] | None = None,
        event_zone: str = "UTC",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.organisation
        else:
            # availability.js reads the zones to compare with from the chosen company.
            self.organisation.choices = [
                SelectChoice(
                    str(organisation.id),
                    localized(organisation, "name"),
                    render_kw={
                        "data-compare-zones": ",".join(comparison_zones(organisation.region, event_zone))
                    },
                )
                for organisation in organisations
            ]
        self.timezone.choices = list(_zone_choices())  # shared, never changed

    def set_sectors(self, sectors: list[Sector]) -> None:
        """Offer *sectors* (by their name in the reader's language)."""
        self.sector.choices = [
            SelectChoice("", _l("Choose a sector")),
            *[SelectChoice(str(sector.id), localized(sector, "name")) for sector in sectors],
        ]
        if not sectors:  # a fresh site with no sector list yet must still take applications
            self.sector.validators = [Optional()]

    def wants_another_window(self) -> bool:
        """True when the "add another window" button sent the form (no validation wanted)."""
        return bool(self.is_submitted() and self.add_window.data)

    def add_blank_window(self) -> None:
        """Show one more empty availability row (up to the maximum)."""
        if len(self.windows.entries) < MAX_WINDOWS:
            self.windows.append_entry()

    def window_entries(self) -> list[WindowEntry]:
        """The availability rows as entered."""
        return [entry.form.entry() for entry in self.windows.entries]

    def details(self) -> ApplicationDetails:
        """The entered values, for roadshow.applications.services."""
        sector = self.sector.data
        return ApplicationDetails(
            title=self.title.data or "",
            title_zh=self.title_zh.data,
            summary=self.summary.data or "",
            summary_zh=self.summary_zh.data,
            sector_id=int(sector) if sector and str(sector).isdigit() else None,
            stage=self.stage.data or "",
            seeking=list(self.seeking.data or []),
            investment_amount=self.investment_amount.data,
            investment_currency=self.investment_currency.data,
            timezone=self.timezone.data or "",
            windows=self.window_entries(),
        )


class WithdrawForm(FlaskForm):
    """Confirm withdrawing an application."""

    submit = SubmitField(_l("Withdraw the application"))


def show_problems(form: ApplicationForm, error: InvalidApplicationError) -> None:
    """Attach a service's refusal to the form: each message on its field or row, the rest on top."""
    for field_name, messages in error.problems.items():
        target = form._fields.get(field_name) if field_name else None
        if target is None:
            form.form_errors.extend(messages)
        else:
            target.errors = [*target.errors, *messages]
    for row, fields in error.window_problems.items():
        if row >= len(form.windows.entries):
            form.form_errors.extend(message for messages in fields.values() for message in messages)
            continue
        row_form = form.windows.entries[row].form
        for field_name, messages in fields.items():
            target = row_form._fields[field_name]
            target.errors = [*target.errors, *messages]
