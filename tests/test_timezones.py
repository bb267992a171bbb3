"""roadshow.timezones: local wall-clock times to UTC instants and back, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roadshow.timezones import (
    AmbiguousLocalTimeError,
    NonexistentLocalTimeError,
    UnknownTimezoneError,
    is_valid_timezone,
    local_date,
    local_day_bounds,
    local_to_utc,
    utc_offset_label,
    utc_to_local,
)


def test_local_to_utc_berlin_winter_and_summer():
    assert local_to_utc(date(2026, 12, 1), time(9, 0), "Europe/Berlin") == datetime(
        2026, 12, 1, 8, 0, tzinfo=UTC
    )
    assert local_to_utc(date(2026, 7, 1), time(9, 0), "Europe/Berlin") == datetime(
        2026, 7, 1, 7, 0, tzinfo=UTC
    )


def test_local_to_utc_shanghai_has_no_dst():
    # The day Europe falls back, China does nothing: 09:00 Shanghai is 01:00 UTC before and after.
    for day in (date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)):
        assert local_to_utc(day, time(9, 0), "Asia/Shanghai") == datetime.combine(day, time(1, 0), tzinfo=UTC)


def test_october_dst_change_shifts_the_europe_china_gap():
    # 10:00 Brussels is 16:00 Shanghai in summer time, 17:00 after the change on 25 October 2026.
    before = local_to_utc(date(2026, 10, 24), time(10, 0), "Europe/Brussels")
    after = local_to_utc(date(2026, 10, 26), time(10, 0), "Europe/Brussels")
    assert utc_to_local(before, "Asia/Shanghai").time() == time(16, 0)
    assert utc_to_local(after, "Asia/Shanghai").time() == time(17, 0)


def test_skipped_time_is_refused_when_strict():
    with pytest.raises(NonexistentLocalTimeError):
        local_to_utc(date(2026, 3, 29), time(2, 30), "Europe/Berlin")


def test_skipped_time_moves_forward_when_lenient():
    instant = local_to_utc(date(2026, 3, 29), time(2, 30), "Europe/Berlin", strict=False)
    local = utc_to_local(instant, "Europe/Berlin")
    assert (local.date(), local.time()) == (date(2026, 3, 29), time(3, 30))


def test_repeated_time_is_refused_when_strict():
    with pytest.raises(AmbiguousLocalTimeError):
        local_to_utc(date(2026, 10, 25), time(2, 30), "Europe/Berlin")


def test_repeated_time_takes_first_occurrence_when_lenient():
    instant = local_to_utc(date(2026, 10, 25), time(2, 30), "Europe/Berlin", strict=False)
    assert instant == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, not 02:30 CET


def test_unknown_zone_is_refused():
    with pytest.raises(UnknownTimezoneError):
        local_to_utc(date(2026, 1, 1), time(9, 0), "Mars/Olympus_Mons")
    assert not is_valid_timezone("Europe/Brusels")
    assert not is_valid_timezone("")
    assert not is_valid_timezone(None)
    assert is_valid_timezone("Asia/Shanghai")


def test_naive_instant_is_refused():
    with pytest.raises(ValueError, match="naive"):
        utc_to_local(datetime(2026, 1, 1, 9, 0), "Europe/Berlin")  # noqa: DTZ001 - the point of the test


def test_day_bounds_on_the_short_and_long_days():
    start, end = local_day_bounds(date(2026, 10, 25), "Europe/Brussels")
    assert end - start == timedelta(hours=25)
    start, end = local_day_bounds(date(2026, 3, 29), "Europe/Brussels")
    assert end - start == timedelta(hours=23)


def test_offset_label_and_local_date():
    instant = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    assert utc_offset_label(instant, "Asia/Shanghai") == "UTC+08:00"
    assert utc_offset_label(instant, "America/New_York") == "UTC-05:00"
    assert local_date(instant, "Asia/Shanghai") == date(2026, 12, 2)
    assert local_date(instant, "Europe/Brussels") == date(2026, 12, 1)


ZONES = st.sampled_from(
    ["Europe/Berlin", "Europe/Brussels", "Europe/London", "Asia/Shanghai", "America/New_York"]
)


# hypothesis takes naive bounds and attaches the zone itself.
EARLIEST = datetime(2020, 1, 1)  # noqa: DTZ001
LATEST = datetime(2035, 1, 1)  # noqa: DTZ001


@given(zone=ZONES, instant=st.datetimes(min_value=EARLIEST, max_value=LATEST, timezones=st.just(UTC)))
def test_utc_to_local_and_back_is_identity_except_in_repeated_hours(zone, instant):
    local = utc_to_local(instant, zone)
    back = local_to_utc(local.date(), local.time(), zone, strict=False)
    if local.fold == 0:
        assert back == instant
    else:
        # The second of two equal wall times: lenient conversion picks the first, one hour earlier.
        assert instant - back == timedelta(hours=1)
