"""`flask mail send`: deliver what is waiting in the outbox; `flask mail failed`: what gave up."""

import click
from flask.cli import AppGroup

from blogapp.mail.delivery import deliver
from blogapp.ops.outbox import outbox

mail_cli = AppGroup("mail", help="The mail outbox.")


@mail_cli.command("send")
@click.option("--retry-failed", "retry", is_flag=True, help="Also retry messages that gave up.")
@click.option("--due-only", is_flag=True, help="Skip messages still waiting for their next try.")
def send_command(retry: bool, due_only: bool) -> None:
    """Send every pending message now (failed sends stay for the next run)."""
    if retry:
        click.echo(f"{outbox('mail').retry_dead()} failed message(s) queued again.")
    report = deliver(include_not_due=not due_only)
    click.echo(f"Sent {report.delivered}, failed {report.failed}.")
    if report.dead:
        click.echo(
            f"{report.dead} message(s) cannot be sent and were marked failed; "
            "`flask mail failed` lists them with the reason."
        )


@mail_cli.command("failed")
@click.option("--limit", default=50, show_default=True, help="How many, newest first.")
def failed_command(limit: int) -> None:
    """List the messages marked failed, each with the reason it was not sent."""
    rows = outbox("mail").dead_letters(limit)
    if not rows:
        click.echo("No failed messages.")
    for row in rows:
        click.echo(
            f"#{row.id} {row.created_at:%Y-%m-%d %H:%M} {row.kind} to {row.to_address!r} "
            f"after {row.attempts} attempt(s): {row.last_error}"
        )
