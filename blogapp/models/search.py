"""Search bookkeeping: the outbox of changes to index, and the PostgreSQL backend's tables.

The search index itself is derived data. These tables keep it in step with the
posts and comments without the posts and comments tables knowing about it.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from blogapp.extensions import db
from blogapp.models.base import enum_check, utcnow


class OutboxKind(enum.StrEnum):
    POST = "post"
    COMMENT = "comment"
    # A post and every comment under it (its title or tags changed, or it was deleted).
    THREAD = "thread"
    # Every post and comment by one person (their name or role changed).
    AUTHOR = "author"


class SearchOutbox(db.Model):
    """One change to apply to the search index, written in the same transaction as the change.

    Deleted once applied; after SEARCH_MAX_ATTEMPTS failed tries kept as 'failed' (the dead
    letter) with its last error.
    """

    __tablename__ = "search_outbox"
    __table_args__ = (
        enum_check("kind", OutboxKind),
        sa.CheckConstraint("status IN ('pending', 'failed')", name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    object_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<SearchOutbox {self.id} {self.kind} {self.object_id}>"


# A tsvector on PostgreSQL; plain text elsewhere, where the table stays empty
# (SQLite sites use the Whoosh backend) but the schema is the same everywhere.
TSVECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class SearchDocument(db.Model):
    """The PostgreSQL backend's index: one row a searchable post or comment."""

    __tablename__ = "search_documents"
    __table_args__ = (
        sa.UniqueConstraint("kind", "object_id", name="uq_search_documents_kind_object_id"),
        sa.Index("ix_search_documents_tsv", "tsv", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    object_id: Mapped[int]
    post_id: Mapped[int] = mapped_column(index=True)
    post_title: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int | None]
    author_name: Mapped[str] = mapped_column(sa.String(80))
    # The name's words, accents folded and lowercased, with a space at each end: author:jane.
    author_key: Mapped[str] = mapped_column(sa.String(200), default=" ")
    author_staff: Mapped[bool] = mapped_column(default=False)
    # Space-separated tag slugs with a space at each end, so " slug " matches one tag.
    tags: Mapped[str] = mapped_column(sa.Text, default=" ")
    status: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(index=True)
    published_at: Mapped[datetime | None]
    # Response state, filled by the response tracker when it is installed.
    owed: Mapped[bool | None]
    acknowledged_by_id: Mapped[int | None]
    assigned_to_id: Mapped[int | None]
    due_at: Mapped[datetime | None]
    fingerprint: Mapped[str] = mapped_column(sa.String(40))
    tsv: Mapped[str | None] = mapped_column(TSVECTOR)


class SearchWord(db.Model):
    """Every word the PostgreSQL backend has indexed: the dictionary for "did you mean"."""

    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
