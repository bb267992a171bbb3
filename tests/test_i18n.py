"""Formatting instants for the reader: the cached formatters give Babel's texts in the reader's
language, and a time range on two clocks carries the same texts as the single formatters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from babel.dates import format_date, format_datetime, format_time
from flask_babel import force_locale

from roadshow import i18n

NNBSP = "\u202f"  # Babel writes a narrow no-break space before AM/PM
KEYNOTE = datetime(2030, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 Brussels, 16:00 Shanghai


def test_cached_formatters_follow_the_readers_language(app):
    with app.test_request_context("/"):
        texts = {}
        for language in ("en", "zh", "en"):
            with force_locale(language):
                texts.setdefault(language, []).append(
                    (
                        i18n.format_clock(KEYNOTE, "Asia/Shanghai"),
                        i18n.format_day(KEYNOTE, "Asia/Shanghai"),
                        i18n.format_instant(KEYNOTE, "Asia/Shanghai"),
                        i18n.zone_display_name("Asia/Shanghai"),
                        i18n.two_clocks(KEYNOTE, KEYNOTE + timedelta(hours=1), "Europe/Brussels", "UTC"),
                    )
                )
    english, chinese = texts["en"][0], texts["zh"][0]
    assert texts["en"][1] == english
    assert english[:4] == (
        f"4:00{NNBSP}PM",
        "Sunday, December 1, 2030",
        f"Dec 1, 2030, 4:00:00{NNBSP}PM",
        "China Time",
    )
    assert chinese[:4] == ("16:00", "2030年12月1日星期日", "2030年12月1日 16:00:00", "中国时间")
    assert english[4].event_start == f"9:00{NNBSP}AM"
    assert chinese[4].event_start == "09:00"


def test_cached_formatters_give_babels_texts(app):
    shanghai = timezone(timedelta(hours=8))
    instants = [KEYNOTE, KEYNOTE.astimezone(shanghai), datetime(2030, 3, 31, 0, 59, 59, tzinfo=UTC)]
    with app.test_request_context("/"), force_locale("en"):
        for instant in instants:
            for zone in ("Europe/Brussels", "Asia/Shanghai", "Pacific/Chatham"):
                tzinfo = i18n.timezones.zone(zone)
                assert i18n.format_clock(instant, zone) == format_time(instant, "short", tzinfo, "en")
                for fmt in ("short", "medium", "long", "full"):
                    assert i18n.format_instant(instant, zone, fmt) == format_datetime(
                        instant, fmt, tzinfo, "en"
                    )
                local_day = instant.astimezone(tzinfo).date()
                assert i18n.format_day(instant, zone, "medium") == format_date(local_day, "medium", "en")
        assert i18n.format_day(date(2030, 12, 1), None, "long") == "December 1, 2030"


def test_two_clocks_across_midnight_names_the_other_days():
    # 22:30–01:30 UTC: the end falls on the next day in UTC; Shanghai (event) is already on the 2nd.
    starts, ends = datetime(2030, 12, 1, 22, 30, tzinfo=UTC), datetime(2030, 12, 2, 1, 30, tzinfo=UTC)
    texts = i18n.two_clocks(starts, ends, "Asia/Shanghai", "UTC")
    assert texts == i18n.TwoClocks(
        viewer_start=f"10:30{NNBSP}PM",
        viewer_end=f"1:30{NNBSP}AM",
        viewer_end_day="Dec 2, 2030",
        viewer_zone="UTC, UTC+00:00",
        event_start=f"6:30{NNBSP}AM",
        event_end=f"9:30{NNBSP}AM",
        event_day="Dec 2, 2030",
        event_zone="Asia/Shanghai, UTC+08:00",
    )


def test_two_clocks_in_one_zone_on_one_day_has_no_event_clock():
    texts = i18n.two_clocks(KEYNOTE, KEYNOTE + timedelta(hours=1), "Europe/Brussels", "Europe/Brussels")
    assert texts == i18n.TwoClocks(
        f"9:00{NNBSP}AM", f"10:00{NNBSP}AM", None, "Europe/Brussels, UTC+01:00", None, None, None, None
    )


def test_localized_picks_the_chinese_field_for_chinese_readers(app, make_event):
    event = make_event(title="Parks Summit", title_zh="园区峰会")
    with app.test_request_context("/"):
        with force_locale("zh"):
            assert i18n.localized(event, "title") == "园区峰会"
        with force_locale("en"):
            assert i18n.localized(event, "title") == "Parks Summit"
