"""Following a post's thread and letting it go. The mail it brings is follows/mail.py."""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from blogapp.extensions import db
from blogapp.models import Comment, Follow, Post, User

# The account page lists this many followed threads, newest first.
LISTED = 50


def _follow(user_id: int, post_id: int, told_through) -> None:
    """One statement: the follow, unless the account follows the thread already."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(Follow)
        .values(user_id=user_id, post_id=post_id, told_through_id=told_through)
        .on_conflict_do_nothing(index_elements=["user_id", "post_id"])
    )


def follow(user: User, post: Post) -> None:
    """``user`` follows ``post``'s thread from now on: told of comments after the newest
    one there; commits."""
    newest = (
        sa.select(sa.func.coalesce(sa.func.max(Comment.id), 0))
        .where(Comment.post_id == post.id)
        .scalar_subquery()
    )
    _follow(user.id, post.id, newest)
    db.session.commit()


def unfollow(user: User, post: Post) -> None:
    """``user`` stops following ``post``'s thread; commits."""
    db.session.execute(
        sa.delete(Follow).where(Follow.user_id == user.id, Follow.post_id == post.id)
    )
    db.session.commit()


def follow_after_commenting(author: User | None, comment: Comment) -> None:
    """Commenting follows the thread, for a customer who keeps that choice (employees
    have the response queue, and follow by hand). Not committed: it goes with the comment."""
    if author is None or author.is_employee or not author.follow_on_comment:
        return
    _follow(author.id, comment.post_id, comment.id)


def followed_threads(user: User, limit: int = LISTED) -> tuple[list[Post], int]:
    """The posts whose threads ``user`` follows, newest follow first, and how many in all."""
    posts = db.session.scalars(
        sa.select(Post)
        .join(Follow, Follow.post_id == Post.id)
        .where(Follow.user_id == user.id, Post.visible_clause())
        .order_by(Follow.created_at.desc(), Follow.id.desc())
        .limit(limit)
    ).all()
    total = db.session.scalar(
        sa.select(sa.func.count(Follow.id))
        .join(Post, Post.id == Follow.post_id)
        .where(Follow.user_id == user.id, Post.visible_clause())
    )
    return list(posts), total or 0
