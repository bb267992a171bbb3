"""The pure overlap module: each zone's working hours as exact UTC intervals, and their overlap,
on both sides of the October and March daylight-saving changes of 2026."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta

import pytest

from roadshow.planner import overlap
from roadshow.timezones import UnknownTimezoneError


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant on *day* (UTC)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _hours(plan: overlap.OverlapPlan) -> dict[str, tuple[datetime, datetime]]:
    return {h.zone: (h.interval.start, h.interval.end) for h in plan.hours}


SUMMER_EU = {  # CEST UTC+2, BST UTC+1, EEST UTC+3, CST UTC+8
    "Europe/Brussels": (7, 16),
    "Europe/Berlin": (7, 16),
    "Europe/London": (8, 17),
    "Europe/Helsinki": (6, 15),
    "Asia/Shanghai": (1, 10),
}
WINTER_EU = {  # CET UTC+1, GMT UTC+0, EET UTC+2, CST UTC+8
    "Europe/Brussels": (8, 17),
    "Europe/Berlin": (8, 17),
    "Europe/London": (9, 18),
    "Europe/Helsinki": (7, 16),
    "Asia/Shanghai": (1, 10),
}


@pytest.mark.parametrize(
    ("day", "expected", "common"),
    [
        (date(2026, 10, 24), SUMMER_EU, (8, 10)),  # Saturday before the autumn change
        (date(2026, 10, 26), WINTER_EU, (9, 10)),  # Monday after it
        (date(2026, 3, 28), WINTER_EU, (9, 10)),  # Saturday before the spring change
        (date(2026, 3, 30), SUMMER_EU, (8, 10)),  # Monday after it
    ],
)
def test_plan_overlap_gives_exact_utc_intervals_around_dst_changes(day, expected, common):
    plan = overlap.plan_overlap(day)
    assert _hours(plan) == {zone: (utc(day, start), utc(day, end)) for zone, (start, end) in expected.items()}
    assert plan.overlap == overlap.Interval(utc(day, common[0]), utc(day, common[1]))


def test_overlap_in_each_zone_after_the_autumn_change():
    plan = overlap.plan_overlap(date(2026, 10, 26))
    local = {h.zone: tuple(t.strftime("%H:%M") for t in plan.overlap.in_zone(h.zone)) for h in plan.hours}
    assert local == {
        "Europe/Brussels": ("10:00", "11:00"),
        "Europe/Berlin": ("10:00", "11:00"),
        "Europe/London": ("09:00", "10:00"),
        "Europe/Helsinki": ("11:00", "12:00"),
        "Asia/Shanghai": ("17:00", "18:00"),
    }


def test_working_hours_on_the_day_of_the_change_use_the_new_offset():
    # 25 October 2026: Brussels falls back at 03:00, before work starts.
    hours = overlap.working_hours(date(2026, 10, 25), "Europe/Brussels")
    assert (hours.interval.start, hours.interval.end) == (
        utc(date(2026, 10, 25), 8),
        utc(date(2026, 10, 25), 17),
    )
    assert hours.utc_offset == timedelta(hours=1)
    assert hours.clocks_change is True
    assert overlap.working_hours(date(2026, 10, 25), "Asia/Shanghai").clocks_change is False
    assert overlap.working_hours(date(2026, 10, 24), "Europe/Brussels").clocks_change is False


def test_working_hours_starting_in_the_spring_gap_move_forward_by_the_gap():
    # 29 March 2026 in Brussels: 02:00–03:00 does not exist; 02:30 is read as 03:30 CEST (01:30 UTC).
    hours = overlap.working_hours(date(2026, 3, 29), "Europe/Brussels", time(2, 30), time(6, 0))
    assert (hours.interval.start, hours.interval.end) == (
        utc(date(2026, 3, 29), 1, 30),
        utc(date(2026, 3, 29), 4),
    )


def test_working_hours_ending_at_midnight_run_to_the_next_local_day():
    hours = overlap.working_hours(date(2026, 10, 26), "Asia/Shanghai", time(18, 0), time(0, 0))
    assert (hours.interval.start, hours.interval.end) == (
        utc(date(2026, 10, 26), 10),
        utc(date(2026, 10, 26), 16),
    )


def test_working_hours_that_end_before_they_start_are_refused():
    with pytest.raises(overlap.InvalidWorkingHoursError):
        overlap.working_hours(date(2026, 10, 26), "Europe/London", time(18, 0), time(9, 0))
    with pytest.raises(overlap.InvalidWorkingHoursError):
        overlap.working_hours(date(2026, 10, 26), "Europe/London", time(9, 0), time(9, 0))


def test_unknown_zone_is_refused():
    with pytest.raises(UnknownTimezoneError):
        overlap.plan_overlap(date(2026, 10, 26), ["Europe/Brussels", "Mars/Olympus"])


def test_dates_outside_the_supported_range_are_refused():
    with pytest.raises(overlap.DateOutOfRangeError):
        overlap.working_hours(date(9999, 12, 31), "UTC")
    with pytest.raises(overlap.DateOutOfRangeError):
        overlap.working_hours(date(1969, 12, 31), "UTC")


def test_duplicate_zones_count_once_in_their_first_place():
    plan = overlap.plan_overlap(date(2026, 10, 26), ["Asia/Shanghai", "Europe/London", "Asia/Shanghai"])
    assert [h.zone for h in plan.hours] == ["Asia/Shanghai", "Europe/London"]


def test_zones_without_common_hours_have_no_overlap():
    plan = overlap.plan_overlap(date(2026, 10, 26), ["Asia/Shanghai", "America/New_York"])
    assert plan.overlap is None


def test_common_interval_of_nothing_is_none():
    assert overlap.common_interval([]) is None


def test_axis_is_the_utc_day_unless_a_zone_lies_outside_it():
    day = date(2026, 10, 26)
    plan = overlap.plan_overlap(day)
    assert plan.axis == overlap.Interval(utc(day, 0), utc(day + timedelta(days=1), 0))
    assert plan.fraction(utc(day, 6)) == 0.25
    assert len(plan.axis_hours()) == 25
    # Auckland (NZDT, UTC+13) works 20:00–05:00 UTC from the evening before; Los Angeles (PDT, UTC-7)
    # 16:00–01:00 UTC into the next day: the axis widens to hold both.
    wide = overlap.plan_overlap(day, ["Pacific/Auckland", "America/Los_Angeles"])
    assert _hours(wide) == {
        "Pacific/Auckland": (utc(day - timedelta(days=1), 20), utc(day, 5)),
        "America/Los_Angeles": (utc(day, 16), utc(day + timedelta(days=1), 1)),
    }
    assert wide.axis == overlap.Interval(utc(day - timedelta(days=1), 20), utc(day + timedelta(days=1), 1))


def test_interval_must_end_after_it_starts_and_be_aware():
    with pytest.raises(ValueError):
        overlap.Interval(utc(date(2026, 1, 1), 10), utc(date(2026, 1, 1), 9))
    with pytest.raises(ValueError):
        overlap.Interval(datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 10))  # noqa: DTZ001


def test_overlap_module_loads_without_flask():
    program = "import sys, roadshow.planner.overlap; print(sorted(m for m in sys.modules if 'flask' in m))"
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=30
    )
    assert result.stdout.strip() == "[]"
