"""Records → the site: the one function both importers (WordPress, Disqus) call.

``import_file`` takes a reader and a file and either counts what it would do (a dry run:
nothing written) or does it in one transaction. It never changes or deletes what the
site holds: what an earlier import brought in is recognised by its source id
(``import_sources``) and left alone, so a re-run adds nothing and a newer export adds
only what is new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.importing.comments import CommentWriter
from blogapp.importing.known import KnownIds
from blogapp.importing.people import Authors
from blogapp.importing.posts import Posts
from blogapp.importing.records import (
    Record,
    Skipped,
    Source,
    SourceAuthor,
    SourceComment,
    SourcePost,
    SourceThread,
)
from blogapp.importing.report import ImportReport
from blogapp.importing.threading_pass import TrackerHistory, keep_needed_placeholders, link_parents
from blogapp.models import User
from blogapp.models.base import utcnow

Reader = Callable[[BinaryIO, Callable[[Skipped], None]], Iterator[Record]]


@dataclass
class ImportOptions:
    dry_run: bool = True
    # Unanswered history older than this is closed "no response needed — imported";
    # None: the time the import starts.
    cutoff: datetime | None = None
    with_pingbacks: bool = False
    # Disqus: old paths → slugs, for threads whose link finds no post (links.parse_rules)
    rules: dict[str, str] = field(default_factory=dict)
    # Called with the number of records read so far, every PROGRESS_EVERY records.
    progress: Callable[[int], None] | None = None


PROGRESS_EVERY = 1000


def default_actor() -> User | None:
    """Who closes imported history when nobody is named: the longest-serving active admin."""
    return db.session.scalar(
        sa.select(User)
        .where(User.role == "admin", User.disabled_at.is_(None), User.deleted_at.is_(None))
        .order_by(User.id)
        .limit(1)
    )


def import_file(
    reader: Reader, stream: BinaryIO, source: Source, actor: User | None,
    options: ImportOptions,
) -> ImportReport:  # fmt: skip
    """Import (or with ``options.dry_run``, plan) everything ``reader`` finds in ``stream``."""
    report = ImportReport(dry_run=options.dry_run)
    try:
        _run(reader(stream, report.reader_skipped), source, actor, options, report)
    except Exception:
        db.session.rollback()
        raise
    if options.dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report


def _run(records: Iterable[Record], source: Source, actor: User | None,
         options: ImportOptions, report: ImportReport) -> None:  # fmt: skip
    cutoff = options.cutoff or utcnow()
    known = KnownIds(source, options.dry_run)
    authors = Authors(known, report, actor)
    posts = Posts(known, report, authors, actor, options.rules)
    comments = CommentWriter(known, report, options.with_pingbacks)

    def add_comment(record: SourceComment) -> None:
        author_id = authors.by_login.get(record.author_login or "")
        if author_id is None and record.author_verified:
            author_id = authors.employee_with_email(record.author_email)
        comments.add(record, posts.for_thread.get(record.thread_source_id), author_id)

    # A Disqus file may name a thread after the comments on it: those wait for the end.
    waiting: list[SourceComment] = []
    try:
        for record in records:
            report.records_read += 1
            if options.progress and report.records_read % PROGRESS_EVERY == 0:
                options.progress(report.records_read)
            if isinstance(record, SourceComment):
                if record.thread_source_id in posts.for_thread:
                    add_comment(record)
                else:
                    waiting.append(record)
            elif isinstance(record, SourcePost):
                posts.add(record)
            elif isinstance(record, SourceThread):
                posts.add_thread(record)
            elif isinstance(record, SourceAuthor):
                authors.add(record)
        for record in waiting:
            add_comment(record)
        comments.flush()
        keep_needed_placeholders(comments)
        parent_at, order = link_parents(comments, known.ids.get("comment", {}))
        history = TrackerHistory(report, cutoff, actor)
        history.work_out(comments.kept, parent_at, order)
        if not options.dry_run:
            history.write(comments.kept, parent_at, order)
            known.write()
    finally:
        comments.close()
