"""`flask search sync | rebuild | check`."""

import click
from flask.cli import with_appcontext

from blogapp.search import maintenance, outbox
from blogapp.search.backend import get_backend

search_cli = click.Group("search", help="Keep the search index in step with the database.")

EXAMPLES = 5


@search_cli.command("sync")
@with_appcontext
def sync_command():
    """Apply every change waiting in the search outbox."""
    applied = outbox.drain(limit=10**9)
    left = outbox.waiting()
    click.echo(f"Applied {applied} waiting change{'' if applied == 1 else 's'} to the index.")
    if left:
        click.echo(
            f"{left} change{' is' if left == 1 else 's are'} still waiting: another process is "
            "writing the index. Run `flask search sync` again in a moment."
        )


@search_cli.command("rebuild")
@with_appcontext
def rebuild_command():
    """Index every searchable post and comment afresh, from the database."""
    total = maintenance.documents_to_index()
    with click.progressbar(length=total, label="Indexing", show_pos=True) as bar:
        count = maintenance.rebuild(progress=bar.update)
    size = get_backend().size_on_disk()
    where = f" ({size / 1_000_000:.1f} MB)" if size else ""
    click.echo(f"Indexed {count} posts and comments{where}.")


@search_cli.command("check")
@with_appcontext
def check_command():
    """Compare the index with the database; exit code 1 if they differ."""
    drift = maintenance.check()
    click.echo(f"Database: {drift.expected} searchable. Index: {drift.indexed} documents.")
    if drift.waiting:
        click.echo(f"{drift.waiting} change(s) wait in the outbox (`flask search sync`).")
    for label, keys in (
        ("missing from the index", drift.missing),
        ("in the index but not searchable", drift.extra),
        ("out of date in the index", drift.stale),
        ("in the index more than once", drift.duplicated),
    ):
        if keys:
            shown = ", ".join(keys[:EXAMPLES]) + (" …" if len(keys) > EXAMPLES else "")
            click.echo(f"{len(keys)} {label}: {shown}")
    if drift.found:
        click.echo(
            "Drift found. `flask search sync` applies waiting changes; "
            "`flask search rebuild` starts the index afresh."
        )
        raise SystemExit(1)
    click.echo("No drift: the index holds exactly what the database says is searchable.")
