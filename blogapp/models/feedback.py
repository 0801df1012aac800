"""A customer's verdict on one answer to their comment."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blogapp.extensions import db
from blogapp.models.base import utcnow
from blogapp.models.comment import Comment
from blogapp.models.response import Acknowledgement


class AnswerFeedback(db.Model):
    """The item's author says whether ``acknowledgement`` helped; one row an answer (only
    the comment's author is asked), replaced when they change their mind."""

    __tablename__ = "answer_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    acknowledgement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("acknowledgements.id", ondelete="CASCADE"), unique=True
    )
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    helped: Mapped[bool]
    # What the customer says is missing (a "No"); shown to staff only.
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Set while this "No" keeps the conversation reopened: when it was said, and when the
    # round it closed had started (the comment's creation or an earlier reopening), so the
    # metrics count that answered round as its own item (responses/metrics.py).
    reopened_at: Mapped[datetime | None]
    round_started_at: Mapped[datetime | None]

    acknowledgement: Mapped[Acknowledgement] = relationship()
    comment: Mapped[Comment] = relationship()

    def __repr__(self) -> str:
        verdict = "helped" if self.helped else "did not help"
        return f"<AnswerFeedback {self.id}: acknowledgement {self.acknowledgement_id} {verdict}>"
