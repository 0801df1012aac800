"""The response tracker's records: acknowledgements of customer comments, and assignments."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from blogapp.extensions import db
from blogapp.models.base import enum_check, utcnow
from blogapp.models.comment import Comment
from blogapp.models.user import User


class AckKind(enum.StrEnum):
    REPLY = "reply"
    ACKNOWLEDGED = "acknowledged"
    NO_RESPONSE_NEEDED = "no_response_needed"
    # A moderator took the comment to private support (models/private.py): off the queue
    # at once; the metrics time its answer from the first private staff message.
    PRIVATE = "private"

    @property
    def is_public(self) -> bool:
        return self is not AckKind.NO_RESPONSE_NEEDED


class CloseReason(enum.StrEnum):
    THANKS_ONLY = "thanks-only"
    DUPLICATE = "duplicate"
    OFF_TOPIC = "off-topic"
    MOVED_TO_SUPPORT = "moved-to-support"
    # Set by Parley itself, never offered to a moderator: a reader deleted their account.
    AUTHOR_DELETED = "author-deleted"
    # Set by an import: old history nobody answered, closed so it does not flood the queue.
    IMPORTED = "imported"

    @property
    def label(self) -> str:
        if self is CloseReason.AUTHOR_DELETED:
            return "Author deleted their account"
        if self is CloseReason.IMPORTED:
            return "No response needed — imported"
        return self.value.replace("-", " ").capitalize()

    @classmethod
    def chosen_by_moderators(cls) -> list["CloseReason"]:
        """The reasons a moderator picks from when closing an item."""
        return [reason for reason in cls if reason not in (cls.AUTHOR_DELETED, cls.IMPORTED)]


class Acknowledgement(db.Model):
    """An employee's answer to a customer comment; kept (with who undid it) when undone."""

    __tablename__ = "acknowledgements"
    __table_args__ = (enum_check("kind", AckKind), enum_check("reason", CloseReason))

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # Equal to comment_id while the acknowledgement stands, NULL once undone: the unique
    # constraint lets a comment have at most one standing acknowledgement, on any database.
    standing_comment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[str] = mapped_column(sa.String(24))
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    reply_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="SET NULL"))
    public_note: Mapped[str | None] = mapped_column(sa.String(500))
    reason: Mapped[str | None] = mapped_column(sa.String(24))
    internal_note: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Indexed for the response tracker's change stamp (its newest undone_at).
    undone_at: Mapped[datetime | None] = mapped_column(index=True)
    undone_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    comment: Mapped[Comment] = relationship(foreign_keys=[comment_id])
    employee: Mapped[User] = relationship(foreign_keys=[employee_id])
    reply: Mapped[Comment | None] = relationship(foreign_keys=[reply_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])

    def __repr__(self) -> str:
        return f"<Acknowledgement {self.id} {self.kind} of comment {self.comment_id}>"


class Assignment(db.Model):
    """Who an owed comment belongs to; the newest row for a comment is the current one."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # Equal to comment_id for the current assignment, NULL once superseded (as above).
    current_comment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), unique=True
    )
    assignee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])


def owed_clause() -> sa.ColumnElement[bool]:
    """ARCHITECTURE.md's rule, the one definition: a comment is owed a response when the tracker
    counts it as an item (published, by a customer, not a follow-up that joined another
    comment's item: Comment.tracked_clause()) and it has no standing acknowledgement."""
    # An alias of its own, so that a query that also joins acknowledgements (response
    # state) does not correlate this subquery to its row.
    standing = aliased(Acknowledgement)
    return sa.and_(
        Comment.tracked_clause(),
        ~sa.exists().where(standing.standing_comment_id == Comment.id),
    )


# The response queue reads published comments oldest first; declared here, beside the
# tracker that needs it, and created by migration 0005.
sa.Index("ix_comments_status_created_at", Comment.status, Comment.created_at)
