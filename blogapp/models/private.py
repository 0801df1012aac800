"""Private support: a customer comment a moderator took out of the public thread, and the
messages staff and the customer exchange about it, which never reach a public place (the
page, search, feeds, webhooks' payloads, exports)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blogapp.extensions import db
from blogapp.models.base import enum_check, utcnow
from blogapp.models.comment import Comment
from blogapp.models.response import Acknowledgement
from blogapp.models.user import User


class PrivateStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    # A moderator undid the move: the comment is back in the public queue, the
    # conversation takes no more messages (until it is taken private again).
    RETURNED = "returned"


class PrivateVia(enum.StrEnum):
    WEB = "web"
    MAIL = "mail"


class PrivateConversation(db.Model):
    """One a comment: taken private by a moderator, open until staff mark it resolved."""

    __tablename__ = "private_conversations"
    __table_args__ = (enum_check("status", PrivateStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(sa.String(16), default=PrivateStatus.OPEN.value)
    taken_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    comment: Mapped[Comment] = relationship()
    taken_by: Mapped[User] = relationship(foreign_keys=[taken_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == PrivateStatus.OPEN

    @classmethod
    def return_to_public(cls, comment_id: int) -> sa.Update:
        """The statement that ends the comment's open conversation when a moderator undoes
        the move: it takes no more messages (until taken private again)."""
        return (
            sa.update(cls)
            .where(cls.comment_id == comment_id, cls.status == PrivateStatus.OPEN.value)
            .values(status=PrivateStatus.RETURNED.value)
        )

    def __repr__(self) -> str:
        return f"<PrivateConversation {self.id} of comment {self.comment_id} {self.status}>"


class PrivateMessage(db.Model):
    """A message in a private conversation: by an employee, or by the comment's customer
    (their account, or NULL for a guest, who is known by the comment's guest email)."""

    __tablename__ = "private_messages"
    __table_args__ = (
        enum_check("via", PrivateVia),
        sa.Index("ix_private_messages_conversation_id_created_at", "conversation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("private_conversations.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Said once, when written: an answer by staff (it counts for the response time) or
    # the customer's message. Not read from the author's role, which may change.
    by_staff: Mapped[bool] = mapped_column(default=False)
    body_source: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    via: Mapped[str] = mapped_column(sa.String(8), default=PrivateVia.WEB.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[PrivateConversation] = relationship()
    author: Mapped[User | None] = relationship()


def private_answer_time() -> sa.ColumnElement:
    """SQL, beside a row of comments joined to its standing acknowledgement of kind
    "private": when the hand-off was answered, by the rule on the metrics page. That is
    the first private message of staff since the move, never the move itself; or, with
    none, the resolution (settled by phone, say); NULL while neither has happened."""
    first_answer = (
        sa.select(sa.func.min(PrivateMessage.created_at))
        .join(PrivateConversation, PrivateConversation.id == PrivateMessage.conversation_id)
        .where(
            PrivateConversation.comment_id == Comment.id,
            PrivateMessage.by_staff.is_(True),
            PrivateMessage.created_at >= Acknowledgement.created_at,
        )
        .scalar_subquery()
    )
    resolved = (
        sa.select(PrivateConversation.resolved_at)
        .where(PrivateConversation.comment_id == Comment.id)
        .scalar_subquery()
    )
    return sa.func.coalesce(first_answer, resolved)
