"""`flask content import|export` and `flask demo load`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from blogapp.contentio.demo import DEMO_PASSWORD, demo_logins, load_demo
from blogapp.contentio.services import ContentError, export_directory, import_directory

content_cli = click.Group("content", help="Import and export posts as Markdown files.")
demo_cli = click.Group("demo", help="The demo site.")


def _default_posts_dir() -> Path:
    return Path(current_app.config["CONTENT_DIR"]) / "posts"


@content_cli.command("import")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def import_command(directory: Path | None):
    """Load posts from DIRECTORY (default content/posts), matching by slug."""
    try:
        report = import_directory(directory or _default_posts_dir())
    except ContentError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped."
    )
    for reason in report.skipped:
        click.echo(f"Skipped {reason}")


@content_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(directory: Path):
    """Write every post to DIRECTORY/<slug>.md."""
    written = export_directory(directory)
    click.echo(f"Wrote {len(written)} posts to {directory}.")


@demo_cli.command("load")
@with_appcontext
def load_command():
    """Create the demo people, posts and threads (skips what exists)."""
    try:
        report = load_demo(Path(current_app.config["CONTENT_DIR"]))
    except ContentError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Demo content: {len(report.users_created)} people added, "
        f"{len(report.posts.created)} posts added, {len(report.posts.updated)} updated, "
        f"{report.comments_created} comments added."
    )
    click.echo("")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email, name in demo_logins():
        click.echo(f"  {role:<10} {email:<36} {name}")
    click.echo("")
