"""Revisions of a post's text: who saved what, when."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blogapp.extensions import db
from blogapp.models.base import enum_check, utcnow
from blogapp.models.post import Post
from blogapp.models.user import User


class RevisionKind(enum.StrEnum):
    SAVED = "saved"
    AUTOSAVED = "autosaved"
    RESTORED = "restored"
    # An autosave of a post readers can see: kept, but not applied to the live text.
    PENDING = "pending"


class Revision(db.Model):
    """The title and body of a post as one person saved them at one time."""

    __tablename__ = "revisions"
    __table_args__ = (
        enum_check("kind", RevisionKind),
        sa.Index("ix_revisions_post_id_created_at", "post_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default=RevisionKind.SAVED.value)
    # The post's version this revision produced (or, when pending, was based on).
    version: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    body_source: Mapped[str] = mapped_column(sa.Text)
    restored_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("revisions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship()
    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<Revision {self.id} of post {self.post_id} {self.kind}>"
