"""The CSV export: Excel-friendly (UTF-8 with BOM), one row per application, formulas neutralised."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from roadshow.enums import ApplicationStatus
from roadshow.review.export import build_csv, neutralise_cell
from tests.review.helpers import JUNE_10, WINDOW

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+49 30 1234", "'+49 30 1234"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("＝1+1", "'＝1+1"),
        ("Nordlicht = good", "Nordlicht = good"),
        ("海博生物", "海博生物"),
        ("", ""),
        (None, ""),
        (42, "42"),
        (-5, "-5"),
        (Decimal("1500.50"), "1500.50"),
    ],
)
def test_neutralise_cell(value, cell):
    assert neutralise_cell(value) == cell


def test_build_csv_writes_bom_header_and_crlf_rows():
    body = build_csv(["company", "note"], [["=cmd|' /C calc'!A0", 'say "hi",\nbye'], ["海博", None]])
    assert body.startswith(BOM)
    assert body.decode("utf-8-sig") == (
        'company,note\r\n\'=cmd|\' /C calc\'!A0,"say ""hi"",\nbye"\r\n海博,\r\n'
    )


def _export(client, world, query: str = ""):
    return client.get(f"/manage/events/{world.event.id}/applications/export.csv{query}")


def _rows(response) -> list[dict[str, str]]:
    assert response.data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def test_export_downloads_every_filtered_application(
    client, login, world, make_organisation, make_application
):
    formula = make_organisation('=HYPERLINK("http://x")', "FR")
    make_application(
        world.event,
        world.company,
        windows=[*WINDOW, (JUNE_10.replace(day=11, hour=21), JUNE_10.replace(day=11, hour=23))],
        title="Rehab glove",
        title_zh="康复手套",
        sector_id=world.robotics.id,
        seeking="investment,rd_partner",
        investment_amount=250000,
        investment_currency="EUR",
        status=ApplicationStatus.ACCEPTED,
        deck_path="decks/a.pdf",
        deck_filename="a.pdf",
    )
    make_application(world.event, formula, windows=WINDOW, title="-2+3 widget", summary="@boom")
    make_application(world.other_event, world.other_company, windows=WINDOW, title="Elsewhere")
    login(world.organiser)
    response = _export(client, world, "?sort=company&dir=asc")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="applications-roadshow-a.csv"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    rows = _rows(response)
    assert list(rows[0]) == [
        "id",
        "company",
        "company_zh",
        "country",
        "country_name",
        "region",
        "sector",
        "stage",
        "seeking",
        "investment_amount",
        "investment_currency",
        "status",
        "title",
        "title_zh",
        "summary",
        "submitted (Europe/Brussels)",
        "decided (Europe/Brussels)",
        "decision_note",
        "company_timezone",
        "availability (Europe/Brussels)",
        "deck",
        "contacts",
    ]
    assert [row["company"] for row in rows] == ['\'=HYPERLINK("http://x")', "Nordlicht Robotics GmbH"]
    injected, nordlicht = rows
    assert (injected["title"], injected["summary"], injected["country"], injected["region"]) == (
        "'-2+3 widget",
        "'@boom",
        "FR",
        "EU",
    )
    expected = {
        "country": "DE",
        "country_name": "Germany",
        "region": "EU",
        "sector": "Robotics",
        "stage": "prototype",
        "seeking": "investment,rd_partner",
        "investment_amount": "250000.00",
        "investment_currency": "EUR",
        "status": "accepted",
        "title": "Rehab glove",
        "title_zh": "康复手套",
        "deck": "yes",
        "contacts": "anna@example.org chen@example.org",
        "company_timezone": "Europe/Berlin",
    }
    assert {key: nordlicht[key] for key in expected} == expected
    assert (
        nordlicht["availability (Europe/Brussels)"]
        == "2030-06-10 09:00–12:00; 2030-06-11 23:00–2030-06-12 01:00"
    )


def test_export_follows_the_filters(client, login, world, make_application):
    make_application(world.event, world.company, windows=WINDOW)
    make_application(world.event, world.other_company, windows=WINDOW, timezone="Asia/Shanghai")
    login(world.organiser)
    assert [row["company"] for row in _rows(_export(client, world, "?region=CN"))] == ["海博生物 Haibo Bio"]
    assert _rows(_export(client, world, "?status=rejected")) == []
