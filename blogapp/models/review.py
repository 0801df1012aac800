"""Replies waiting for a post author's review (ARCHITECTURE.md, "Replies that wait for
review"): an employee's reply, or public note, on a post whose author asked to approve
them first. Kept apart from comments, so that nothing a reader can reach, and nothing
the response tracker counts, ever sees one before it is approved."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blogapp.extensions import db
from blogapp.models.base import enum_check, utcnow
from blogapp.models.comment import Comment
from blogapp.models.user import User


class ReviewState(enum.StrEnum):
    WAITING = "waiting"  # in the post author's review queue
    RETURNED = "returned"  # sent back with a note: its writer may edit and send it again
    PUBLISHED = "published"  # approved (or sent again once no review was needed)
    WITHDRAWN = "withdrawn"  # its writer took it back

    @classmethod
    def open(cls) -> tuple[str, ...]:
        return (cls.WAITING.value, cls.RETURNED.value)


class ProposalKind(enum.StrEnum):
    REPLY = "reply"  # publishes as a reply under the comment
    NOTE = "note"  # publishes as an acknowledgement with a public note


class ProposedReply(db.Model):
    __tablename__ = "proposed_replies"
    __table_args__ = (enum_check("state", ReviewState), enum_check("kind", ProposalKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    # The comment it answers (for a note: the conversation's item).
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default=ProposalKind.REPLY.value)
    body_source: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(16), default=ReviewState.WAITING.value, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it last went into the review queue (written, or sent again after a send-back).
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    # The reviewer's note when sending it back, for its writer.
    review_note: Mapped[str | None] = mapped_column(sa.String(1000))
    # The reply it became (kind reply, once published).
    reply_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="SET NULL"))

    comment: Mapped[Comment] = relationship(foreign_keys=[comment_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    reply: Mapped[Comment | None] = relationship(foreign_keys=[reply_id])

    # What a caller of comments.services.post_comment checks: this was held, not posted.
    awaits_review = True
    is_public = False

    def __repr__(self) -> str:
        return f"<ProposedReply {self.id} on comment {self.comment_id} {self.state}>"

    @property
    def is_open(self) -> bool:
        return self.state in ReviewState.open()
