"""Which posts a person may edit, and the studio's list of them."""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import (
    Comment,
    CommentStatus,
    Post,
    PostStatus,
    Revision,
    RevisionKind,
    Role,
    User,
)
from blogapp.models.base import utcnow

# The studio's status filter names what a reader would see: a scheduled post whose
# time has come is published, whatever its stored status says.
STATUS_FILTERS = ("draft", "scheduled", "published")


class PostNotFound(LookupError):
    """No post with that id."""


class NotAllowed(PermissionError):
    """The person may not edit that post."""


def can_edit_post(user: User, post: Post) -> bool:
    """Authors edit their own posts; admins edit anyone's."""
    return user.is_employee and (user.has_role(Role.ADMIN) or post.author_id == user.id)


def post_to_edit(post_id: int, user: User) -> Post:
    """The post ``user`` wants to edit; raises PostNotFound or NotAllowed."""
    post = db.session.get(Post, post_id)
    if post is None:
        raise PostNotFound(post_id)
    if not can_edit_post(user, post):
        raise NotAllowed(post_id)
    return post


def effective_status(post: Post, now: datetime | None = None) -> str:
    """draft, scheduled (not yet live) or published (live)."""
    if post.status == PostStatus.DRAFT:
        return "draft"
    return "published" if post.is_visible(now) else "scheduled"


def _status_clause(status: str, now: datetime) -> sa.ColumnElement[bool]:
    if status == "draft":
        return Post.status == PostStatus.DRAFT.value
    if status == "published":
        return Post.visible_clause(now)
    return sa.and_(Post.status != PostStatus.DRAFT.value, sa.not_(Post.visible_clause(now)))


def editable_posts(
    user: User, status: str | None = None, author_id: int | None = None
) -> sa.Select:
    """The posts ``user`` may edit, most recently changed first, filtered by status and author."""
    now = utcnow()
    query = sa.select(Post).order_by(Post.updated_at.desc(), Post.id.desc())
    if not user.has_role(Role.ADMIN):
        query = query.where(Post.author_id == user.id)
    elif author_id:
        query = query.where(Post.author_id == author_id)
    if status in STATUS_FILTERS:
        query = query.where(_status_clause(status, now))
    return query


@dataclass(frozen=True)
class CommentCounts:
    published: int = 0
    held: int = 0


def comment_counts(post_ids: list[int]) -> dict[int, CommentCounts]:
    """Published and held comments per post, in one query."""
    if not post_ids:
        return {}
    rows = db.session.execute(
        sa.select(Comment.post_id, Comment.status, sa.func.count(Comment.id))
        .where(
            Comment.post_id.in_(post_ids),
            Comment.status.in_([CommentStatus.PUBLISHED.value, CommentStatus.HELD.value]),
        )
        .group_by(Comment.post_id, Comment.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for post_id, status, n in rows:
        counts.setdefault(post_id, {})[status] = n
    return {
        post_id: CommentCounts(by_status.get("published", 0), by_status.get("held", 0))
        for post_id, by_status in counts.items()
    }


def authors_for_filter(user: User) -> list[User]:
    """The people whose posts an admin can filter by; empty for everyone else."""
    if not user.has_role(Role.ADMIN):
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.id.in_(sa.select(Post.author_id)))
            .order_by(User.display_name)
        )
    )


def site_time_to_utc(value: datetime | None, zone_name: str) -> datetime | None:
    """A wall-clock time typed in the site's time zone, as stored: naive UTC."""
    if value is None:
        return None
    aware = value.replace(tzinfo=ZoneInfo(zone_name))
    return aware.astimezone(UTC).replace(tzinfo=None)


def utc_to_site_time(value: datetime | None, zone_name: str) -> datetime | None:
    """A stored naive-UTC time on the site's wall clock (naive), for a form field."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


def last_editor(post: Post) -> User:
    """Who made the post's current text: the author of its newest applied revision."""
    revision = db.session.scalar(
        sa.select(Revision)
        .where(Revision.post_id == post.id, Revision.kind != RevisionKind.PENDING.value)
        .order_by(Revision.id.desc())
        .limit(1)
    )
    return revision.author if revision is not None else post.author
