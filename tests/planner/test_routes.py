"""The overlap planner page: organisers only, the overlap stated in every zone, bars drawn as SVG
attributes (no style= attributes), and a clear 400 for a bad date, time or zone."""

from __future__ import annotations

import re

import pytest

from roadshow.enums import EventStatus


def page(response) -> str:
    """A response's body as text."""
    return response.get_data(as_text=True)


def _statement(html: str) -> str:
    """The overlap sentence, whitespace collapsed."""
    match = re.search(r'<p class="overlap-statement[^"]*">(.*?)</p>', html, re.S)
    assert match, "no overlap statement"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


@pytest.fixture
def organiser(make_user, make_event):
    """A user who organises a (draft) event."""
    user = make_user("olga@example.org", name="Olga Organiser", timezone="Europe/Brussels")
    make_event(organiser=user, status=EventStatus.DRAFT)
    return user


def test_planner_without_login_redirects_to_login(client):
    response = client.get("/manage/planner/?date=2026-10-26")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_planner_for_a_user_who_organises_nothing_is_403(client, login, make_user):
    login(make_user())
    response = client.get("/manage/planner/?date=2026-10-26")
    assert response.status_code == 403
    assert "The overlap planner is for event organisers." in page(response)


def test_planner_for_a_site_admin_is_200(client, login, make_user):
    login(make_user(is_admin=True))
    assert client.get("/manage/planner/?date=2026-10-26").status_code == 200


def test_planner_after_the_autumn_change_states_one_hour_in_every_zone(client, login, organiser):
    login(organiser)
    html = page(client.get("/manage/planner/?date=2026-10-26"))
    assert _statement(html) == (
        "Overlap: 10:00–11:00 Brussels = 10:00–11:00 Berlin = 09:00–10:00 London = 11:00–12:00 Helsinki"
        " = 17:00–18:00 Shanghai = 09:00–10:00 UTC"
    )
    assert "60 minutes in common." in html


def test_planner_before_the_autumn_change_states_two_hours(client, login, organiser):
    login(organiser)
    html = page(client.get("/manage/planner/?date=2026-10-24"))
    assert _statement(html) == (
        "Overlap: 10:00–12:00 Brussels = 10:00–12:00 Berlin = 09:00–11:00 London = 11:00–13:00 Helsinki"
        " = 16:00–18:00 Shanghai = 08:00–10:00 UTC"
    )
    assert "120 minutes in common." in html


@pytest.mark.parametrize(
    ("day", "brussels_utc", "offset"),
    [("2026-03-28", "08:00–17:00", "UTC+01:00"), ("2026-03-30", "07:00–16:00", "UTC+02:00")],
)
def test_planner_around_the_spring_change_shows_brussels_in_utc(
    client, login, organiser, day, brussels_utc, offset
):
    login(organiser)
    html = page(client.get(f"/manage/planner/?date={day}"))
    row = re.search(r"Brussels <span class=\"zone\">Europe/Brussels</span></th>(.*?)</tr>", html, re.S).group(
        1
    )
    cells = [
        " ".join(re.sub(r"<[^>]+>", "", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    assert cells == ["09:00–18:00", brussels_utc, offset]


def test_planner_draws_bars_with_svg_attributes_and_no_style_attributes(client, login, organiser):
    login(organiser)
    html = page(client.get("/manage/planner/?date=2026-10-26"))
    # Brussels works 08:00–17:00 UTC: from 33.333 % of the day, 37.5 % wide; the overlap 09:00–10:00 UTC.
    assert '<rect class="planner-work" x="33.333%" y="8" width="37.5%" height="20" rx="3"></rect>' in html
    assert html.count('<rect class="planner-overlap" x="37.5%" y="4" width="4.167%" height="28"></rect>') == 5
    assert "style=" not in html
    assert "<script" not in html.split("</head>", 1)[1]


def test_planner_marks_a_day_on_which_clocks_change(client, login, organiser):
    login(organiser)
    html = page(client.get("/manage/planner/?date=2026-10-25"))
    assert html.count("clocks change today") == 4  # the four European zones, not Shanghai


def test_planner_with_extra_zones_adds_their_rows(client, login, organiser):
    login(organiser)
    html = page(client.get("/manage/planner/?date=2026-10-26&zones=America/New_York,+Asia/Tokyo"))
    assert '<span class="zone">America/New_York</span>' in html
    assert '<span class="zone">Asia/Tokyo</span>' in html
    assert "No overlap:" in html  # New York and Shanghai share no working hour


def test_planner_with_custom_hours_uses_them_everywhere(client, login, organiser):
    login(organiser)
    html = page(client.get("/manage/planner/?date=2026-10-26&start=07:00&end=20:00"))
    assert _statement(html) == (
        "Overlap: 08:00–13:00 Brussels = 08:00–13:00 Berlin = 07:00–12:00 London = 09:00–14:00 Helsinki"
        " = 15:00–20:00 Shanghai = 07:00–12:00 UTC"
    )


def test_planner_without_a_date_uses_today_and_fills_the_form(client, login, organiser):
    login(organiser)
    html = page(client.get("/manage/planner/"))
    assert re.search(r'<input id="date" name="date" type="date" value="\d{4}-\d{2}-\d{2}">', html)
    assert '<input id="start" name="start" type="time" value="09:00">' in html
    assert '<input id="end" name="end" type="time" value="18:00">' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date=2026-02-30", "Enter the date as YYYY-MM-DD, for example 2026-10-26."),
        ("date=26/10/2026", "Enter the date as YYYY-MM-DD, for example 2026-10-26."),
        ("date=9999-12-31", "Choose a date between 1970-01-01 and 2100-12-31."),
        ("date=2026-10-26&zones=Mars/Olympus", "Unknown time zone: Mars/Olympus."),
        ("date=2026-10-26&zones=Europe/Paris+europe/rome", "Unknown time zone: europe/rome."),
        ("date=2026-10-26&start=25:00", "Enter the time as HH:MM (24-hour clock), for example 09:00."),
        (
            "date=2026-10-26&start=18:00&end=09:00",
            "The working day must end after it starts (00:00 means midnight).",
        ),
        ("date=2026-10-26&start=19:00", "The working day must end after it starts (00:00 means midnight)."),
        (
            "date=2026-10-26&zones=Asia/Tokyo+Asia/Seoul+Asia/Dubai+Asia/Kolkata+Asia/Manila+Asia/Jakarta",
            "Add at most 5 more time zones.",
        ),
    ],
)
def test_planner_with_bad_input_is_400_with_a_clear_message(client, login, organiser, query, message):
    login(organiser)
    response = client.get(f"/manage/planner/?{query}")
    assert response.status_code == 400
    html = page(response)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert "planner-work" not in html  # nothing drawn from bad input


def test_planner_accepts_midnight_as_the_end_of_the_day(client, login, organiser):
    login(organiser)
    response = client.get("/manage/planner/?date=2026-10-26&start=18:00&end=00:00")
    assert response.status_code == 200
    assert "No overlap:" in page(response)
