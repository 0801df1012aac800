"""Which posts a person may edit."""

import sqlalchemy as sa

from blogapp.models import Post, PostStatus, Role, User


def can_edit_post(user: User, post: Post) -> bool:
    """Authors edit their own posts; admins edit anyone's."""
    return user.is_employee and (user.has_role(Role.ADMIN) or post.author_id == user.id)


def editable_posts(user: User, status: str | None = None) -> sa.Select:
    """The posts ``user`` may edit, most recently changed first."""
    query = sa.select(Post).order_by(Post.updated_at.desc())
    if not user.has_role(Role.ADMIN):
        query = query.where(Post.author_id == user.id)
    if status in {s.value for s in PostStatus}:
        query = query.where(Post.status == status)
    return query
