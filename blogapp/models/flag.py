"""Flags: a reader's report that a comment needs a moderator's look."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blogapp.extensions import db
from blogapp.models.base import enum_check, utcnow
from blogapp.models.comment import Comment
from blogapp.models.user import User


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    OTHER = "other"

    @property
    def label(self) -> str:
        return FLAG_LABELS[self]


FLAG_LABELS = {
    FlagReason.SPAM: "Spam or advertising",
    FlagReason.ABUSE: "Abusive or hateful",
    FlagReason.OFF_TOPIC: "Off topic",
    FlagReason.OTHER: "Something else",
}


class Flag(db.Model):
    __tablename__ = "flags"
    __table_args__ = (
        enum_check("reason", FlagReason),
        # One report per reader per comment: a second click changes nothing.
        sa.UniqueConstraint("comment_id", "reporter_id", name="uq_flags_comment_id_reporter_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when a moderator has dealt with the comment (kept, removed or marked spam).
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    comment: Mapped[Comment] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    def __repr__(self) -> str:
        return f"<Flag {self.id} on comment {self.comment_id} {self.reason}>"

    @property
    def reason_label(self) -> str:
        return FlagReason(self.reason).label
