"""`flask responses …`: the digest mail and the webhook drain."""

import click
from flask import current_app
from flask.cli import AppGroup

from blogapp.sitesettings.store import site_settings

responses_cli = AppGroup("responses", help="The response tracker.")


@responses_cli.command("digest")
def digest_command() -> None:
    """Email moderators the overdue comments and each employee their own owed ones."""
    from blogapp.responses.digest import send_digests

    if not (site_settings()["SITE_URL"] or current_app.config["SERVER_NAME"]):
        raise click.ClickException(
            "set SITE_URL (like http://localhost:5000): the digest links to the site."
        )

    sent = send_digests()
    click.echo(f"Queued {sent} digest message{'s' if sent != 1 else ''}.")


@responses_cli.command("webhooks")
def webhooks_command() -> None:
    """Deliver pending webhook events now (the worker does this too)."""
    from blogapp.webhooks.delivery import deliver_webhooks

    click.echo(f"Handled {deliver_webhooks()} webhook event(s).")
