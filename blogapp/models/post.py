"""Posts and their tags."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blogapp.extensions import db
from blogapp.models.base import enum_check, utcnow
from blogapp.models.user import User


class PostStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


post_tags = sa.Table(
    "post_tags",
    db.metadata,
    sa.Column("post_id", sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


def _now() -> datetime:
    """The time when a statement runs (looked up at each call: tests move the clock)."""
    return utcnow()


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)

    def __repr__(self) -> str:
        return f"<Tag {self.slug}>"


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        enum_check("status", PostStatus),
        sa.Index("ix_posts_status_published_at", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body_source: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    excerpt: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=PostStatus.DRAFT.value)
    published_at: Mapped[datetime | None]
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    comments_open: Mapped[bool] = mapped_column(default=True)
    # The author asked to approve employees' replies on this post (as on all their posts
    # with User.replies_need_review): blogapp/responses/review_gate.py.
    replies_need_review: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Bumped on every save; the editor refuses a save based on an older one.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    tags: Mapped[list[Tag]] = relationship(secondary=post_tags, order_by=Tag.name, lazy="selectin")

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.slug} {self.status}>"

    def is_visible(self, now: datetime | None = None) -> bool:
        """Whether the public may see this post at ``now``."""
        return self.visible_with(self.status, self.published_at, now)

    @staticmethod
    def visible_with(status: str, published_at: datetime | None, now=None) -> bool:
        """Whether a post with this status and publication time is public at ``now``
        (is_visible() of its values before a change, say)."""
        return (
            status in (PostStatus.PUBLISHED, PostStatus.SCHEDULED)
            and published_at is not None
            and published_at <= (now or utcnow())
        )

    @classmethod
    def visible_clause(cls, now: datetime | None = None) -> sa.ColumnElement[bool]:
        """SQL for is_visible(): a scheduled post shows itself once its time comes,
        with no background job needed. Without ``now``, the time of each execution, so a
        statement built with it once is good forever."""
        if now is None:
            now = sa.bindparam("now", callable_=_now, type_=sa.DateTime, unique=True)
        return sa.and_(
            cls.status.in_([PostStatus.PUBLISHED.value, PostStatus.SCHEDULED.value]),
            cls.published_at.is_not(None),
            cls.published_at <= now,
        )
