"""What an import remembers: the other system's ids, old addresses, and the imports run."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from blogapp.extensions import db
from blogapp.models.base import utcnow


class ImportSource(db.Model):
    """One author, post, thread or comment of another system and the row it became here.

    A second run of the same export (or a newer one) finds what it already brought in by
    (source, kind, source_id) and adds only what is new.
    """

    __tablename__ = "import_sources"
    __table_args__ = (sa.UniqueConstraint("source", "kind", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(16))  # wordpress, disqus
    kind: Mapped[str] = mapped_column(sa.String(16))  # author, post, thread, comment
    source_id: Mapped[str] = mapped_column(sa.String(200))
    # The user, post or comment id here (for a Disqus thread: the post it was matched to).
    local_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LegacyPath(db.Model):
    """An address a post had on the old site (``/2024/05/slug``, ``/?p=123``); it answers
    with a 301 to the post. Stored normalized by importing/links.py: no scheme or host,
    no trailing slash, only the query that names a post (``p``, ``page_id``)."""

    __tablename__ = "legacy_paths"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(sa.String(500), unique=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportJob(db.Model):
    """An import started from the admin page: its file, how far it got, and its report.

    Kept in the database so the page shows the same progress after a reload, from any
    worker process."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(16))
    filename: Mapped[str] = mapped_column(sa.String(200))
    # Where the uploaded file waits under the instance folder; removed once imported.
    stored_path: Mapped[str] = mapped_column(sa.String(500))
    dry_run: Mapped[bool]
    # waiting, running, done, failed
    state: Mapped[str] = mapped_column(sa.String(16), default="waiting")
    records_read: Mapped[int] = mapped_column(default=0)
    report_json: Mapped[str | None] = mapped_column(sa.Text)
    error: Mapped[str | None] = mapped_column(sa.String(1000))
    started_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    cutoff: Mapped[datetime | None]
    with_pingbacks: Mapped[bool] = mapped_column(default=False)
    # A Disqus import's rules file as uploaded (links.parse_rules reads it), kept for the
    # import that follows its dry run.
    rules_text: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When its dry run, then its import, was started: a job "running" for hours lost its
    # process (jobs.STALLED_AFTER) and no longer holds the next import back.
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
