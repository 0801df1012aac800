"""Comments: threaded under a post, by a registered user or a guest."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship, validates

from blogapp.extensions import db
from blogapp.models.base import enum_check, utcnow
from blogapp.models.post import Post
from blogapp.models.user import User


class CommentStatus(enum.StrEnum):
    HELD = "held"
    PUBLISHED = "published"
    SPAM = "spam"
    REMOVED = "removed"


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        enum_check("status", CommentStatus),
        sa.CheckConstraint(
            "author_id IS NOT NULL OR (guest_name IS NOT NULL AND guest_email IS NOT NULL)",
            name="has_author",
        ),
        sa.Index("ix_comments_post_id_created_at", "post_id", "created_at"),
        # The post page's change stamp (count, newest changed_at) is read from it alone.
        sa.Index("ix_comments_post_id_changed_at", "post_id", "changed_at"),
        # The response tracker's change stamp reads the newest changed_at of all comments.
        sa.Index("ix_comments_changed_at", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # The top-level comment of this one's thread (None for a top-level comment):
    # a page of threads is loaded with one query, without walking the tree in SQL.
    root_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # One conversation, one item (ARCHITECTURE.md): a customer's follow-up to their own comment
    # while it is owed joins that comment's queue item and is answered with it.
    joins_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    guest_name: Mapped[str | None] = mapped_column(sa.String(80))
    # Never shown anywhere public; used only to notify the guest.
    guest_email: Mapped[str | None] = mapped_column(sa.String(254))
    body_source: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(
        sa.String(16), default=CommentStatus.PUBLISHED.value, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    # Bumped by every change to the row; the cached rendering of a thread keys on it.
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    ip_hash: Mapped[str | None] = mapped_column(sa.String(64))
    removed_at: Mapped[datetime | None]
    # When the assignee was warned that this owed item is about to fall due (once per wait).
    due_warned_at: Mapped[datetime | None]
    # When the customer said the answer did not help and the item became owed again: its
    # due clock counts from here (owed_since), not from created_at.
    reopened_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Kept for moderators; the public sees only "Comment removed."
    removal_reason: Mapped[str | None] = mapped_column(sa.String(500))

    post: Mapped[Post] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])
    parent: Mapped["Comment | None"] = relationship(remote_side=[id], foreign_keys=[parent_id])
    root: Mapped["Comment | None"] = relationship(remote_side=[id], foreign_keys=[root_id])
    joins: Mapped["Comment | None"] = relationship(remote_side=[id], foreign_keys=[joins_id])

    def __repr__(self) -> str:
        return f"<Comment {self.id} on post {self.post_id} {self.status}>"

    @validates("parent")
    def _follow_parent_to_root(self, key: str, parent: "Comment | None") -> "Comment | None":
        self.root = (parent.root or parent) if parent is not None else None
        return parent

    @hybrid_property
    def owed_since(self) -> datetime:
        """Where the item's due clock starts: its creation, or its last reopening."""
        return self.reopened_at or self.created_at

    @owed_since.inplace.expression
    @classmethod
    def _owed_since_sql(cls) -> sa.ColumnElement[datetime]:
        return sa.func.coalesce(cls.reopened_at, cls.created_at)

    @property
    def is_public(self) -> bool:
        return self.status == CommentStatus.PUBLISHED

    @property
    def notify_address(self) -> str | None:
        """Where replies to this comment are announced: the account's or the guest's email."""
        return self.author.email if self.author else self.guest_email

    @property
    def author_name(self) -> str:
        return self.author.display_name if self.author else (self.guest_name or "Guest")

    def written_by(self, author_id: int | None, guest_email: str | None) -> bool:
        """Whether the account ``author_id``, or (with none) the guest with ``guest_email``,
        wrote this comment: the one test of "the same person" for replies and follow-ups."""
        if author_id is not None or self.author_id is not None:
            return self.author_id == author_id
        return (self.guest_email or "").lower() == (guest_email or "").lower()

    @property
    def by_employee(self) -> bool:
        return not self.by_customer

    @property
    def by_customer(self) -> bool:
        """ARCHITECTURE.md: written by a guest or a reader (customer_clause() in SQL)."""
        return self.author is None or not self.author.is_employee

    @classmethod
    def customer_clause(cls) -> sa.ColumnElement[bool]:
        """SQL for by_customer."""
        author = aliased(User)
        return sa.or_(
            cls.author_id.is_(None),
            sa.exists().where(author.id == cls.author_id, sa.not_(author.employee_clause())),
        )

    @property
    def is_tracked(self) -> bool:
        """Whether the response tracker counts this comment as a conversation's item: it
        is published, by a customer, and not a follow-up that joined another comment's
        item (ARCHITECTURE.md, one conversation, one item). Owed while it has no standing
        acknowledgement: see models/response.py."""
        return self.status == CommentStatus.PUBLISHED and self.joins_id is None and self.by_customer

    @classmethod
    def tracked_clause(cls) -> sa.ColumnElement[bool]:
        """SQL for is_tracked."""
        return sa.and_(
            cls.status == CommentStatus.PUBLISHED.value,
            cls.joins_id.is_(None),
            cls.customer_clause(),
        )
