"""`flask create-admin`: a new administrator, or an existing account promoted."""

from __future__ import annotations

import sqlalchemy as sa

from roadshow.auth import services
from roadshow.models import User
from tests.auth.conftest import reload_user
from tests.conftest import fetch, post_form

PASSPHRASE = "lighthouse ferry bicycle"


def create_admin(app, runner, *args: str):
    """Run ``flask create-admin *args`` through the CLI runner."""
    return runner.invoke(args=["create-admin", *args])


def test_create_admin_new_account(app, runner):
    result = create_admin(app, runner, "--email", " Admin@Example.org ", "--password", PASSPHRASE)
    assert result.exit_code == 0, result.output
    assert result.output == "admin@example.org is a site administrator.\n"
    [user] = fetch(app, sa.select(User))
    assert (user.email, user.name, user.is_admin) == ("admin@example.org", "Administrator", True)
    with app.app_context():
        assert services.verify_password(user, PASSPHRASE)


def test_create_admin_existing_account_promoted_and_sessions_ended(app, runner, make_user):
    user = make_user(email="ops@example.org")
    result = create_admin(app, runner, "--email", "ops@example.org", "--password", PASSPHRASE)
    assert result.exit_code == 0, result.output
    saved = reload_user(app, user.id)
    assert (saved.is_admin, saved.session_version) == (True, 2)
    assert len(fetch(app, sa.select(User))) == 1


def test_create_admin_weak_password_refused(app, runner):
    result = create_admin(app, runner, "--email", "admin@example.org", "--password", "password1")
    assert result.exit_code == 2
    assert "This password is one of the most common ones; choose another." in result.output
    assert fetch(app, sa.select(User)) == []


def test_created_admin_can_log_in(app, runner, client):
    create_admin(app, runner, "--email", "admin@example.org", "--password", PASSPHRASE)
    response = post_form(client, "/login", {"email": "admin@example.org", "password": PASSPHRASE})
    assert (response.status_code, response.location) == (302, "/")
