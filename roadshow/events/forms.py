"""Organiser forms: events, sessions, moving a session, adding an organiser.

Forms parse and check the shape of the input (required, numbers, dates); the domain rules (slugs,
time zones, overlaps, daylight-saving gaps) are checked in roadshow.events.services.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from roadshow import timezones
from roadshow.enums import EventKind, SessionKind
from roadshow.events.services import (
    DEFAULT_TIMEZONE,
    MAX_CAPACITY,
    MAX_CHANGEOVER_MINUTES,
    MAX_SLOT_MINUTES,
    EventDetails,
    InvalidChangeError,
    SessionDetails,
)
from roadshow.i18n import EVENT_KIND_LABELS, SESSION_KIND_LABELS

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when the input has a step below 60


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _none_if_blank(value: Any) -> Any:
    return value or None


class EventForm(FlaskForm):
    """Create or edit an event."""

    kind = SelectField(
        _l("Kind of event"),
        choices=[SelectChoice(kind.value, label) for kind, label in EVENT_KIND_LABELS.items()],
        validators=[InputRequired()],
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    title_zh = StringField(
        _l("Chinese title (optional)"), validators=[Optional(), Length(max=200)], filters=[_strip]
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)], filters=[_strip])
    description_zh = TextAreaField(
        _l("Chinese description (optional)"), validators=[Length(max=20000)], filters=[_strip]
    )
    slug = StringField(
        _l("Web address name"),
        description=_l(
            "Lower-case letters, digits and hyphens, used in /events/<name>. "
            "Leave empty to make one from the title."
        ),
        validators=[Optional(), Length(max=80)],
        filters=[_strip, _none_if_blank],
    )
    timezone = SelectField(
        _l("Time zone of the programme"),
        default=DEFAULT_TIMEZONE,
        validate_choice=False,  # checked by the service, with a clearer message
        validators=[InputRequired()],
    )
    start_date = DateField(_l("First day"), validators=[InputRequired()])
    end_date = DateField(_l("Last day"), validators=[InputRequired()])
    join_url = URLField(
        _l("Default join link (optional)"),
        description=_l("Used by sessions that have no link of their own."),
        validators=[Optional(), Length(max=500)],
        filters=[_strip, _none_if_blank],
    )
    contact_email = EmailField(
        _l("Contact e-mail (optional)"),
        validators=[Optional(), Email(), Length(max=254)],
        filters=[_strip, _none_if_blank],
    )
    capacity = IntegerField(
        _l("Seats (optional)"),
        description=_l("When the event is full, further registrations go on a waiting list."),
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
    )
    deadline_date = DateField(_l("Pitch application deadline: date (optional)"), validators=[Optional()])
    deadline_time = TimeField(
        _l("Pitch application deadline: time, in the event's time zone"),
        format=TIME_FORMATS,
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice(name) for name in timezones.all_timezone_names()]

    def details(self) -> EventDetails:
        """The entered values, for roadshow.events.services."""
        return EventDetails(
            kind=EventKind(self.kind.data),
            title=self.title.data or "",
            title_zh=self.title_zh.data,
            description=self.description.data or "",
            description_zh=self.description_zh.data,
            slug=self.slug.data,
            timezone=self.timezone.data or "",
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            join_url=self.join_url.data,
            contact_email=self.contact_email.data,
            capacity=self.capacity.data,
            deadline_date=self.deadline_date.data,
            deadline_time=self.deadline_time.data,
        )


class SessionForm(FlaskForm):
    """Add or edit a programme session (times are local to the event's zone)."""

    kind = SelectField(
        _l("Kind of session"),
        choices=[SelectChoice(kind.value, label) for kind, label in SESSION_KIND_LABELS.items()],
        validators=[InputRequired()],
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)], filters=[_strip])
    title_zh = StringField(
        _l("Chinese title (optional)"), validators=[Optional(), Length(max=300)], filters=[_strip]
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)], filters=[_strip])
    description_zh = TextAreaField(
        _l("Chinese description (optional)"), validators=[Length(max=20000)], filters=[_strip]
    )
    day = DateField(_l("Day"), validators=[InputRequired()])
    start_time = TimeField(_l("Starts at"), format=TIME_FORMATS, validators=[InputRequired()])
    end_time = TimeField(_l("Ends at"), format=TIME_FORMATS, validators=[InputRequired()])
    track = StringField(
        _l("Track or room (optional)"),
        description=_l("Sessions in the same track may not overlap."),
        validators=[Length(max=80)],
        filters=[_strip],
    )
    join_url = URLField(
        _l("Join link (optional)"),
        description=_l("Leave empty to use the event's default link."),
        validators=[Optional(), Length(max=500)],
        filters=[_strip, _none_if_blank],
    )
    capacity = IntegerField(
        _l("Capacity (optional)"), validators=[Optional(), NumberRange(min=1, max=MAX_CAPACITY)]
    )
    slot_minutes = IntegerField(
        _l("Minutes per pitch (pitch blocks)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_SLOT_MINUTES)],
    )
    changeover_minutes = IntegerField(
        _l("Changeover minutes between pitches (pitch blocks)"),
        validators=[Optional(), NumberRange(min=0, max=MAX_CHANGEOVER_MINUTES)],
    )
    submit = SubmitField(_l("Save session"))

    def details(self) -> SessionDetails:
        """The entered values, for roadshow.events.services."""
        return SessionDetails(
            kind=SessionKind(self.kind.data),
            title=self.title.data or "",
            title_zh=self.title_zh.data,
            description=self.description.data or "",
            description_zh=self.description_zh.data,
            day=self.day.data,
            start_time=self.start_time.data,
            end_time=self.end_time.data,
            track=self.track.data or "",
            join_url=self.join_url.data,
            capacity=self.capacity.data,
            slot_minutes=self.slot_minutes.data,
            changeover_minutes=self.changeover_minutes.data,
        )


class MoveSessionForm(FlaskForm):
    """Move a session to another day, start time or track, keeping its length."""

    day = DateField(_l("New day"), validators=[InputRequired()])
    start_time = TimeField(_l("New start time"), format=TIME_FORMATS, validators=[InputRequired()])
    track = StringField(_l("Track or room"), validators=[Length(max=80)], filters=[_strip])
    submit = SubmitField(_l("Move session"))


class OrganiserForm(FlaskForm):
    """Add a co-organiser by e-mail address."""

    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Email(), Length(max=254)],
        filters=[_strip],
    )
    submit = SubmitField(_l("Add organiser"))


def show_problems(form: FlaskForm, error: InvalidChangeError) -> None:
    """Attach a service's refusal to the form: each message on its field, the rest above the form."""
    for field_name, messages in error.problems.items():
        field = form._fields.get(field_name) if field_name else None
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = [*field.errors, *messages]
