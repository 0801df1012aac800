"""Threads a reader follows: one row an account and a post."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blogapp.extensions import db
from blogapp.models.base import utcnow
from blogapp.models.post import Post
from blogapp.models.user import User


class Follow(db.Model):
    """``user`` hears by mail of new comments under ``post`` (blogapp/follows/mail.py)."""

    __tablename__ = "follows"
    __table_args__ = (sa.UniqueConstraint("user_id", "post_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The newest comment of the post the follower was told about (or that was there when
    # they followed): the next mail tells of the published ones after it.
    told_through_id: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the last mail about this thread went to the follower: the next waits its turn.
    told_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    post: Mapped[Post] = relationship()

    def __repr__(self) -> str:
        return f"<Follow of post {self.post_id} by user {self.user_id}>"
