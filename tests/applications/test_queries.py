"""The company's applications page runs the same number of queries for one application as for
twenty (a count that grew with them would be an N+1 query)."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from roadshow.enums import EventKind, EventStatus
from tests.conftest import recorded_statements


def _statements(app: Flask, client: FlaskClient, path: str) -> tuple[int, str]:
    """How many SQL statements GET *path* ran, and the page."""
    with recorded_statements(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements), response.get_data(as_text=True)


def test_my_applications_page_runs_as_many_queries_for_twenty_applications_as_for_one(
    app, login, make_user, make_event, make_organisation, make_application
):
    counts = []
    for size in (1, 20):
        owner = make_user()
        companies = [make_organisation(owner=owner) for _ in range(2)]
        for number in range(size):
            roadshow = make_event(
                kind=EventKind.ROADSHOW,
                status=EventStatus.PUBLISHED,
                start_date=date(2030, 6, 10),
                end_date=date(2030, 6, 11),
            )
            make_application(roadshow, companies[number % 2], title=f"Project {number}")
        client = app.test_client()
        login(owner, on=client)
        count, html = _statements(app, client, "/applications/")
        assert len(re.findall(r'href="/applications/\d+"', html)) == size
        counts.append(count)
    assert counts[1] == counts[0]
