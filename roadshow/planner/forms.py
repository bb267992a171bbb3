"""The planner's query form: a date, the local working hours, and extra zones (read from the URL)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TimeField, ValidationError
from wtforms.validators import Optional

from roadshow import timezones
from roadshow.planner import overlap

MAX_EXTRA_ZONES = 5
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when the input has a step below 60
_ZONE_SEPARATORS = re.compile(r"[\s,;]+")


class PlannerDateField(DateField):
    """A date given as YYYY-MM-DD, refused with a message saying so."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the date, or record a clear error (an empty value keeps the default)."""
        if not valuelist or not str(valuelist[0]).strip():
            return
        try:
            self.data = datetime.strptime(str(valuelist[0]).strip(), "%Y-%m-%d").date()  # noqa: DTZ007
        except ValueError as exc:
            self.data = None
            raise ValueError(_l("Enter the date as YYYY-MM-DD, for example 2026-10-26.")) from exc


class PlannerTimeField(TimeField):
    """A time of day given as HH:MM, refused with a message saying so."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the time, or record a clear error (an empty value keeps the default)."""
        if not valuelist or not str(valuelist[0]).strip():
            return
        text = str(valuelist[0]).strip()
        for fmt in TIME_FORMATS:
            try:
                self.data = datetime.strptime(text, fmt).time()  # noqa: DTZ007
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(_l("Enter the time as HH:MM (24-hour clock), for example 09:00."))


def split_zone_names(text: str | None) -> list[str]:
    """The zone names in *text*, separated by spaces, commas or semicolons."""
    return [name for name in _ZONE_SEPARATORS.split(text or "") if name]


class PlannerForm(FlaskForm):
    """What the planner shows: a date, the working day in local time, and up to five more zones."""

    class Meta:
        csrf = False  # a GET form: it changes nothing

    date = PlannerDateField(_l("Date"), validators=[Optional()])
    start = PlannerTimeField(_l("Working day starts (local time)"), validators=[Optional()])
    end = PlannerTimeField(
        _l("Working day ends (local time)"),
        validators=[Optional()],
        description=_l("00:00 means midnight at the end of the day."),
    )
    zones = StringField(
        _l("More time zones"),
        validators=[Optional()],
        description=_l("IANA names separated by spaces or commas, for example America/New_York Asia/Tokyo."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )

    def validate_date(self, field: PlannerDateField) -> None:
        """A date the planner can draw."""
        if field.data is not None and not overlap.EARLIEST_DATE <= field.data <= overlap.LATEST_DATE:
            raise ValidationError(
                _l(
                    "Choose a date between %(first)s and %(last)s.",
                    first=overlap.EARLIEST_DATE.isoformat(),
                    last=overlap.LATEST_DATE.isoformat(),
                )
            )

    def validate_zones(self, field: StringField) -> None:
        """Every name is an IANA zone, and there are not too many."""
        names = split_zone_names(field.data)
        unknown = [name for name in names if not timezones.is_valid_timezone(name)]
        if unknown:
            # str(): a lazy string is trusted as markup by Jinja, and the names are what was typed.
            raise ValidationError(
                str(
                    _l(
                        "Unknown time zone: %(names)s. Use IANA names such as Europe/Paris or "
                        "America/New_York.",
                        names=", ".join(name[:64] for name in unknown[:3]),
                    )
                )
            )
        if len(overlap.unique_zones(names)) > MAX_EXTRA_ZONES:
            raise ValidationError(_l("Add at most %(count)d more time zones.", count=MAX_EXTRA_ZONES))

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, then: the working day ends after it starts (00:00 = midnight)."""
        valid = super().validate(extra_validators)
        if self.start.errors or self.end.errors:
            return valid
        start, end = self.working_day()
        if end != time(0) and end <= start:
            self.end.errors = [
                *self.end.errors,
                _l("The working day must end after it starts (00:00 means midnight)."),
            ]
            return False
        return valid

    def fill_defaults(self, today: date) -> None:
        """Show what is drawn: *today* when no date was asked for, 09:00–18:00 when no hours were."""
        self.date.data = self.date.data or today
        self.start.data, self.end.data = self.working_day()
        for field in (self.date, self.start, self.end):
            if field.raw_data and not "".join(field.raw_data).strip():
                field.raw_data = []  # an empty box shows the default it stands for

    def working_day(self) -> tuple[time, time]:
        """The local start and end of the working day asked for (09:00–18:00 unless told)."""
        return self.start.data or overlap.DEFAULT_START, self.end.data or overlap.DEFAULT_END

    def zone_names(self) -> list[str]:
        """The five standard zones, then the extra ones asked for (each once)."""
        return overlap.unique_zones([*overlap.DEFAULT_ZONES, *split_zone_names(self.zones.data)])
