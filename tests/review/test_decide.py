"""Deciding on applications, one at a time and in bulk: status, audit log, and an e-mail to every
member of the company in that member's own language, through the outbox."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from config import TestConfig
from roadshow import create_app
from roadshow.enums import ApplicationStatus
from roadshow.extensions import babel, db
from roadshow.models import AuditLogEntry, OutboxMessage, PitchApplication
from tests.applications.helpers import db_state, load, page
from tests.conftest import fetch, post_form
from tests.review.helpers import WINDOW


def _url(world, suffix: str = "") -> str:
    return f"/manage/events/{world.event.id}/applications/{suffix}"


@pytest.fixture
def application(world, make_application):
    """Company A's submitted application to event A (company A has two members: en and zh)."""
    return make_application(world.event, world.company, windows=WINDOW, title="Rehab glove")


def test_accept_with_a_note_records_logs_and_mails_every_member(app, client, login, world, application):
    login(world.organiser)
    response = post_form(
        client,
        _url(world, f"{application.id}/decide"),
        {"decision": "accepted", "note": "Please prepare 8 minutes."},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == _url(world, str(application.id))
    decided = load(app, PitchApplication, application.id)
    assert decided.status == ApplicationStatus.ACCEPTED
    assert decided.decision_note == "Please prepare 8 minutes."
    assert decided.decided_at is not None
    entries = fetch(app, sa.select(AuditLogEntry))
    assert [(e.action, e.actor_id, e.event_id, e.target_id, e.before, e.after) for e in entries] == [
        (
            "application.accepted",
            world.organiser.id,
            world.event.id,
            application.id,
            {"status": "submitted", "decision_note": None},
            {"status": "accepted", "decision_note": "Please prepare 8 minutes."},
        )
    ]
    messages = fetch(app, sa.select(OutboxMessage).order_by(OutboxMessage.recipient))
    assert [m.recipient for m in messages] == ["anna@example.org", "chen@example.org"]
    english, chinese = messages
    assert english.subject == "Accepted: your pitch at Roadshow A"
    assert "Hello Anna Member," in english.body_text
    assert "accepted the application of Nordlicht Robotics GmbH to pitch “Rehab glove”" in english.body_text
    assert (
        "Please prepare 8 minutes." in english.body_text and "Please prepare 8 minutes." in english.body_html
    )
    assert f"https://roadshow.test/applications/{application.id}" in english.body_text
    # The Chinese reader gets the event's Chinese title (the texts come from the catalogue).
    assert "路演 A" in chinese.subject
    assert "Hello Anna" not in chinese.body_text and "Chen Colleague" in chinese.body_text


def test_the_company_sees_the_decision_and_its_note(client, login, world, application):
    login(world.organiser)
    post_form(client, _url(world, f"{application.id}/decide"), {"decision": "waitlisted", "note": "Maybe."})
    login(world.member)
    html = page(client.get(f"/applications/{application.id}"))
    assert '<span class="badge badge-waitlisted">Waiting list</span>' in html
    assert "Note from the organisers:</strong> Maybe." in html


def test_the_same_decision_twice_sends_nothing_more(app, client, login, world, application):
    login(world.organiser)
    post_form(client, _url(world, f"{application.id}/decide"), {"decision": "rejected"})
    before = db_state(app)
    response = post_form(
        client, _url(world, f"{application.id}/decide"), {"decision": "rejected", "note": ""}
    )
    assert response.status_code == 302
    assert db_state(app) == before
    assert "Nothing changed" in page(client.get(response.headers["Location"]))


def test_changing_a_decision_is_allowed_and_mailed_again(app, client, login, world, application):
    login(world.organiser)
    post_form(client, _url(world, f"{application.id}/decide"), {"decision": "waitlisted"})
    post_form(client, _url(world, f"{application.id}/decide"), {"decision": "accepted"})
    assert load(app, PitchApplication, application.id).status == ApplicationStatus.ACCEPTED
    subjects = [
        m.subject
        for m in fetch(
            app,
            sa.select(OutboxMessage)
            .where(OutboxMessage.recipient == "anna@example.org")
            .order_by(OutboxMessage.id),
        )
    ]
    assert subjects == ["Waiting list: your pitch at Roadshow A", "Accepted: your pitch at Roadshow A"]


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"decision": "withdrawn"}, 400, "Not a valid choice"),
        ({"decision": ""}, 400, "This field is required."),
        ({}, 400, "This field is required."),
        ({"decision": "accepted", "note": "x" * 2001}, 400, "Field cannot be longer than 2000 characters."),
    ],
)
def test_a_bad_decision_changes_nothing(app, client, login, world, application, data, status, message):
    login(world.organiser)
    before = db_state(app)
    response = post_form(client, _url(world, f"{application.id}/decide"), data)
    assert response.status_code == status
    assert message in page(response)
    assert db_state(app) == before


def test_deciding_on_a_withdrawn_application_is_refused(app, client, login, world, make_application):
    withdrawn = make_application(world.event, world.company, status=ApplicationStatus.WITHDRAWN)
    login(world.organiser)
    before = db_state(app)
    response = post_form(client, _url(world, f"{withdrawn.id}/decide"), {"decision": "accepted"})
    assert response.status_code == 409
    assert "The company has withdrawn this application." in page(response)
    assert db_state(app) == before


# --- Bulk -------------------------------------------------------------------------------------------


@pytest.fixture
def three(world, make_organisation, make_application, application):
    """Event A: company A's application, a CN one, and a withdrawn FR one; event B: one of its own."""
    french = make_organisation("Lumière Medical SAS", "FR")
    return {
        "de": application,
        "cn": make_application(world.event, world.other_company, windows=WINDOW),
        "fr": make_application(world.event, french, status=ApplicationStatus.WITHDRAWN),
        "other_event": make_application(world.other_event, world.other_company, windows=WINDOW),
    }


def test_bulk_decides_the_selected_rows(app, client, login, world, three):
    login(world.organiser)
    ids = [three["de"].id, three["cn"].id, three["fr"].id]
    response = post_form(
        client,
        _url(world, "bulk"),
        {
            "application_ids": [str(i) for i in ids],
            "decision": "waitlisted",
            "note": "",
            "next": _url(world, "?region=EU"),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == _url(world, "?region=EU")
    statuses = {key: load(app, PitchApplication, row.id).status for key, row in three.items()}
    assert statuses == {
        "de": ApplicationStatus.WAITLISTED,
        "cn": ApplicationStatus.WAITLISTED,
        "fr": ApplicationStatus.WITHDRAWN,  # a withdrawn application is left alone
        "other_event": ApplicationStatus.SUBMITTED,
    }
    assert sorted(m.recipient for m in fetch(app, sa.select(OutboxMessage))) == [
        "anna@example.org",
        "bo@example.org",
        "chen@example.org",
    ]
    assert sorted(e.target_id for e in fetch(app, sa.select(AuditLogEntry))) == sorted(
        [three["de"].id, three["cn"].id]
    )
    assert "2 applications changed. 1 left as they were." in page(client.get(response.headers["Location"]))


def test_bulk_with_another_events_id_changes_nothing(app, client, login, world, three):
    login(world.organiser)
    before = db_state(app)
    data = {"application_ids": [str(three["de"].id), str(three["other_event"].id)], "decision": "rejected"}
    response = post_form(client, _url(world, "bulk"), data)
    assert response.status_code == 302
    assert db_state(app) == before
    html = page(client.get(response.headers["Location"]))
    assert "Some selected applications are not applications to this event; nothing was changed." in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"application_ids": [], "decision": "accepted"}, "Select at least one application."),
        ({"application_ids": ["abc"], "decision": "accepted"}, "Invalid choice(s)"),
        ({"application_ids": ["1"], "decision": "withdrawn"}, "Not a valid choice"),
    ],
)
def test_bulk_with_bad_input_changes_nothing(app, client, login, world, three, data, message):
    login(world.organiser)
    before = db_state(app)
    response = post_form(client, _url(world, "bulk"), {**data, "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.headers["Location"] == _url(world)  # an outside "next" is not followed
    assert db_state(app) == before
    assert message in page(client.get(response.headers["Location"]))


# --- Each recipient's language -----------------------------------------------------------------------


@pytest.fixture
def chinese_app(app, tmp_path: Path):
    """The same database, with a Chinese catalogue that translates the decision e-mail's texts."""
    catalog = Catalog(locale="zh")
    catalog.add("Accepted: your pitch at %(event)s", "已入选：%(event)s 路演")
    catalog.add("Hello %(name)s,", "%(name)s，您好：")
    compiled = tmp_path / "zh" / "LC_MESSAGES"
    compiled.mkdir(parents=True)
    with (compiled / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    # Flask-Babel keeps loaded catalogues on the (shared) extension object: start and end afresh.
    babel.domain_instance.cache.clear()
    application = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        INSTANCE_PATH=app.instance_path,
        UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
        BABEL_TRANSLATION_DIRECTORIES=str(tmp_path),
    )
    yield application
    babel.domain_instance.cache.clear()
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_decision_mail_is_written_in_each_recipients_language(chinese_app, login, world, application):
    client = chinese_app.test_client()
    login(world.organiser, on=client)
    assert (
        post_form(client, _url(world, f"{application.id}/decide"), {"decision": "accepted"}).status_code
        == 302
    )
    messages = fetch(chinese_app, sa.select(OutboxMessage).order_by(OutboxMessage.recipient))
    assert [(m.recipient, m.subject) for m in messages] == [
        ("anna@example.org", "Accepted: your pitch at Roadshow A"),
        ("chen@example.org", "已入选：路演 A 路演"),
    ]
    assert messages[1].body_text.startswith("Chen Colleague，您好：")
    assert messages[0].body_text.startswith("Hello Anna Member,")
