"""Applying to pitch: the form, what is stored, and every refusal (which writes nothing)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask_babel import force_locale, gettext

from roadshow.enums import ApplicationStatus, EventKind, EventStatus, ProjectStage
from roadshow.models import AuditLogEntry, PitchApplication
from tests.applications.helpers import (
    NOTHING_WRITTEN,
    PDF,
    PNG,
    application_form,
    count,
    counts,
    only_application,
    page,
    windows_of,
    with_event,
)
from tests.conftest import fetch, post_form

APPLY = "/applications/new?event=roadshow-a"


def _apply(client, data, **kwargs):
    return post_form(client, APPLY, data, **kwargs)


def test_apply_form_offers_the_members_companies_and_their_zone(client, login, world):
    login(world.member)
    html = page(client.get(APPLY))
    companies = re.findall(
        r'<option data-compare-zones="([^"]*)"(?: selected)? value="(\d+)">([^<]*)</option>', html
    )
    assert companies == [
        ("Asia/Shanghai,Europe/Brussels", str(world.company.id), "Nordlicht Robotics GmbH"),
        ("Asia/Shanghai,Europe/Brussels", str(world.third_company.id), "Zweite Firma AG"),
    ]
    assert '<option selected value="Europe/Berlin">Europe/Berlin</option>' in html  # the profile's zone
    assert '<input id="windows-0-day" name="windows-0-day" type="date" value="">' in html
    assert '<option value="robotics">' not in html  # sectors are offered by id
    assert f'<option value="{world.robotics.id}">Robotics</option>' in html


def test_apply_form_for_a_chinese_company_compares_with_brussels(client, login, world):
    login(world.other_member)
    html = page(client.get(APPLY))
    assert re.findall(r'<option data-compare-zones="([^"]*)" selected value="(\d+)">', html) == [
        ("Europe/Brussels", str(world.other_company.id))
    ]
    assert '<option selected value="Asia/Shanghai">Asia/Shanghai</option>' in html


def test_apply_stores_the_application_with_windows_in_utc(app, client, login, world):
    login(world.member)
    response = _apply(client, {**application_form(world), "deck": (io.BytesIO(PDF), "Our deck.pdf")})
    assert response.status_code == 302
    application = only_application(app)
    assert response.headers["Location"] == f"/applications/{application.id}"
    assert application.event_id == world.event.id
    assert application.organisation_id == world.company.id
    assert application.submitted_by_id == world.member.id
    assert application.status == ApplicationStatus.SUBMITTED
    assert (application.title, application.title_zh) == ("Rehab glove", "康复手套")
    assert application.summary_zh is None
    assert application.sector_id == world.robotics.id
    assert application.stage == ProjectStage.PROTOTYPE
    assert application.seeking == "investment,rd_partner"
    assert application.investment_amount == Decimal("250000.00")
    assert application.investment_currency == "EUR"
    assert application.timezone == "Europe/Berlin"
    assert application.deck_filename == "Our deck.pdf"
    # 09:00–12:00 in Berlin in June (CEST, UTC+2)
    assert windows_of(app, application.id) == [("2030-06-10T07:00", "2030-06-10T10:00")]
    stored = Path(app.config["UPLOAD_FOLDER"]) / application.deck_path
    assert stored.read_bytes() == PDF
    assert Path(app.static_folder).resolve() not in stored.resolve().parents
    audit = fetch(app, sa.select(AuditLogEntry))
    assert [(entry.action, entry.event_id, entry.target_id) for entry in audit] == [
        ("application.submitted", world.event.id, application.id)
    ]


def test_apply_from_shanghai_converts_to_the_minute(app, client, login, world):
    login(world.other_member)
    data = application_form(world, world.other_company, timezone="Asia/Shanghai")
    assert _apply(client, data).status_code == 302
    application = only_application(app)
    assert application.timezone == "Asia/Shanghai"
    assert windows_of(app, application.id) == [("2030-06-10T01:00", "2030-06-10T04:00")]


def test_apply_on_the_autumn_dst_day_converts_each_side_with_its_own_offset(app, client, login, world):
    # 27 October 2030: Berlin goes from CEST (UTC+2) back to CET (UTC+1) at 03:00 local.
    with_event(app, world.event.id, start_date=date(2030, 10, 27), end_date=date(2030, 10, 27))
    login(world.member)
    data = application_form(
        world,
        **{
            "windows-0-day": "2030-10-27",
            "windows-0-start_time": "01:00",
            "windows-0-end_time": "01:45",
            "windows-1-day": "2030-10-27",
            "windows-1-start_time": "09:00",
            "windows-1-end_time": "12:00",
        },
    )
    assert _apply(client, data).status_code == 302
    application = only_application(app)
    assert windows_of(app, application.id) == [
        ("2030-10-26T23:00", "2030-10-26T23:45"),
        ("2030-10-27T08:00", "2030-10-27T11:00"),
    ]


def test_apply_refuses_a_repeated_time_on_its_row(app, client, login, world):
    with_event(app, world.event.id, start_date=date(2030, 10, 27), end_date=date(2030, 10, 27))
    login(world.member)
    data = application_form(
        world,
        **{"windows-0-day": "2030-10-27", "windows-0-start_time": "02:30", "windows-0-end_time": "04:00"},
    )
    response = _apply(client, data)
    assert response.status_code == 200
    html = page(response)
    assert re.search(
        r'id="windows-0-start_time-errors">\s*<li>This time happens twice on that day in Europe/Berlin '
        r"because the clocks go back. Choose a time outside the repeated hour.</li>",
        html,
    )
    assert counts(app)["pitch_applications"] == 0


def test_apply_refuses_a_skipped_time_on_its_row(app, client, login, world):
    # 31 March 2030: Berlin jumps from 02:00 to 03:00.
    with_event(app, world.event.id, start_date=date(2030, 3, 31), end_date=date(2030, 3, 31))
    login(world.member)
    data = application_form(
        world,
        **{
            "windows-0-day": "2030-03-31",
            "windows-0-start_time": "10:00",
            "windows-0-end_time": "11:00",
            "windows-1-day": "2030-03-31",
            "windows-1-start_time": "02:30",
            "windows-1-end_time": "04:00",
        },
    )
    html = page(_apply(client, data))
    assert re.search(
        r'id="windows-1-start_time-errors">\s*<li>This time does not exist on that day in Europe/Berlin: the '
        r"clocks move forward for daylight saving time. Choose another time.</li>",
        html,
    )
    assert 'id="windows-0-start_time-errors"' not in html
    assert counts(app) == NOTHING_WRITTEN


def test_apply_merges_overlapping_windows(app, client, login, world):
    login(world.member)
    data = application_form(
        world,
        **{
            "windows-0-start_time": "10:30",
            "windows-0-end_time": "12:00",
            "windows-1-day": "2030-06-10",
            "windows-1-start_time": "09:00",
            "windows-1-end_time": "11:00",
            "windows-2-day": "2030-06-11",
            "windows-2-start_time": "14:00",
            "windows-2-end_time": "15:00",
            "windows-3-day": "",
            "windows-3-start_time": "",
            "windows-3-end_time": "",
        },
    )
    response = _apply(client, data, follow_redirects=True)
    assert "Overlapping availability windows were merged." in page(response)
    application = only_application(app)
    assert windows_of(app, application.id) == [
        ("2030-06-10T07:00", "2030-06-10T10:00"),
        ("2030-06-11T12:00", "2030-06-11T13:00"),
    ]


def test_apply_refuses_an_end_before_the_start_on_its_row(app, client, login, world):
    login(world.member)
    data = application_form(world, **{"windows-0-start_time": "12:00", "windows-0-end_time": "12:00"})
    html = page(_apply(client, data))
    assert re.search(r'id="windows-0-end_time-errors">\s*<li>The end must be after the start.</li>', html)
    assert counts(app) == NOTHING_WRITTEN


def test_apply_refuses_a_window_outside_the_event_days(app, client, login, world):
    login(world.member)
    data = application_form(
        world,
        **{
            "windows-1-day": "2030-06-12",
            "windows-1-start_time": "09:00",
            "windows-1-end_time": "10:00",
            "windows-2-day": "1999-01-01",
            "windows-2-start_time": "09:00",
            "windows-2-end_time": "10:00",
        },
    )
    html = page(_apply(client, data))
    message = "This window is outside the event&#39;s days (2030-06-10 to 2030-06-11, Europe/Brussels)."
    assert re.search(rf'id="windows-1-day-errors">\s*<li>{re.escape(message)}</li>', html)
    assert re.search(rf'id="windows-2-day-errors">\s*<li>{re.escape(message)}</li>', html)
    assert 'id="windows-0-day-errors"' not in html
    assert counts(app) == NOTHING_WRITTEN


def test_apply_window_ending_after_the_event_in_its_zone_is_refused(app, client, login, world):
    # The event's last day ends at midnight in Brussels (CEST), 06:00 on 12 June in Shanghai.
    login(world.other_member)
    data = application_form(
        world,
        world.other_company,
        timezone="Asia/Shanghai",
        **{
            "windows-0-day": "2030-06-12",
            "windows-0-start_time": "05:30",
            "windows-0-end_time": "05:59",
            "windows-1-day": "2030-06-12",
            "windows-1-start_time": "05:30",
            "windows-1-end_time": "06:30",
        },
    )
    html = page(_apply(client, data))
    assert 'id="windows-0-day-errors"' not in html  # 23:30–23:59 on 11 June in Brussels
    assert 'id="windows-1-day-errors"' in html  # ends at 00:30 on 12 June in Brussels
    assert counts(app) == NOTHING_WRITTEN


def test_apply_refuses_an_incomplete_row_and_needs_one_window(app, client, login, world):
    login(world.member)
    html = page(_apply(client, application_form(world, **{"windows-0-end_time": ""})))
    assert re.search(
        r'id="windows-0-end_time-errors">\s*<li>Enter a date, a start time and an end time.</li>', html
    )
    blank = {"windows-0-day": "", "windows-0-start_time": "", "windows-0-end_time": ""}
    html = page(_apply(client, application_form(world, **blank)))
    assert "Give at least one window in which you can pitch." in html
    assert counts(app) == NOTHING_WRITTEN


def test_apply_add_window_button_renders_one_more_row_and_saves_nothing(app, client, login, world):
    login(world.member)
    data = application_form(world, title="", add_window="Add another window")
    html = page(_apply(client, data))
    assert '<input id="windows-1-day" name="windows-1-day" type="date" value="">' in html
    assert 'value="2030-06-10"' in html  # the first row is kept
    assert 'class="errors"' not in html  # not validated: only one more row
    assert counts(app) == NOTHING_WRITTEN


def test_apply_shows_the_other_sides_time_beside_each_row_after_submit(app, client, login, world):
    login(world.member)
    html = page(_apply(client, application_form(world, title="")))  # refused: the title is missing
    assert "Asia/Shanghai: " in html
    preview = re.search(r'data-window-preview aria-live="polite">(.*?)</p>', html, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", preview)
    assert re.sub(r"\s+", " ", text).strip() == (
        "Asia/Shanghai: Jun 10, 2030, 3:00 PM–6:00 PM Europe/Brussels (event): Jun 10, 2030, 9:00 AM–12:00 PM"
    )


def test_apply_chinese_company_sees_brussels_time_beside_its_rows(app, client, login, world):
    login(world.other_member)
    data = application_form(world, world.other_company, timezone="Asia/Shanghai", title="")
    html = page(_apply(client, data))
    preview = re.search(r'data-window-preview aria-live="polite">(.*?)</p>', html, re.S).group(1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", preview)).strip()
    assert text == "Europe/Brussels (event): Jun 10, 2030, 3:00 AM–6:00 AM"


def test_apply_loads_availability_js_from_the_app_without_inline_scripts(client, login, world):
    login(world.member)
    html = page(client.get(APPLY))
    assert '<script src="/static/js/availability.js" defer></script>' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert re.findall(r'<script src="([^"]+)"', html) == ["/static/js/availability.js"]  # no CDN
    with client.get("/static/js/availability.js") as script:
        assert script.status_code == 200
        assert script.mimetype in ("text/javascript", "application/javascript")
        assert b"Intl.DateTimeFormat" in script.data


def test_apply_requires_amount_and_currency_for_investment(app, client, login, world):
    login(world.member)
    html = page(_apply(client, application_form(world, investment_amount="", investment_currency="")))
    assert re.search(
        r'id="investment_amount-errors">\s*<li>Enter the amount of investment sought.</li>', html
    )
    assert re.search(
        r'id="investment_currency-errors">\s*<li>Choose the currency of the investment sought.</li>', html
    )
    assert counts(app) == NOTHING_WRITTEN


def test_apply_refuses_a_zero_amount_and_an_unknown_currency(app, client, login, world):
    login(world.member)
    html = page(_apply(client, application_form(world, investment_amount="0", investment_currency="XYZ")))
    assert re.search(r'id="investment_amount-errors">\s*<li>Enter an amount greater than zero.</li>', html)
    assert re.search(
        r'id="investment_currency-errors">\s*<li>Choose the currency of the investment sought.</li>', html
    )
    html = page(_apply(client, application_form(world, investment_amount="NaN")))
    assert re.search(r'id="investment_amount-errors">\s*<li>Enter an amount greater than zero.</li>', html)
    assert counts(app) == NOTHING_WRITTEN


def test_apply_without_investment_ignores_the_amount(app, client, login, world):
    login(world.member)
    data = application_form(world, seeking=["distribution"], investment_amount="5", investment_currency="CNY")
    assert _apply(client, data).status_code == 302
    application = only_application(app)
    assert (application.seeking, application.investment_amount, application.investment_currency) == (
        "distribution",
        None,
        None,
    )


def test_apply_requires_what_the_company_seeks(app, client, login, world):
    login(world.member)
    html = page(_apply(client, application_form(world, seeking=[])))
    assert re.search(r'id="seeking-errors"><li>Tick what your company is looking for.</li>', html)
    assert counts(app) == NOTHING_WRITTEN


def test_apply_refuses_an_unknown_time_zone(app, client, login, world):
    login(world.member)
    html = page(_apply(client, application_form(world, timezone="Europe/Atlantis")))
    assert re.search(
        r'id="timezone-errors">\s*<li>Choose your company&#39;s time zone from the list.</li>', html
    )
    assert counts(app) == NOTHING_WRITTEN


def _deck_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "decks"
    return sorted(folder.glob("*")) if folder.exists() else []


def test_apply_refuses_a_deck_over_20_mb(app, client, login, world):
    login(world.member)
    before = _deck_files(app)
    big = PDF + b"\x00" * (20 * 1024 * 1024)
    html = page(_apply(client, {**application_form(world), "deck": (io.BytesIO(big), "deck.pdf")}))
    assert re.search(r'id="deck-errors">\s*<li>The file is larger than 20 MB.</li>', html)
    assert counts(app) == NOTHING_WRITTEN
    assert _deck_files(app) == before


def test_apply_refuses_a_png_renamed_to_pdf(app, client, login, world):
    login(world.member)
    before = _deck_files(app)
    html = page(_apply(client, {**application_form(world), "deck": (io.BytesIO(PNG), "deck.pdf")}))
    assert re.search(r'id="deck-errors">\s*<li>A pitch deck must be a PDF file.</li>', html)
    assert counts(app) == NOTHING_WRITTEN
    assert _deck_files(app) == before


def test_apply_with_a_good_deck_but_a_bad_field_keeps_no_file(app, client, login, world):
    login(world.member)
    before = _deck_files(app)
    data = {**application_form(world, investment_currency=""), "deck": (io.BytesIO(PDF), "deck.pdf")}
    assert _apply(client, data).status_code == 200
    assert counts(app) == NOTHING_WRITTEN
    assert _deck_files(app) == before


def test_apply_after_the_deadline_is_closed_and_writes_nothing(app, client, login, world):
    deadline = datetime.now(UTC) - timedelta(minutes=1)
    with_event(app, world.event.id, application_deadline=deadline)
    login(world.member)
    html = page(client.get(APPLY))
    assert "Applications to this event closed on" in html
    assert 'name="title"' not in html
    html = page(_apply(client, application_form(world)))
    assert "Applications to this event closed on" in html
    assert counts(app) == NOTHING_WRITTEN


def test_apply_before_the_deadline_is_open(app, client, login, world):
    with_event(app, world.event.id, application_deadline=datetime.now(UTC) + timedelta(hours=1))
    login(world.member)
    assert _apply(client, application_form(world)).status_code == 302
    assert count(app, PitchApplication) == 1


def test_apply_to_a_non_roadshow_writes_nothing(app, client, login, world, make_event):
    make_event(slug="summit-x", kind=EventKind.SUMMIT, status=EventStatus.PUBLISHED)
    make_event(slug="draft-x", kind=EventKind.ROADSHOW, status=EventStatus.DRAFT)
    login(world.member)
    for slug in ("summit-x", "draft-x", "nope"):
        assert client.get(f"/applications/new?event={slug}").status_code == 404
        assert (
            post_form(client, f"/applications/new?event={slug}", application_form(world)).status_code == 404
        )
    assert counts(app) == NOTHING_WRITTEN


def test_apply_for_a_company_one_does_not_belong_to_is_refused(app, client, login, world):
    login(world.member)
    html = page(_apply(client, application_form(world, world.other_company)))
    assert re.search(r'id="organisation-errors">\s*<li>Not a valid choice.?</li>', html)
    assert counts(app) == NOTHING_WRITTEN


def test_apply_without_a_company_explains_what_to_do(app, client, login, world):
    login(world.outsider)
    html = page(client.get(APPLY))
    assert "Only companies can apply." in html
    assert 'href="/organisations/"' in html
    assert page(_apply(client, application_form(world))).count("Only companies can apply.") == 1
    assert counts(app) == NOTHING_WRITTEN


def test_apply_offers_only_companies_that_have_not_applied(app, client, login, world, make_application):
    make_application(world.event, world.company)
    login(world.member)
    html = page(client.get(APPLY))
    assert re.findall(r'<option data-compare-zones="[^"]*"(?: selected)? value="(\d+)">', html) == [
        str(world.third_company.id)
    ]
    login(world.colleague)  # company A only: it has applied already; reads Chinese
    html = page(client.get(APPLY))
    with app.test_request_context(), force_locale("zh"):
        expected = gettext("Each of your companies has already applied to this event.")
    assert expected in html


def test_apply_twice_for_the_same_company_is_refused(app, client, login, world):
    login(world.member)
    assert _apply(client, application_form(world)).status_code == 302
    html = page(_apply(client, application_form(world, title="Second try")))
    assert re.search(r'id="organisation-errors">\s*<li>Not a valid choice.?</li>', html)
    assert count(app, PitchApplication) == 1


def test_apply_anonymous_is_sent_to_log_in(app, client, world):
    response = client.get(APPLY)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    response = _apply(client, application_form(world))
    assert response.status_code == 302
    assert counts(app) == NOTHING_WRITTEN


def test_apply_refuses_dates_and_times_that_are_not_dates_and_times(app, client, login, world):
    login(world.member)
    data = application_form(world, **{"windows-0-day": "2030-02-31", "windows-0-start_time": "25:00"})
    html = page(_apply(client, data))
    assert re.search(r'id="windows-0-day-errors">\s*<li>Not a valid date value.</li>', html)
    assert re.search(r'id="windows-0-start_time-errors">\s*<li>Not a valid time value.</li>', html)
    assert counts(app) == NOTHING_WRITTEN


def test_apply_form_speaks_chinese_to_a_chinese_reader(client, login, world):
    login(world.colleague)  # locale zh
    html = page(client.get(APPLY))
    assert '<html lang="zh-Hans">' in html
    assert f'<option value="{world.robotics.id}">机器人</option>' in html
    assert "路演 A" in html
