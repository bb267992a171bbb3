"""Viewing, editing (until the deadline), withdrawing (at any time) and downloading the deck."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_babel import force_locale, gettext

from roadshow.enums import ApplicationStatus
from roadshow.models import AuditLogEntry, PitchApplication
from tests.applications.helpers import (
    PDF,
    PNG,
    application_form,
    db_state,
    load,
    page,
    plain,
    windows_of,
    with_event,
)
from tests.conftest import fetch, post_form

JUNE_10 = datetime(2030, 6, 10, tzinfo=UTC)


def _application(make_application, world, **columns):
    columns.setdefault("windows", [(JUNE_10.replace(hour=7), JUNE_10.replace(hour=10))])
    return make_application(world.event, world.company, **columns)


def _apply_with_deck(client, login, world, app, content=PDF, name="Deck.pdf"):
    login(world.member)
    response = post_form(
        client,
        "/applications/new?event=roadshow-a",
        {**application_form(world), "deck": (io.BytesIO(content), name)},
    )
    assert response.status_code == 302
    return fetch(app, sa.select(PitchApplication))[0]


def test_detail_shows_the_application_and_its_windows_in_three_zones(client, login, world, make_application):
    application = _application(make_application, world, title="Rehab glove", timezone="Europe/Berlin")
    login(world.member)
    html = page(client.get(f"/applications/{application.id}"))
    assert "<h1>Rehab glove</h1>" in html
    assert "Your time (Europe/Berlin)" in html and "Event time (Europe/Brussels)" in html
    assert '<th scope="col">Asia/Shanghai</th>' in html
    text = plain(html)
    assert "Jun 10, 2030, 9:00 AM–12:00 PM Europe/Berlin, UTC+02:00" in text
    assert "Jun 10, 2030, 3:00 PM–6:00 PM Asia/Shanghai, UTC+08:00" in text
    assert "Jun 10, 2030, 9:00 AM–12:00 PM Europe/Brussels, UTC+02:00" in text
    assert f'href="/applications/{application.id}/edit"' in html
    assert f'href="/applications/{application.id}/withdraw"' in html


def test_mine_lists_the_applications_of_my_companies_and_open_roadshows(
    client, login, world, make_application
):
    mine = _application(make_application, world, title="Rehab glove")
    other = make_application(world.event, world.other_company, title="Bio sensor")
    login(world.colleague)
    html = page(client.get("/applications/"))
    assert f'href="/applications/{mine.id}"' in html
    assert f'href="/applications/{other.id}"' not in html
    assert 'href="/applications/new?event=roadshow-a"' in html
    assert 'href="/applications/new?event=roadshow-b"' in html


def test_edit_form_is_prefilled_in_the_companys_zone(client, login, world, make_application):
    application = _application(
        make_application,
        world,
        title="Rehab glove",
        seeking="investment",
        investment_amount=1000,
        investment_currency="CNY",
    )
    login(world.member)
    html = page(client.get(f"/applications/{application.id}/edit"))
    assert 'value="Rehab glove"' in html
    assert '<input id="windows-0-day" name="windows-0-day" type="date" value="2030-06-10">' in html
    assert 'name="windows-0-start_time" type="time" value="09:00"' in html
    assert 'name="windows-0-end_time" type="time" value="12:00"' in html
    assert '<option selected value="CNY">CNY</option>' in html
    assert 'name="organisation"' not in html  # the company cannot be changed


def test_edit_saves_fields_windows_and_replaces_the_deck(app, client, login, world):
    first = _apply_with_deck(client, login, world, app)
    old_file = Path(app.config["UPLOAD_FOLDER"]) / first.deck_path
    data = application_form(
        world,
        title="Rehab glove 2",
        timezone="Asia/Shanghai",
        **{"windows-0-day": "2030-06-10", "windows-0-start_time": "16:00", "windows-0-end_time": "18:30"},
    )
    data.pop("organisation")
    data["deck"] = (io.BytesIO(PDF + b"%v2"), "New deck.pdf")
    response = post_form(client, f"/applications/{first.id}/edit", data)
    assert response.status_code == 302
    application = load(app, PitchApplication, first.id)
    assert (application.title, application.timezone, application.deck_filename) == (
        "Rehab glove 2",
        "Asia/Shanghai",
        "New deck.pdf",
    )
    assert windows_of(app, first.id) == [("2030-06-10T08:00", "2030-06-10T10:30")]
    assert not old_file.exists()
    assert (Path(app.config["UPLOAD_FOLDER"]) / application.deck_path).read_bytes() == PDF + b"%v2"


def test_edit_with_a_bad_deck_keeps_everything(app, client, login, world):
    first = _apply_with_deck(client, login, world, app)
    before = db_state(app)
    data = application_form(world, title="Changed")
    data["deck"] = (io.BytesIO(PNG), "deck.pdf")
    html = page(post_form(client, f"/applications/{first.id}/edit", data))
    assert "A pitch deck must be a PDF file." in html
    assert db_state(app) == before
    assert (Path(app.config["UPLOAD_FOLDER"]) / first.deck_path).read_bytes() == PDF


def test_edit_after_the_deadline_is_read_only_with_a_message(app, client, login, world, make_application):
    application = _application(make_application, world, title="Rehab glove")
    with_event(app, world.event.id, application_deadline=datetime.now(UTC) - timedelta(seconds=1))
    login(world.member)
    response = client.get(f"/applications/{application.id}/edit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/applications/{application.id}"
    before = db_state(app)
    response = post_form(
        client, f"/applications/{application.id}/edit", application_form(world, title="Late")
    )
    assert response.status_code == 302
    assert db_state(app) == before
    html = page(client.get(f"/applications/{application.id}"))
    assert "This application can no longer be changed." in html
    assert "The deadline has passed: this application can no longer be changed." in html
    assert f'href="/applications/{application.id}/edit"' not in html


def test_withdraw_asks_then_withdraws_even_after_the_deadline(app, client, login, world, make_application):
    application = _application(make_application, world)
    with_event(app, world.event.id, application_deadline=datetime.now(UTC) - timedelta(days=1))
    login(world.colleague)  # reads Chinese
    html = page(client.get(f"/applications/{application.id}/withdraw"))
    with app.test_request_context(), force_locale("zh"):
        question = gettext(
            "Do you really want to withdraw the application of %(company)s to %(event)s? The organisers "
            "will no longer consider it, and this cannot be undone.",
            company="Nordlicht Robotics GmbH",
            event="路演 A",  # the event's Chinese title
        )
    assert question in html
    assert load(app, PitchApplication, application.id).status == ApplicationStatus.SUBMITTED
    response = post_form(client, f"/applications/{application.id}/withdraw", {})
    assert response.status_code == 302
    assert load(app, PitchApplication, application.id).status == ApplicationStatus.WITHDRAWN
    entries = fetch(app, sa.select(AuditLogEntry))
    assert [(e.action, e.actor_id, e.before, e.after) for e in entries] == [
        ("application.withdrawn", world.colleague.id, {"status": "submitted"}, {"status": "withdrawn"})
    ]
    # Once withdrawn: no second withdrawal, no editing.
    before = db_state(app)
    assert post_form(client, f"/applications/{application.id}/withdraw", {}).status_code == 302
    assert client.get(f"/applications/{application.id}/edit").status_code == 302
    assert db_state(app) == before


def test_withdraw_without_csrf_token_changes_nothing(app, client, login, world, make_application):
    application = _application(make_application, world)
    login(world.member)
    response = client.post(f"/applications/{application.id}/withdraw", data={})
    assert response.status_code == 400
    assert load(app, PitchApplication, application.id).status == ApplicationStatus.SUBMITTED


def test_deck_download_for_members_and_organisers(app, client, login, world):
    application = _apply_with_deck(client, login, world, app, name="Our deck.pdf")
    for user in (world.member, world.colleague, world.organiser):
        login(user)
        with client.get(f"/applications/{application.id}/deck") as response:
            assert response.status_code == 200
            assert response.data == PDF
            assert response.mimetype == "application/pdf"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Content-Disposition"] == 'attachment; filename="Our deck.pdf"'


def test_deck_download_keeps_a_chinese_file_name(app, client, login, world):
    application = _apply_with_deck(client, login, world, app, name="路演.pdf")
    with client.get(f"/applications/{application.id}/deck") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == (
            "attachment; filename=.pdf; filename*=UTF-8''%E8%B7%AF%E6%BC%94.pdf"
        )


def test_deck_download_without_a_deck_is_404(client, login, world, make_application):
    application = _application(make_application, world)
    login(world.member)
    assert client.get(f"/applications/{application.id}/deck").status_code == 404


def test_deck_download_name_is_made_safe():
    from roadshow.applications.services import deck_download_name

    assert deck_download_name("../../etc/passwd") == "passwd.pdf"
    assert deck_download_name("C:\\Users\\me\\路演.PDF") == "路演.PDF"
    assert deck_download_name("a\x00b\r\n.pdf") == "ab.pdf"
    assert deck_download_name("") == "pitch-deck.pdf"
    assert re.fullmatch(r"x{196}\.pdf|x{200}\.pdf", deck_download_name("x" * 300 + ".pdf"))
