"""`flask mail send`: deliver what is waiting in the outbox."""

import click
from flask.cli import AppGroup

from blogapp.mail.delivery import deliver, retry_failed

mail_cli = AppGroup("mail", help="The mail outbox.")


@mail_cli.command("send")
@click.option("--retry-failed", "retry", is_flag=True, help="Also retry messages that gave up.")
@click.option("--due-only", is_flag=True, help="Skip messages still waiting for their next try.")
def send_command(retry: bool, due_only: bool) -> None:
    """Send every pending message now (failed sends stay for the next run)."""
    if retry:
        click.echo(f"{retry_failed()} failed message(s) queued again.")
    report = deliver(include_not_due=not due_only)
    click.echo(f"Sent {report.sent}, failed {report.failed}.")
