"""``flask export``: the site as another system's file (``flask export wordpress FILE``)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from blogapp.importing.wxr_export import export_to
from blogapp.sitesettings.store import site_settings

export_cli = click.Group("export", help="Export the whole site for another system.")


@export_cli.command("wordpress")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_wordpress(file: Path) -> None:
    """Write every post, tag, author and comment to FILE as a WordPress export (WXR 1.2)."""
    if not (site_settings()["SITE_URL"] or current_app.config["SERVER_NAME"]):
        raise click.ClickException(
            "set SITE_URL (like https://blog.example.com): the export links to each post."
        )
    try:
        export_to(file)
    except OSError as error:
        raise click.ClickException(f"cannot write {file}: {error.strerror}") from None
    click.echo(f"Wrote {file} ({file.stat().st_size:,} bytes).")
