"""Delivering the outbox over SMTP (placeholder until the mail work lands)."""

import click


@click.command("send-mail")
def send_mail_command() -> None:
    """Deliver pending outbox messages."""


@click.command("mail-worker")
def mail_worker_command() -> None:
    """Deliver outbox messages in a loop."""
