"""``flask import``: bring another blog's history in (``flask import wordpress|disqus FILE``).

A thin layer over ``writer.import_file``: another reader adds its command here with the
same options (``--dry-run``, ``--cutoff``) and its own reader."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask.cli import with_appcontext

from blogapp.accounts.services import user_by_email
from blogapp.importing import disqus, links, wordpress
from blogapp.importing.writer import ImportOptions, default_actor, import_file

import_cli = click.Group("import", help="Import another blog's posts and comments.")


def _cutoff(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        raise click.BadParameter("write a date like 2026-01-31 or 2026-01-31T09:00") from None


def actor_or_fail(email: str | None):
    """The employee an import acts as: --by, or the first active admin."""
    actor = user_by_email(email) if email else default_actor()
    if actor is None or not actor.is_moderator:
        raise click.ClickException(
            "an import closes old comments in someone's name: pass --by with a moderator's "
            "or admin's email, or create an admin first"
        )
    return actor


def run_import(reader, path: str, source: str, by: str | None, **options) -> None:
    """Run one import from the command line and print its report."""
    actor = actor_or_fail(by)
    with open(path, "rb") as stream:
        report = import_file(reader, stream, source, actor, ImportOptions(**options))
    for line in report.lines():
        click.echo(line)


common = [
    click.option("--dry-run", is_flag=True, help="Report what would happen; write nothing."),
    click.option("--cutoff", help="Close unanswered comments older than this (default: now)."),
    click.option("--by", help="Email of the moderator or admin the import acts as."),
]


def with_common(command):
    for option in reversed(common):
        command = option(command)
    return command


@import_cli.command("wordpress")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_common
@click.option("--with-pingbacks", is_flag=True, help="Import pingbacks and trackbacks too.")
@click.option("--timezone", default="UTC", help="The old site's time zone (for local dates).")
@with_appcontext
def import_wordpress(file, dry_run, cutoff, by, with_pingbacks, timezone):
    """Import a WordPress export (WXR 1.0-1.2): authors, posts, pages, comments."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone {timezone!r}") from None

    def reader(stream, skipped):
        return wordpress.read(stream, skipped, site_timezone=zone)

    run_import(reader, file, "wordpress", by, dry_run=dry_run, cutoff=_cutoff(cutoff),
               with_pingbacks=with_pingbacks)  # fmt: skip


@import_cli.command("disqus")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_common
@click.option("--rules", type=click.Path(exists=True, dir_okay=False),
              help="Old paths to slugs, one '/old/path new-slug' a line.")  # fmt: skip
@with_appcontext
def import_disqus(file, dry_run, cutoff, by, rules):
    """Import a Disqus export: each thread's comments onto the post its link finds."""
    try:
        mapping = links.parse_rules(Path(rules).read_text(encoding="utf-8")) if rules else {}
    except (links.RulesError, UnicodeDecodeError) as error:
        raise click.BadParameter(f"{rules}: {error}", param_hint="--rules") from None
    run_import(disqus.read, file, "disqus", by, dry_run=dry_run, cutoff=_cutoff(cutoff),
               rules=mapping)  # fmt: skip
