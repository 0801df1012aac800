"""`flask backup` and `flask restore`."""

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from blogapp.ops.backup import BackupError, create_backup, restore_backup


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
