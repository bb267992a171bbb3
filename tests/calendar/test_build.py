"""build_feed / build_single / build_invitation, read back by icalendar, vobject, ical.js and libical."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from roadshow.calendar import (
    PRODID,
    CalendarEntry,
    EntryStatus,
    FeedInfo,
    Participant,
    build_feed,
    build_invitation,
    build_single,
)
from roadshow.calendar.vtimezone import vtimezone_lines
from tests.calendar.parsers import icaljs_view

STAMP = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
ORGANIZER = Participant("organisers@example.org", "EU–China Summit")
ATTENDEE = Participant("li.wei@example.cn", "Li Wei 李伟")
FEED = FeedInfo("EU–China Summit 2026", "The programme, kept up to date.", "https://roadshow.test/x.ics")


def entry(**values: object) -> CalendarEntry:
    """A session on 24 October 2026, 10:00–11:00 in Brussels (summer time), with overrides."""
    base = {
        "uid": "session-1@roadshow.test",
        "sequence": 0,
        "summary": "Opening keynote",
        "starts_at": datetime(2026, 10, 24, 8, 0, tzinfo=UTC),
        "ends_at": datetime(2026, 10, 24, 9, 0, tzinfo=UTC),
        "timezone": "Europe/Brussels",
        "last_modified": STAMP,
    }
    base.update(values)
    return CalendarEntry(**base)  # type: ignore[arg-type]


def unfolded(text: str) -> list[str]:
    """The logical content lines of *text*."""
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def lines_named(text: str, name: str) -> list[str]:
    """Logical lines of property *name* (with parameters or not)."""
    return [line for line in unfolded(text) if re.match(rf"{name}[;:]", line)]


def event_lines_named(text: str, name: str) -> list[str]:
    """Logical lines of property *name* inside VEVENTs."""
    return [line for lines in blocks(text, "VEVENT") for line in lines if re.match(rf"{name}[;:]", line)]


def blocks(text: str, component: str) -> list[list[str]]:
    """The logical lines of every *component* block."""
    found, current = [], None
    for line in unfolded(text):
        if line == f"BEGIN:{component}":
            current = []
        elif line == f"END:{component}" and current is not None:
            found.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return found


# --- Structure --------------------------------------------------------------------------------------


def test_build_feed_has_crlf_line_ends_and_no_bom():
    raw = build_feed(FEED, [entry()]).encode("utf-8")
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")


def test_build_feed_calendar_properties():
    text = build_feed(FEED, [entry()])
    lines = unfolded(text)
    assert f"PRODID:{PRODID}" in lines
    assert "NAME:EU–China Summit 2026" in lines
    assert "X-WR-CALNAME:EU–China Summit 2026" in lines
    assert "DESCRIPTION:The programme\\, kept up to date." in lines
    assert "X-WR-CALDESC:The programme\\, kept up to date." in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines
    assert "SOURCE;VALUE=URI:https://roadshow.test/x.ics" in lines


def test_build_feed_and_download_have_no_method():
    assert lines_named(build_feed(FEED, [entry()]), "METHOD") == []
    assert lines_named(build_single(entry(), "Summit"), "METHOD") == []


def test_build_feed_each_event_has_one_uid_one_utc_dtstamp_and_zoned_times():
    text = build_feed(FEED, [entry(), entry(uid="slot-9@roadshow.test", sequence=3)])
    events = blocks(text, "VEVENT")
    assert len(events) == 2
    for lines in events:
        assert len([line for line in lines if line.startswith("UID:")]) == 1
        stamps = [line for line in lines if line.startswith("DTSTAMP")]
        assert stamps == ["DTSTAMP:20260901T120000Z"]
        assert [line for line in lines if line.startswith("DTSTART")] == [
            "DTSTART;TZID=Europe/Brussels:20261024T100000"
        ]
        assert [line for line in lines if line.startswith("DTEND")] == [
            "DTEND;TZID=Europe/Brussels:20261024T110000"
        ]
        assert "LAST-MODIFIED:20260901T120000Z" in lines


def test_build_feed_is_deterministic_for_the_same_entries():
    assert build_feed(FEED, [entry()]) == build_feed(FEED, [entry()])


def test_build_feed_status_sequence_and_links(read_all):
    text = build_feed(
        FEED,
        [
            entry(
                sequence=4,
                status=EntryStatus.CANCELLED,
                description="Line one\nLine two",
                location="https://meet.example.org/a",
                join_url="https://meet.example.org/a",
                conference_label="Join online",
                categories=("Keynote",),
            )
        ],
    )
    (lines,) = blocks(text, "VEVENT")
    assert "SEQUENCE:4" in lines
    assert "STATUS:CANCELLED" in lines
    assert "URL:https://meet.example.org/a" in lines
    assert "LOCATION:https://meet.example.org/a" in lines
    assert 'CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL="Join online":https://meet.example.org/a' in lines
    assert "DESCRIPTION:Line one\\nLine two" in lines
    assert "CATEGORIES:Keynote" in lines
    read = read_all(text)
    assert read["events"][0].status == "CANCELLED"
    assert read["events"][0].sequence == 4
    assert icaljs_view(read)["events"][0]["conference"] == "https://meet.example.org/a"
    assert icaljs_view(read)["events"][0]["description"] == "Line one\nLine two"


def test_build_feed_leaves_out_links_of_other_schemes():
    text = build_feed(FEED, [entry(join_url="javascript:alert(1)")])
    assert lines_named(text, "URL") == []
    assert lines_named(text, "CONFERENCE") == []


# --- Time zones -------------------------------------------------------------------------------------


def test_build_feed_both_sides_of_october_dst_change(read_all):
    summer = entry(uid="session-1@roadshow.test", summary="Before the change")
    winter = entry(
        uid="session-2@roadshow.test",
        summary="After the change",
        starts_at=datetime(2026, 10, 26, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 10, 26, 10, 0, tzinfo=UTC),
    )
    text = build_feed(FEED, [summer, winter])
    assert event_lines_named(text, "DTSTART") == [
        "DTSTART;TZID=Europe/Brussels:20261024T100000",
        "DTSTART;TZID=Europe/Brussels:20261026T100000",
    ]
    (zone,) = blocks(text, "VTIMEZONE")
    assert zone[0] == "TZID:Europe/Brussels"
    assert "BEGIN:DAYLIGHT" in zone and "BEGIN:STANDARD" in zone
    assert "DTSTART:20261025T030000" in zone  # the change itself
    assert not any(line.startswith("COMMENT") for line in zone)
    read = read_all(text)
    assert [(e.start, e.end) for e in read["events"]] == [
        (datetime(2026, 10, 24, 8, 0, tzinfo=UTC), datetime(2026, 10, 24, 9, 0, tzinfo=UTC)),
        (datetime(2026, 10, 26, 9, 0, tzinfo=UTC), datetime(2026, 10, 26, 10, 0, tzinfo=UTC)),
    ]
    assert icaljs_view(read)["zones"] == ["Europe/Brussels"]


def test_build_feed_vtimezone_is_narrowed_to_the_years_used():
    december = entry(
        starts_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC), ends_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    )
    (zone,) = blocks(build_feed(FEED, [december]), "VTIMEZONE")
    assert zone == [
        "TZID:Europe/Brussels",
        "BEGIN:STANDARD",
        "DTSTART:20260101T000000",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0100",
        "TZNAME:CET",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:20260329T020000",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "TZNAME:CEST",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "DTSTART:20261025T030000",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "TZNAME:CET",
        "END:STANDARD",
    ]


def test_build_feed_same_zone_and_year_give_identical_vtimezones():
    june = entry(
        starts_at=datetime(2026, 6, 1, 8, 0, tzinfo=UTC), ends_at=datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    )
    assert blocks(build_feed(FEED, [june]), "VTIMEZONE") == blocks(build_feed(FEED, [entry()]), "VTIMEZONE")


def test_build_feed_vtimezone_spans_every_year_used():
    new_year = entry(
        starts_at=datetime(2026, 12, 31, 22, 0, tzinfo=UTC), ends_at=datetime(2027, 1, 1, 1, 0, tzinfo=UTC)
    )
    (zone,) = blocks(build_feed(FEED, [new_year]), "VTIMEZONE")
    assert [line for line in zone if line.startswith("DTSTART")] == [
        "DTSTART:20260101T000000",
        "DTSTART:20260329T020000",
        "DTSTART:20261025T030000",
        "DTSTART:20270328T020000",
        "DTSTART:20271031T030000",
    ]


def test_build_feed_one_vtimezone_per_zone_used(read_all):
    shanghai = entry(uid="session-3@roadshow.test", timezone="Asia/Shanghai")
    text = build_feed(FEED, [entry(), shanghai])
    assert [zone[0] for zone in blocks(text, "VTIMEZONE")] == ["TZID:Asia/Shanghai", "TZID:Europe/Brussels"]
    assert "DTSTART;TZID=Asia/Shanghai:20261024T160000" in unfolded(text)
    read = read_all(text)
    assert read["events"][1].start == datetime(2026, 10, 24, 8, 0, tzinfo=UTC)


def test_build_feed_utc_zone_writes_utc_times_without_vtimezone(read_all):
    text = build_feed(FEED, [entry(timezone="UTC")])
    assert blocks(text, "VTIMEZONE") == []
    assert event_lines_named(text, "DTSTART") == ["DTSTART:20261024T080000Z"]
    assert read_all(text)["events"][0].start == datetime(2026, 10, 24, 8, 0, tzinfo=UTC)


def test_build_feed_never_writes_floating_times():
    text = build_feed(FEED, [entry(), entry(timezone="UTC"), entry(timezone="America/New_York")])
    for line in event_lines_named(text, "DTSTART") + event_lines_named(text, "DTEND"):
        if line.startswith(("DTSTART:", "DTEND:")):
            assert line.endswith("Z")
        else:
            assert ";TZID=" in line


def test_build_feed_times_in_the_repeated_hour_are_written_in_utc(read_all):
    # 25 Oct 2026 02:00–03:00 happens twice in Brussels (00:00–01:00 and 01:00–02:00 UTC). RFC 5545
    # reads such a local time as the first pass, ical.js as the second: only UTC is unambiguous.
    first_pass = entry(
        starts_at=datetime(2026, 10, 25, 0, 30, tzinfo=UTC), ends_at=datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    )
    second_pass = entry(
        uid="session-2@roadshow.test",
        starts_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        ends_at=datetime(2026, 10, 25, 2, 30, tzinfo=UTC),
    )
    text = build_feed(FEED, [first_pass, second_pass])
    assert event_lines_named(text, "DTSTART") == ["DTSTART:20261025T003000Z", "DTSTART:20261025T013000Z"]
    assert event_lines_named(text, "DTEND") == [
        "DTEND;TZID=Europe/Brussels:20261025T040000",
        "DTEND;TZID=Europe/Brussels:20261025T033000",
    ]
    read = read_all(text)
    assert [e.start for e in read["events"]] == [first_pass.starts_at, second_pass.starts_at]


def test_vtimezone_lines_are_cached_per_zone_and_dates():
    first = datetime(2026, 10, 20).date()  # noqa: DTZ001 - a calendar date
    last = first + timedelta(days=10)
    vtimezone_lines.cache_clear()
    one = vtimezone_lines("Europe/Brussels", first, last)
    two = vtimezone_lines("Europe/Brussels", first, last)
    assert one is two
    assert vtimezone_lines.cache_info().hits == 1
    assert vtimezone_lines("Europe/Brussels", first, last + timedelta(days=1)) is not one


def test_vtimezone_lines_refuse_reversed_dates():
    day = datetime(2026, 10, 20).date()  # noqa: DTZ001 - a calendar date
    with pytest.raises(ValueError, match="before"):
        vtimezone_lines("Europe/Brussels", day, day - timedelta(days=1))


# --- Text content -----------------------------------------------------------------------------------


def test_build_feed_chinese_titles_with_commas_read_back_exactly(read_all):
    title = "青岛高新区, 欧盟项目路演; 生物医药\\医疗器械, Biomedicine"
    text = build_feed(FeedInfo("中欧峰会, 2026"), [entry(summary=title, description="第一行\n第二行, 逗号")])
    read = read_all(text)
    assert read["events"][0].summary == title
    assert read["vobject"].x_wr_calname.value == "中欧峰会, 2026"
    # icalendar and ical.js do not know RFC 7986's NAME: they hand over the raw (escaped) value.
    assert "NAME:中欧峰会\\, 2026" in unfolded(text)
    assert icaljs_view(read)["name"] == "中欧峰会\\, 2026"
    assert str(read["icalendar"].walk("VEVENT")[0]["DESCRIPTION"]) == "第一行\n第二行, 逗号"


def test_build_feed_ten_thousand_character_mixed_script_title_is_folded_and_valid(read_all):
    title = ("EU–China 青岛高新区 Роботы Ελλάδα 😀 ß, ; \\ " * 400)[:10_000]
    assert len(title) == 10_000
    text = build_feed(FEED, [entry(summary=title)])
    raw = text.encode("utf-8")
    physical = raw.split(b"\r\n")
    assert max(len(line) for line in physical) <= 75
    for line in physical:
        line.decode("utf-8")  # raises if a fold split a character
    summary_lines = [i for i, line in enumerate(physical) if line.startswith(b"SUMMARY:")]
    (first,) = summary_lines
    assert len(physical[first + 1]) >= 72  # continuation lines are filled
    read = read_all(text)
    assert read["events"][0].summary == title


def test_build_feed_removes_control_characters(read_all):
    text = build_feed(FEED, [entry(summary="Bell\x07 NUL\x00 Esc\x1b[31m red\x7f", description="a\x01b")])
    raw = text.encode("utf-8")
    for control in (b"\x00", b"\x01", b"\x07", b"\x1b", b"\x7f"):
        assert control not in raw
    assert read_all(text)["events"][0].summary == "Bell NUL Esc[31m red"


# --- Invitations ------------------------------------------------------------------------------------


def test_build_invitation_request_has_method_organizer_and_rsvp_attendee(read_all):
    text = build_invitation(
        "REQUEST", entry(sequence=1), organizer=ORGANIZER, attendee=ATTENDEE, dtstamp=STAMP
    )
    assert lines_named(text, "METHOD") == ["METHOD:REQUEST"]
    (lines,) = blocks(text, "VEVENT")
    assert [line for line in lines if line.startswith("ORGANIZER")] == [
        'ORGANIZER;CN="EU–China Summit":mailto:organisers@example.org'
    ]
    assert [line for line in lines if line.startswith("ATTENDEE")] == [
        'ATTENDEE;CN="Li Wei 李伟";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;'
        "RSVP=TRUE:mailto:li.wei@example.cn"
    ]
    read = read_all(text)
    assert icaljs_view(read)["method"] == "REQUEST"
    assert icaljs_view(read)["events"][0]["attendees"] == [
        {
            "value": "mailto:li.wei@example.cn",
            "cn": "Li Wei 李伟",
            "role": "REQ-PARTICIPANT",
            "partstat": "NEEDS-ACTION",
            "rsvp": "TRUE",
        }
    ]
    assert icaljs_view(read)["events"][0]["organizer"] == "mailto:organisers@example.org"


def test_build_invitation_move_keeps_uid_raises_sequence_and_renews_dtstamp(read_all):
    first = build_invitation(
        "REQUEST", entry(sequence=1), organizer=ORGANIZER, attendee=ATTENDEE, dtstamp=STAMP
    )
    moved_entry = entry(
        sequence=2,
        starts_at=datetime(2026, 10, 24, 12, 0, tzinfo=UTC),
        ends_at=datetime(2026, 10, 24, 13, 0, tzinfo=UTC),
    )
    later = STAMP + timedelta(minutes=5)
    moved = build_invitation("REQUEST", moved_entry, organizer=ORGANIZER, attendee=ATTENDEE, dtstamp=later)
    before, after = read_all(first), read_all(moved)
    assert before["events"][0].uid == after["events"][0].uid == "session-1@roadshow.test"
    assert (before["events"][0].sequence, after["events"][0].sequence) == (1, 2)
    assert lines_named(first, "DTSTAMP") == ["DTSTAMP:20260901T120000Z"]
    assert lines_named(moved, "DTSTAMP") == ["DTSTAMP:20260901T120500Z"]
    assert after["events"][0].start == datetime(2026, 10, 24, 12, 0, tzinfo=UTC)


def test_build_invitation_cancel_has_same_uid_higher_sequence_and_cancelled_status(read_all):
    text = build_invitation(
        "CANCEL", entry(sequence=3), organizer=ORGANIZER, attendee=ATTENDEE, dtstamp=STAMP
    )
    assert lines_named(text, "METHOD") == ["METHOD:CANCEL"]
    (lines,) = blocks(text, "VEVENT")
    assert "UID:session-1@roadshow.test" in lines
    assert "SEQUENCE:3" in lines
    assert "STATUS:CANCELLED" in lines
    assert len([line for line in lines if line.startswith("ORGANIZER")]) == 1
    assert [line for line in lines if line.startswith("ATTENDEE")] == [
        'ATTENDEE;CN="Li Wei 李伟";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;'
        "RSVP=FALSE:mailto:li.wei@example.cn"
    ]
    read = read_all(text)  # libical applies RFC 5546's CANCEL rules (SEQUENCE, ORGANIZER, ATTENDEE)
    assert icaljs_view(read)["method"] == "CANCEL"
    assert read["events"][0].status == "CANCELLED"


def test_build_invitation_refuses_other_methods_and_missing_addresses():
    with pytest.raises(ValueError, match="method"):
        build_invitation("PUBLISH", entry(), organizer=ORGANIZER, attendee=ATTENDEE, dtstamp=STAMP)
    with pytest.raises(ValueError, match="address"):
        build_invitation("REQUEST", entry(), organizer=Participant(""), attendee=ATTENDEE, dtstamp=STAMP)


def test_build_feed_refuses_an_event_ending_before_it_starts():
    with pytest.raises(ValueError, match="end after"):
        build_feed(FEED, [entry(ends_at=datetime(2026, 10, 24, 7, 0, tzinfo=UTC))])


def test_build_feed_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="naive"):
        build_feed(FEED, [replace(entry(), last_modified=datetime(2026, 1, 1))])  # noqa: DTZ001


@pytest.mark.parametrize(
    "zone", ["Europe/Brussels", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata"]
)
def test_build_feed_instants_around_every_transition_read_back_exactly(read_all, zone):
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    instants, probe = [], datetime(2026, 1, 1, tzinfo=UTC)
    while probe < datetime(2027, 1, 1, tzinfo=UTC):
        following = probe + timedelta(hours=1)
        if probe.astimezone(tz).utcoffset() != following.astimezone(tz).utcoffset():
            instants += [probe - timedelta(minutes=30), probe + timedelta(minutes=30), following]
            instants += [following + timedelta(minutes=30), following + timedelta(hours=2)]
        probe = following
    if zone == "Asia/Kolkata":
        instants = [datetime(2026, 10, 24, 3, 15, tzinfo=UTC)]
    entries = [
        entry(
            uid=f"session-{n}@roadshow.test", timezone=zone, starts_at=at, ends_at=at + timedelta(minutes=45)
        )
        for n, at in enumerate(instants)
    ]
    read = read_all(build_feed(FEED, entries))
    assert [(e.start, e.end) for e in read["events"]] == [(x.starts_at, x.ends_at) for x in entries]
