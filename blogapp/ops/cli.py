"""`flask backup`, `flask restore`, `flask worker` and `flask outbox`."""

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from blogapp.ops.backup import BackupError, create_backup, restore_backup
from blogapp.ops.outbox import Outbox, outboxes


@click.command("backup")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the archive (default instance/backups).",
)
@with_appcontext
def backup_command(directory: Path | None):
    """Write a consistent snapshot of the database plus a content export."""
    directory = directory or Path(current_app.instance_path) / "backups"
    try:
        archive = create_backup(directory)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {archive}")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive: Path):
    """Load a backup into the configured, empty database."""
    try:
        report = restore_backup(archive)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    total = sum(report.tables.values())
    click.echo(
        f"Restored {total} rows in {len(report.tables)} tables (revision {report.revision})."
    )


@click.command("worker")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between idle rounds.")
@click.option("--once", is_flag=True, help="Drain every outbox once, then stop.")
@with_appcontext
def worker_command(interval: float, once: bool):
    """Drain the mail, search and webhook outboxes until stopped (SIGTERM or Ctrl+C)."""
    from blogapp.ops.worker import outbox_drainers, run_worker

    def started() -> None:
        names = ", ".join(name for name, _ in outbox_drainers())
        click.echo(f"Worker started (pid {os.getpid()}): draining {names}.")
        sys.stdout.flush()

    handled = run_worker(
        current_app._get_current_object(), interval=interval, once=once, on_start=started
    )
    click.echo(f"Worker stopped; {handled} outbox rows handled.")


outbox_cli = AppGroup("outbox", help="The mail, search and webhook outboxes.")


@outbox_cli.command("status")
def outbox_status_command():
    """Each outbox's waiting rows and dead letters."""
    for name, outbox in outboxes().items():
        waiting, dead = outbox.backlog()
        click.echo(f"{name}: {waiting} waiting, {dead} dead")


@outbox_cli.command("dead")
@click.argument("name")
@click.option("--limit", default=50, show_default=True, help="How many, newest first.")
def outbox_dead_command(name: str, limit: int):
    """List an outbox's dead letters, each with the error it last failed with."""
    rows = _named(name).dead_letters(limit)
    if not rows:
        click.echo(f"No dead letters in the {name} outbox.")
    for row in rows:
        click.echo(
            f"#{row.id} {row.created_at:%Y-%m-%d %H:%M} after {row.attempts} attempt(s): "
            f"{row.last_error}"
        )


@outbox_cli.command("retry")
@click.argument("name")
def outbox_retry_command(name: str):
    """Put an outbox's dead letters back in the queue, with fresh attempts."""
    click.echo(f"{_named(name).retry_dead()} dead letter(s) queued again in {name}.")


@outbox_cli.command("drain")
@click.argument("names", nargs=-1)
def outbox_drain_command(names: tuple[str, ...]):
    """Deliver what is due in the named outboxes (all of them by default)."""
    for name in names or outboxes():
        report = _named(name).drain()
        click.echo(
            f"{name}: delivered {report.delivered}, failed {report.failed}, dead {report.dead}"
        )


def _named(name: str) -> Outbox:
    registry = outboxes()
    if name not in registry:
        raise click.BadParameter(f"choose one of {', '.join(registry)}", param_hint="NAME")
    return registry[name]
