"""Who is answering a comment right now, and the snippets employees answer with."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blogapp.extensions import db
from blogapp.models.base import utcnow
from blogapp.models.user import User

SAVED_TITLE_MAX = 80
SAVED_BODY_MAX = 5000


class ReplyPresence(db.Model):
    """``user`` has a reply box open on ``comment_id``: a row, not process memory, so every
    worker and host sees it; stale after responses/replying.PRESENCE_SECONDS without a
    heartbeat (``seen_at``)."""

    __tablename__ = "reply_presence"

    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ReplyPresence of user {self.user_id} on comment {self.comment_id}>"


class SavedReply(db.Model):
    """A named snippet an employee inserts into a reply box; ``shared`` ones every employee
    sees (and moderators may edit)."""

    __tablename__ = "saved_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(SAVED_TITLE_MAX))
    body: Mapped[str] = mapped_column(sa.Text)
    shared: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<SavedReply {self.id} {self.title!r}>"
