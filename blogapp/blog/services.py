"""What the public may see: only posts whose time has come."""

import functools
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from blogapp.extensions import db
from blogapp.models import Post, SlugRedirect, Tag, User
from blogapp.models.base import utcnow


def visible_posts(now: datetime | None = None) -> sa.Select:
    """Published (and due scheduled) posts, newest first, as a select to page or refine."""
    return sa.select(Post).where(Post.visible_clause(now)).order_by(Post.published_at.desc())


def visible_post(slug: str) -> Post | None:
    """The post at ``slug`` if the public may see it; drafts and future posts are None."""
    return db.session.scalars(_visible_post(), {"slug": slug}).unique().one_or_none()


@functools.cache
def _visible_post() -> sa.Select:
    # Built once (every comment posted reads it). Tags in the same query (one post: no
    # rows multiplied worth a second round trip).
    return (
        sa.select(Post)
        .where(Post.visible_clause(), Post.slug == sa.bindparam("slug"))
        .options(joinedload(Post.tags))
    )


def current_slug_for(old_slug: str) -> str | None:
    """Where a visible post that used to live at ``old_slug`` lives now."""
    return db.session.scalar(
        sa.select(Post.slug)
        .join(SlugRedirect, SlugRedirect.post_id == Post.id)
        .where(SlugRedirect.old_slug == old_slug, Post.visible_clause())
    )


def visible_posts_tagged(tag: Tag) -> sa.Select:
    return visible_posts().where(Post.tags.contains(tag))


def visible_posts_by(author: User) -> sa.Select:
    return visible_posts().where(Post.author_id == author.id)


def tag_by_slug(slug: str) -> Tag | None:
    return db.session.scalar(sa.select(Tag).where(Tag.slug == slug))


def employee_by_slug(slug: str) -> User | None:
    """An employee's public profile; customers have none."""
    return db.session.scalar(sa.select(User).where(User.slug == slug, User.employee_clause()))


def tags_in_use() -> list[tuple[Tag, int]]:
    """Tags with the number of visible posts carrying them, most used first."""
    from blogapp.models.post import post_tags

    count = sa.func.count(Post.id)
    rows = db.session.execute(
        sa.select(Tag, count)
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == post_tags.c.post_id)
        .where(Post.visible_clause())
        .group_by(Tag.id)
        .order_by(count.desc(), Tag.name)
    )
    return [(tag, n) for tag, n in rows]


def authors_with_posts() -> list[User]:
    """Employees who have at least one visible post."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.id.in_(sa.select(Post.author_id).where(Post.visible_clause())))
            .order_by(User.display_name)
        )
    )


def last_updated(now: datetime | None = None) -> datetime:
    """When the public site last changed: the newest visible post's time."""
    newest = db.session.scalar(
        sa.select(sa.func.max(Post.published_at)).where(Post.visible_clause(now))
    )
    return newest or utcnow()
