"""The overlap planner: working hours in Europe and China side by side, for organisers.

``/manage/planner/?date=YYYY-MM-DD&start=09:00&end=18:00&zones=America/New_York`` — every part
optional (today in the viewer's zone, 09:00–18:00 local, the five standard zones). A bad date, time
or zone is answered 400 with the form and its message, never a silent fallback.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import format_date, format_time, get_timezone_location
from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from roadshow import permissions, timezones
from roadshow.errors import error_response
from roadshow.i18n import viewer_timezone
from roadshow.models import utcnow
from roadshow.planner import overlap
from roadshow.planner.forms import PlannerForm

bp = Blueprint("planner", __name__, url_prefix="/manage/planner")


def zone_city(tz_name: str) -> str:
    """The zone's main city in the reader's language (``Brussels`` / ``布鲁塞尔``)."""
    return get_timezone_location(timezones.zone(tz_name), locale=get_locale(), return_city=True)


def planner_clock(instant: datetime, tz_name: str) -> str:
    """*instant* as a 24-hour ``HH:MM`` on the clock of *tz_name*."""
    return format_time(instant, "HH:mm", tzinfo=timezones.zone(tz_name), locale=get_locale())


def planner_day(day: date) -> str:
    """A date in the reader's language (``Mon, Oct 26, 2026``)."""
    return format_date(day, "medium", locale=get_locale())


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "zone_city": zone_city,
        "planner_clock": planner_clock,
        "planner_day": planner_day,
        "local_date": timezones.local_date,
        "utc_offset_label": timezones.utc_offset_label,
    }


@bp.get("/")
@login_required
def index():
    """Working hours of each zone on the chosen date, on one UTC axis, with their overlap."""
    if not permissions.can_create_event(current_user):
        return error_response(403, _("The overlap planner is for event organisers."))
    form = PlannerForm(formdata=request.args)
    if not form.validate():
        return render_template("planner/index.html", form=form, plan=None), 400
    today = timezones.local_date(utcnow(), viewer_timezone() or "UTC")
    form.fill_defaults(today)
    try:
        plan = overlap.plan_overlap(form.date.data, form.zone_names(), *form.working_day())
    except overlap.InvalidWorkingHoursError:
        form.end.errors = [_("There is no working time between these hours on this date.")]
        return render_template("planner/index.html", form=form, plan=None), 400
    return render_template("planner/index.html", form=form, plan=plan)
