"""The `flask` commands: create-admin, demo-data, send-mail."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from roadshow.extensions import db
from roadshow.models import User


def register(app: Flask) -> None:
    """Attach Roadshow's commands to *app*'s CLI."""
    from roadshow.demo import demo_data_command
    from roadshow.mail.delivery import mail_worker_command, send_mail_command

    app.cli.add_command(create_admin_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(mail_worker_command)


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True, help="The administrator's e-mail address.")
@click.option("--name", default="Administrator", show_default=True)
@click.password_option(help="Asked for when not given.")
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create a site administrator, or make an existing account one."""
    from roadshow.auth.services import create_user, hash_password, password_problems

    email = email.strip().lower()
    problems = password_problems(password, email=email)
    if problems:
        raise click.UsageError("; ".join(str(problem) for problem in problems))
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = create_user(email=email, name=name, password=password)
    else:
        user.password_hash = hash_password(password)
        user.session_version += 1
    user.is_admin = True
    db.session.commit()
    click.echo(f"{email} is a site administrator.")
