"""The review desk's table: only this event's applications, filters, sorting, counts, paging, and
a number of SQL statements that does not grow with the number of rows."""

from __future__ import annotations

import re

import pytest

from roadshow.enums import ApplicationStatus, ProjectStage
from roadshow.extensions import db
from roadshow.models import Event
from roadshow.review.services import ReviewFilters, review_page
from tests.applications.helpers import page, plain
from tests.review.helpers import WINDOW, counted_queries


def _desk(client, world, query: str = "") -> str:
    response = client.get(f"/manage/events/{world.event.id}/applications/{query}")
    assert response.status_code == 200
    return page(response)


def _listed(html: str) -> list[str]:
    """The company names of the table's rows, in order."""
    return re.findall(r'<td data-label="Company">([^<]*)</td>', html)


@pytest.fixture
def applications(world, make_organisation, make_application):
    """Four applications to event A (DE robotics, CN fintech, FR no sector, US robotics) and one to B."""
    french = make_organisation("Lumière Medical SAS", "FR")
    american = make_organisation("Acme Instruments Inc", "US")
    rows = {
        "de": make_application(
            world.event,
            world.company,
            windows=WINDOW,
            sector_id=world.robotics.id,
            stage=ProjectStage.SCALING,
            title="Rehab glove",
        ),
        "cn": make_application(
            world.event,
            world.other_company,
            windows=WINDOW,
            sector_id=world.fintech.id,
            status=ApplicationStatus.ACCEPTED,
            timezone="Asia/Shanghai",
            title="Bio pay",
        ),
        "fr": make_application(world.event, french, windows=WINDOW, stage=ProjectStage.IDEA, title="Lumière"),
        "us": make_application(
            world.event,
            american,
            windows=WINDOW,
            sector_id=world.robotics.id,
            status=ApplicationStatus.WITHDRAWN,
            title="Acme probe",
        ),
        "other_event": make_application(world.other_event, world.company, windows=WINDOW, title="Elsewhere"),
    }
    return rows


def test_desk_lists_this_events_applications_newest_first(client, login, world, applications):
    login(world.organiser)
    html = _desk(client, world)
    assert _listed(html) == [
        "Acme Instruments Inc",
        "Lumière Medical SAS",
        "海博生物 Haibo Bio",
        "Nordlicht Robotics GmbH",
    ]
    assert "Elsewhere" not in html
    assert "4 applications" in html
    assert f'href="/manage/events/{world.event.id}/applications/{applications["de"].id}"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?region=EU", ["Lumière Medical SAS", "Nordlicht Robotics GmbH"]),
        ("?region=CN", ["海博生物 Haibo Bio"]),
        ("?region=other", ["Acme Instruments Inc"]),
        ("?country=fr", ["Lumière Medical SAS"]),
        ("?sector=robotics", ["Acme Instruments Inc", "Nordlicht Robotics GmbH"]),
        ("?sector=none", ["Lumière Medical SAS"]),
        ("?stage=idea", ["Lumière Medical SAS"]),
        ("?status=accepted", ["海博生物 Haibo Bio"]),
        ("?region=EU&sector=robotics&stage=scaling", ["Nordlicht Robotics GmbH"]),
        ("?region=CN&status=withdrawn", []),
    ],
)
def test_desk_filters(client, login, world, applications, query, expected):
    login(world.organiser)
    assert _listed(_desk(client, world, query)) == expected


def test_desk_ignores_unknown_filter_values(client, login, world, applications):
    login(world.organiser)
    html = _desk(
        client,
        world,
        "?region=Mars&country=XYZ&stage=%FF&status=lost&sort=evil&dir=sideways&page=" + "9" * 5000,
    )
    assert len(_listed(html)) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "?sort=company&dir=asc",
            ["Acme Instruments Inc", "Lumière Medical SAS", "Nordlicht Robotics GmbH", "海博生物 Haibo Bio"],
        ),
        (
            "?sort=company&dir=desc",
            ["海博生物 Haibo Bio", "Nordlicht Robotics GmbH", "Lumière Medical SAS", "Acme Instruments Inc"],
        ),
        (
            "?sort=country&dir=asc",
            ["海博生物 Haibo Bio", "Nordlicht Robotics GmbH", "Lumière Medical SAS", "Acme Instruments Inc"],
        ),
        (
            "?sort=sector&dir=asc",
            ["海博生物 Haibo Bio", "Nordlicht Robotics GmbH", "Acme Instruments Inc", "Lumière Medical SAS"],
        ),
        (
            "?sort=sector&dir=desc",
            ["Acme Instruments Inc", "Nordlicht Robotics GmbH", "海博生物 Haibo Bio", "Lumière Medical SAS"],
        ),
        (
            "?sort=status&dir=asc",
            ["海博生物 Haibo Bio", "Nordlicht Robotics GmbH", "Lumière Medical SAS", "Acme Instruments Inc"],
        ),
        (
            "?sort=submitted&dir=asc",
            ["Nordlicht Robotics GmbH", "海博生物 Haibo Bio", "Lumière Medical SAS", "Acme Instruments Inc"],
        ),
    ],
)
def test_desk_sorts(client, login, world, applications, query, expected):
    login(world.organiser)
    assert _listed(_desk(client, world, query)) == expected


def test_desk_sort_links_toggle_the_direction_and_keep_filters(client, login, world, applications):
    login(world.organiser)
    html = _desk(client, world, "?region=EU&sort=company&dir=asc")
    base = f"/manage/events/{world.event.id}/applications/"
    assert f'<a href="{base}?region=EU&amp;sort=company&amp;dir=desc">Company</a>' in html
    assert f'<a href="{base}?region=EU&amp;sort=country&amp;dir=asc">Country</a>' in html
    assert f'href="{base}export.csv?region=EU&amp;sort=company&amp;dir=asc"' in html


def test_desk_counts_by_region_and_sector_for_the_filtered_set(client, login, world, applications):
    login(world.organiser)
    text = plain(_desk(client, world))
    assert "By region China 1 Europe (EU) 2 Other 1" in text
    assert "By sector Robotics 2 Fintech 1 No sector 1" in text
    text = plain(_desk(client, world, "?sector=robotics"))
    assert "By region Europe (EU) 1 Other 1" in text
    assert "By sector Robotics 2" in text


def test_review_page_splits_into_pages_with_counts_for_all_rows(app, world, applications):
    with app.test_request_context():
        event = db.session.get(Event, world.event.id)
        first = review_page(event, ReviewFilters(sort="company", descending=False), per_page=3)
        second = review_page(event, ReviewFilters(sort="company", descending=False, page=2), per_page=3)
        beyond = review_page(event, ReviewFilters(sort="company", descending=False, page=9), per_page=3)
        assert [row.organisation.name for row in first.rows] == [
            "Acme Instruments Inc",
            "Lumière Medical SAS",
            "Nordlicht Robotics GmbH",
        ]
        assert [row.organisation.name for row in second.rows] == ["海博生物 Haibo Bio"]
        assert (first.total, first.pages, second.page, beyond.page) == (4, 2, 2, 2)
        assert first.by_region == [("CN", 1), ("EU", 2), ("other", 1)]


def test_desk_statement_count_does_not_grow_with_rows(
    app, client, login, world, make_organisation, make_application
):
    login(world.organiser)
    url = f"/manage/events/{world.event.id}/applications/"
    make_application(world.event, world.company, windows=WINDOW, sector_id=world.robotics.id)
    client.get(url)  # warm up: caches, lazy imports
    with counted_queries(app) as one:
        assert client.get(url).status_code == 200
    for number in range(19):
        organisation = make_organisation(f"Company {number:02d} GmbH", "DE" if number % 2 else "CN")
        make_application(world.event, organisation, windows=WINDOW, sector_id=world.fintech.id)
    with counted_queries(app) as twenty:
        response = client.get(url)
    assert response.status_code == 200
    assert len(_listed(page(response))) == 20
    assert len(one) > 0
    assert len(twenty) == len(one)


def test_detail_shows_everything_and_availability_in_both_zones(client, login, world, make_application):
    application = make_application(
        world.event,
        world.other_company,
        windows=WINDOW,
        timezone="Asia/Shanghai",
        title="Bio pay",
        title_zh="生物支付",
        summary="Payments for clinics.",
        sector_id=world.fintech.id,
        seeking="investment,joint_venture",
        investment_amount=1_500_000,
        investment_currency="CNY",
        deck_path="decks/x.pdf",
        deck_filename="bio.pdf",
    )
    login(world.organiser)
    response = client.get(f"/manage/events/{world.event.id}/applications/{application.id}")
    assert response.status_code == 200
    html = page(response)
    text = plain(html)
    assert "<h1>Bio pay</h1>" in html and "生物支付" in html
    assert "Country China · Qingdao" in text
    assert "Contacts Bo Other &lt; bo@example.org &gt;" in text
    assert "Looking for Investment, Joint venture" in text
    assert "Investment sought 1500000.00 CNY" in text
    assert f'href="/applications/{application.id}/deck">bio.pdf</a>' in html
    assert "Jun 10, 2030, 9:00 AM–12:00 PM Europe/Brussels, UTC+02:00" in text
    assert "Jun 10, 2030, 3:00 PM–6:00 PM Asia/Shanghai, UTC+08:00" in text
    assert "Event time (Europe/Brussels)" in text and "Company time (Asia/Shanghai)" in text


def test_detail_of_another_events_application_is_404(client, login, world, applications):
    login(world.organiser)
    other = applications["other_event"]
    assert client.get(f"/manage/events/{world.event.id}/applications/{other.id}").status_code == 404
