"""Availability windows across daylight-saving changes, checked to the minute.

The 2026 dates the issue names lie in the past for the route (applications close when an event
starts), so they are checked through the service with the clock set before the event; the route
is checked on the same changes in 2030 in test_apply.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from roadshow.applications import services
from roadshow.applications.services import (
    ApplicationDetails,
    InvalidApplicationError,
    WindowEntry,
    comparison_zones,
    merge_windows,
    preview_window,
)
from roadshow.enums import Region
from roadshow.extensions import db
from roadshow.models import Event, Organisation, PitchApplication, User
from tests.applications.helpers import NOTHING_WRITTEN, counts, windows_of, with_event

BEFORE_2026_EVENTS = datetime(2026, 1, 1, tzinfo=UTC)


def _details(zone: str, *windows: tuple[date, time, time]) -> ApplicationDetails:
    return ApplicationDetails(
        title="Rehab glove",
        title_zh=None,
        summary="A soft robotic glove.",
        summary_zh=None,
        sector_id=None,
        stage="prototype",
        seeking=["rd_partner"],
        investment_amount=None,
        investment_currency=None,
        timezone=zone,
        windows=[WindowEntry(day, start, end) for day, start, end in windows],
    )


def _submit(app, world, organisation, user, details):
    with app.test_request_context():
        saved = services.submit_application(
            db.session.get(User, user.id),
            db.session.get(Event, world.event.id),
            db.session.get(Organisation, organisation.id),
            details,
            now=BEFORE_2026_EVENTS,
        )
        db.session.commit()
        return saved.application.id


def test_berlin_window_on_25_october_2026_is_stored_to_the_minute(app, world):
    day = date(2026, 10, 25)  # CEST (UTC+2) until 03:00, then CET (UTC+1)
    with_event(app, world.event.id, start_date=day, end_date=day)
    details = _details(
        "Europe/Berlin",
        (day, time(0, 15), time(1, 45)),  # before the change: UTC+2
        (day, time(9, 0), time(12, 0)),  # after it: UTC+1
    )
    application_id = _submit(app, world, world.company, world.member, details)
    assert windows_of(app, application_id) == [
        ("2026-10-24T22:15", "2026-10-24T23:45"),
        ("2026-10-25T08:00", "2026-10-25T11:00"),
    ]


@pytest.mark.parametrize(("start", "end"), [(time(2, 30), time(4, 0)), (time(1, 0), time(2, 15))])
def test_berlin_repeated_hour_on_25_october_2026_is_refused(app, world, start, end):
    day = date(2026, 10, 25)
    with_event(app, world.event.id, start_date=day, end_date=day)
    with pytest.raises(InvalidApplicationError) as refused:
        _submit(app, world, world.company, world.member, _details("Europe/Berlin", (day, start, end)))
    field = "start_time" if start == time(2, 30) else "end_time"
    assert refused.value.window_problems == {
        0: {
            field: [
                "This time happens twice on that day in Europe/Berlin because the clocks go back. "
                "Choose a time outside the repeated hour."
            ]
        }
    }
    assert counts(app) == NOTHING_WRITTEN


def test_berlin_skipped_time_on_29_march_2026_is_refused(app, world):
    day = date(2026, 3, 29)  # 02:00 → 03:00
    with_event(app, world.event.id, start_date=day, end_date=day)
    with pytest.raises(InvalidApplicationError) as refused:
        _submit(
            app, world, world.company, world.member, _details("Europe/Berlin", (day, time(2, 30), time(4, 0)))
        )
    assert refused.value.window_problems == {
        0: {
            "start_time": [
                "This time does not exist on that day in Europe/Berlin: the clocks move forward for "
                "daylight saving time. Choose another time."
            ]
        }
    }
    assert counts(app) == NOTHING_WRITTEN


def test_berlin_window_on_29_march_2026_after_the_change_is_stored_to_the_minute(app, world):
    day = date(2026, 3, 29)
    with_event(app, world.event.id, start_date=day, end_date=day)
    details = _details("Europe/Berlin", (day, time(1, 30), time(1, 59)), (day, time(3, 0), time(4, 30)))
    application_id = _submit(app, world, world.company, world.member, details)
    assert windows_of(app, application_id) == [
        ("2026-03-29T00:30", "2026-03-29T00:59"),
        ("2026-03-29T01:00", "2026-03-29T02:30"),
    ]


def test_shanghai_window_on_the_european_change_day_is_stored_to_the_minute(app, world):
    day = date(2026, 10, 25)  # Europe changes clocks; China does not (UTC+8 all year)
    with_event(app, world.event.id, start_date=day, end_date=day, timezone="Asia/Shanghai")
    details = _details("Asia/Shanghai", (day, time(9, 0), time(12, 0)))
    application_id = _submit(app, world, world.other_company, world.other_member, details)
    assert windows_of(app, application_id) == [("2026-10-25T01:00", "2026-10-25T04:00")]


def test_windows_before_the_event_opens_are_refused_by_the_deadline(app, world):
    day = date(2026, 10, 25)
    with_event(app, world.event.id, start_date=day, end_date=day)
    with app.test_request_context(), pytest.raises(InvalidApplicationError) as refused:
        services.submit_application(
            db.session.get(User, world.member.id),
            db.session.get(Event, world.event.id),
            db.session.get(Organisation, world.company.id),
            _details("Europe/Berlin", (day, time(9, 0), time(12, 0))),
        )  # now: the real clock, after the event
    assert refused.value.problems == {None: ["Applications to this event are closed."]}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PitchApplication)) == 0


def test_merge_windows_joins_overlapping_and_touching_spans():
    def at(hour: int, minute: int = 0) -> datetime:
        return datetime(2030, 6, 10, hour, minute, tzinfo=UTC)

    spans = [(at(13), at(14)), (at(9), at(10)), (at(9, 30), at(11)), (at(11), at(11, 30)), (at(8), at(8, 30))]
    assert merge_windows(spans) == [(at(8), at(8, 30)), (at(9), at(11, 30)), (at(13), at(14))]


def test_comparison_zones_show_the_other_side_and_the_event():
    assert comparison_zones(Region.EU, "Asia/Shanghai", "Europe/Berlin") == ["Asia/Shanghai"]
    assert comparison_zones(Region.EU, "Europe/Brussels", "Europe/Berlin") == [
        "Asia/Shanghai",
        "Europe/Brussels",
    ]
    assert comparison_zones(Region.CN, "Europe/Brussels", "Asia/Shanghai") == ["Europe/Brussels"]
    assert comparison_zones(Region.CN, "Asia/Shanghai", "Asia/Shanghai") == ["Europe/Brussels"]
    assert comparison_zones(Region.OTHER, "Asia/Shanghai", "America/New_York") == [
        "Europe/Brussels",
        "Asia/Shanghai",
    ]


def test_preview_window_converts_each_zone_and_skips_invalid_rows():
    entry = WindowEntry(date(2026, 10, 25), time(9, 0), time(12, 0))
    shown = preview_window(entry, "Europe/Berlin", ["Asia/Shanghai", "Europe/Brussels"], "Europe/Brussels")
    assert [(z.zone, z.starts_at, z.ends_at, z.is_event_zone) for z in shown] == [
        (
            "Asia/Shanghai",
            datetime(2026, 10, 25, 8, tzinfo=UTC),
            datetime(2026, 10, 25, 11, tzinfo=UTC),
            False,
        ),
        (
            "Europe/Brussels",
            datetime(2026, 10, 25, 8, tzinfo=UTC),
            datetime(2026, 10, 25, 11, tzinfo=UTC),
            True,
        ),
    ]
    assert (
        preview_window(WindowEntry(date(2026, 10, 25), time(2, 30), time(4)), "Europe/Berlin", ["UTC"], "UTC")
        == []
    )
    assert (
        preview_window(WindowEntry(date(2026, 10, 25), None, time(4)), "Europe/Berlin", ["UTC"], "UTC") == []
    )
    assert (
        preview_window(WindowEntry(date(2026, 10, 25), time(9), time(8)), "Europe/Berlin", ["UTC"], "UTC")
        == []
    )
    assert preview_window(entry, "Not/AZone", ["UTC"], "UTC") == []


def test_window_rows_show_stored_windows_in_the_companys_zone_split_at_midnight():
    from roadshow.applications.services import window_rows
    from roadshow.models import AvailabilityWindow

    application = PitchApplication(
        timezone="Europe/Berlin",
        availability=[
            AvailabilityWindow(
                starts_at=datetime(2030, 6, 10, 7, tzinfo=UTC), ends_at=datetime(2030, 6, 10, 10, tzinfo=UTC)
            ),
            AvailabilityWindow(
                starts_at=datetime(2030, 6, 10, 20, tzinfo=UTC), ends_at=datetime(2030, 6, 11, 0, tzinfo=UTC)
            ),
        ],
    )
    assert window_rows(application) == [
        {"day": date(2030, 6, 10), "start_time": time(9, 0), "end_time": time(12, 0)},
        {"day": date(2030, 6, 10), "start_time": time(22, 0), "end_time": time(23, 59)},
        {"day": date(2030, 6, 11), "start_time": time(0, 0), "end_time": time(2, 0)},
    ]
