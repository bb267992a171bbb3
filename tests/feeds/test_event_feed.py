"""The event feed and single downloads over HTTP: what they hold, read back by four parsers."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from roadshow.enums import EventStatus, SessionStatus, SlotState
from roadshow.models import Event, PitchSlot, ProgrammeSession
from tests.calendar.parsers import icaljs_view
from tests.calendar.test_build import event_lines_named, unfolded
from tests.feeds.conftest import AFTER_DAY, BEFORE_DAY, CHANGE_DAY, at, stamp

FEED = "/events/eu-china-2026/calendar.ics"


def uids(text: str) -> list[str]:
    """The UIDs of a calendar, in order."""
    return [line.removeprefix("UID:") for line in event_lines_named(text, "UID")]


def vevent(text: str, uid: str) -> list[str]:
    """The logical lines of the VEVENT with *uid*."""
    lines = unfolded(text)
    start = lines.index(f"UID:{uid}")
    end = lines.index("END:VEVENT", start)
    return lines[start:end]


def test_event_feed_holds_sessions_and_published_slots_only(client, summit, read_all):
    response = client.get(FEED)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    s = summit
    assert uids(text) == [
        f"session-{s.keynote.id}@roadshow.test",
        f"session-{s.panel.id}@roadshow.test",
        f"session-{s.block.id}@roadshow.test",
        f"slot-{s.published_slot.id}@roadshow.test",
        f"slot-{s.confirmed_slot.id}@roadshow.test",
    ]
    read = read_all(text)
    assert [(e.summary, e.start, e.end) for e in read["events"]] == [
        ("Opening keynote, welcome", at(BEFORE_DAY, 8), at(BEFORE_DAY, 9)),
        ("Biomedicine panel", at(AFTER_DAY, 9), at(AFTER_DAY, 10)),
        ("Pitches: medical devices", at(AFTER_DAY, 12), at(AFTER_DAY, 13, 30)),
        ("Pitch: Qingdao MedTech Co. – Smart rehab glove", at(AFTER_DAY, 12), at(AFTER_DAY, 12, 15)),
        ("Pitch: Rehab Robotics GmbH – Exoskeleton", at(AFTER_DAY, 12, 15), at(AFTER_DAY, 12, 30)),
    ]


def test_event_feed_spans_the_october_dst_change_with_one_vtimezone(client, summit, read_all):
    text = client.get(FEED).get_data(as_text=True)
    assert event_lines_named(text, "DTSTART")[:2] == [
        f"DTSTART;TZID=Europe/Brussels:{stamp(BEFORE_DAY, 10)}",
        f"DTSTART;TZID=Europe/Brussels:{stamp(AFTER_DAY, 10)}",
    ]
    assert unfolded(text).count("BEGIN:VTIMEZONE") == 1
    assert f"DTSTART:{stamp(CHANGE_DAY, 3)}" in unfolded(text)
    assert icaljs_view(read_all(text))["zones"] == ["Europe/Brussels"]


def test_event_feed_has_feed_properties_and_no_method(client, summit):
    lines = unfolded(client.get(FEED).get_data(as_text=True))
    assert not [line for line in lines if line.startswith("METHOD")]
    assert "NAME:EU–China Innovation Summit" in lines
    assert "X-WR-CALNAME:EU–China Innovation Summit" in lines
    assert (
        "X-WR-CALDESC:The programme of EU–China Innovation Summit\\, kept up to date. "
        "Times are in Europe/Brussels."
    ) in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines
    assert "SOURCE;VALUE=URI:https://roadshow.test/events/eu-china-2026/calendar.ics" in lines


def test_event_feed_session_text_link_and_sequence(client, summit):
    text = client.get(FEED).get_data(as_text=True)
    keynote = vevent(text, f"session-{summit.keynote.id}@roadshow.test")
    assert "SUMMARY:Opening keynote\\, welcome" in keynote
    assert (
        "DESCRIPTION:Welcome\\; the programme\\\\n\\n\\nJoin online: https://meet.example.org/summit"
        "\\nTrack: Main hall\\nProgramme: https://roadshow.test/events/eu-china-2026"
    ) in keynote
    assert "LOCATION:https://meet.example.org/summit" in keynote
    assert "URL:https://meet.example.org/summit" in keynote
    assert (
        'CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL="Join online":https://meet.example.org/summit'
        in keynote
    )
    assert "SEQUENCE:0" in keynote
    assert "STATUS:CONFIRMED" in keynote
    assert "CATEGORIES:Keynote" in keynote
    panel = vevent(text, f"session-{summit.panel.id}@roadshow.test")
    assert "URL:https://meet.example.org/panel" in panel  # its own link wins over the event's


def test_event_feed_dtstamp_and_last_modified_are_the_last_revision(app, client, summit):
    import sqlalchemy as sa

    from tests.conftest import fetch

    (keynote,) = fetch(app, sa.select(ProgrammeSession).where(ProgrammeSession.id == summit.keynote.id))
    stamp = keynote.updated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = vevent(client.get(FEED).get_data(as_text=True), f"session-{summit.keynote.id}@roadshow.test")
    assert f"DTSTAMP:{stamp}" in lines
    assert f"LAST-MODIFIED:{stamp}" in lines


def test_event_feed_in_chinese(client, summit, read_all):
    text = client.get(FEED + "?lang=zh").get_data(as_text=True)
    assert "NAME:中欧创新峰会" in unfolded(text)
    summaries = [e.summary for e in read_all(text)["events"]]
    assert summaries[0] == "开幕主旨演讲, 欢迎"
    assert "青岛医疗科技" in summaries[3] and "智能康复手套" in summaries[3]
    assert "SOURCE;VALUE=URI:https://roadshow.test/events/eu-china-2026/calendar.ics?lang=zh" in unfolded(
        text
    )


def test_event_feed_unknown_language_is_english(client, summit):
    assert client.get(FEED + "?lang=xx").get_data() == client.get(FEED).get_data()


def test_event_feed_unknown_slug_and_draft_give_the_same_404(client, make_event, make_session):
    draft = make_event(slug="secret-draft", status=EventStatus.DRAFT)
    make_session(draft, title="Not public yet")
    unknown = client.get("/events/no-such-event/calendar.ics")
    hidden = client.get("/events/secret-draft/calendar.ics")
    assert unknown.status_code == hidden.status_code == 404
    assert unknown.get_data() == hidden.get_data() == b"Not found\n"
    assert unknown.headers["Content-Type"] == hidden.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_event_feed_cancelled_session_stays_cancelled_with_higher_sequence(client, summit, change, read_all):
    change(
        ProgrammeSession,
        summit.panel.id,
        bump_event=summit.event.id,
        status=SessionStatus.CANCELLED,
        sequence=1,
    )
    text = client.get(FEED).get_data(as_text=True)
    panel = vevent(text, f"session-{summit.panel.id}@roadshow.test")
    assert "STATUS:CANCELLED" in panel
    assert "SEQUENCE:1" in panel
    assert "SUMMARY:Cancelled: Biomedicine panel" in panel
    assert [e.status for e in read_all(text)["events"]][1] == "CANCELLED"


def test_event_feed_cancelled_block_cancels_its_slots_with_higher_sequence(client, summit, change):
    change(
        ProgrammeSession,
        summit.block.id,
        bump_event=summit.event.id,
        status=SessionStatus.CANCELLED,
        sequence=1,
    )
    change(PitchSlot, summit.published_slot.id, sequence=2)
    text = client.get(FEED).get_data(as_text=True)
    slot = vevent(text, f"slot-{summit.published_slot.id}@roadshow.test")
    assert "STATUS:CANCELLED" in slot
    assert "SEQUENCE:3" in slot  # the slot's own 2 + its block's 1


def test_event_feed_cancelled_sessions_leave_once_the_event_is_over(client, summit, change):
    change(ProgrammeSession, summit.panel.id, status=SessionStatus.CANCELLED, sequence=1)
    change(Event, summit.event.id, start_date=date(2020, 3, 1), end_date=date(2020, 3, 2))
    text = client.get(FEED).get_data(as_text=True)
    assert f"session-{summit.panel.id}@roadshow.test" not in uids(text)
    assert f"session-{summit.keynote.id}@roadshow.test" in uids(text)


def test_event_feed_of_cancelled_event_shows_every_entry_cancelled(client, summit, change):
    change(Event, summit.event.id, status=EventStatus.CANCELLED, programme_version=2)
    text = client.get(FEED).get_data(as_text=True)
    statuses = event_lines_named(text, "STATUS")
    assert statuses == ["STATUS:CANCELLED"] * 5


def test_event_feed_moved_session_keeps_uid_and_raises_sequence(client, summit, change, read_all):
    before = read_all(client.get(FEED).get_data(as_text=True))["events"][1]
    moved_to = at(AFTER_DAY, 14)
    change(
        ProgrammeSession,
        summit.panel.id,
        bump_event=summit.event.id,
        starts_at=moved_to,
        ends_at=moved_to + timedelta(hours=1),
        sequence=1,
    )
    events = read_all(client.get(FEED).get_data(as_text=True))["events"]
    after = next(e for e in events if e.uid == before.uid)
    assert (before.sequence, after.sequence) == (0, 1)
    assert after.start == moved_to


def test_event_feed_declined_and_proposed_slots_are_left_out(client, summit, change):
    change(PitchSlot, summit.published_slot.id, bump_event=summit.event.id, state=SlotState.DECLINED)
    found = uids(client.get(FEED).get_data(as_text=True))
    assert f"slot-{summit.published_slot.id}@roadshow.test" not in found
    assert f"slot-{summit.proposed_slot.id}@roadshow.test" not in found
    assert f"slot-{summit.confirmed_slot.id}@roadshow.test" in found


def test_event_feed_long_mixed_script_text_and_control_characters(client, make_event, make_session, read_all):
    event = make_event(slug="long-texts", status=EventStatus.PUBLISHED)
    title = ("青岛, EU–China Роботы; Ελλάδα \\ 😀 " * 20)[:298]  # + 2 control characters = 300
    description = ("生物医药, medical devices; Медицина \\ 😀 é\n" * 300)[:10_000]
    make_session(event, title=title + "\x07\x1b", description=description + "\x08")
    raw = client.get("/events/long-texts/calendar.ics").get_data()
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")
    for control in (b"\x07", b"\x08", b"\x1b"):
        assert control not in raw
    read = read_all(raw.decode("utf-8"))
    assert read["events"][0].summary == title
    assert str(read["icalendar"].walk("VEVENT")[0]["DESCRIPTION"]).startswith(description)


# --- Single downloads -------------------------------------------------------------------------------


def test_session_download_is_one_event_without_method(client, summit, read_all):
    response = client.get(f"/events/eu-china-2026/sessions/{summit.keynote.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="session-{summit.keynote.id}.ics"'
    )
    text = response.get_data(as_text=True)
    assert not [line for line in unfolded(text) if line.startswith("METHOD")]
    assert [e.uid for e in read_all(text)["events"]] == [f"session-{summit.keynote.id}@roadshow.test"]


def test_slot_download_only_for_published_slots(client, summit, read_all):
    shown = client.get(f"/events/eu-china-2026/slots/{summit.confirmed_slot.id}.ics")
    assert shown.status_code == 200
    assert [e.summary for e in read_all(shown.get_data(as_text=True))["events"]] == [
        "Pitch: Rehab Robotics GmbH – Exoskeleton"
    ]
    hidden = client.get(f"/events/eu-china-2026/slots/{summit.proposed_slot.id}.ics")
    assert hidden.status_code == 404
    assert hidden.get_data() == b"Not found\n"


def test_downloads_of_another_event_or_unknown_items_are_404(client, summit, make_event, make_session):
    other = make_event(slug="other-event", status=EventStatus.PUBLISHED)
    foreign = make_session(other, title="Elsewhere")
    assert client.get(f"/events/eu-china-2026/sessions/{foreign.id}.ics").status_code == 404
    assert client.get("/events/eu-china-2026/sessions/999999.ics").status_code == 404
    assert client.get(f"/events/other-event/slots/{summit.published_slot.id}.ics").status_code == 404
    assert client.get(f"/events/no-such/sessions/{summit.keynote.id}.ics").status_code == 404
