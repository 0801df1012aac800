"""The response queue: owed comments, overdue first then oldest, a page at a time.

A page costs the same few queries however long the queue is: one count, one page
of comments with their posts, authors and parents, one for their assignees and one
for the follow-ups that joined them.
Due times grow with creation times (see sla.Clock), so oldest-first is overdue-first.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from blogapp.extensions import db
from blogapp.models import Assignment, Comment, CommentStatus, Post, User
from blogapp.models.base import utcnow
from blogapp.query_args import arg_choice, arg_id
from blogapp.responses.services import clock, owed_clause
from blogapp.responses.sla import describe

VIEWS = {
    "all": "Everything owed",
    "mine": "Mine",
    "unassigned": "Not yet claimed",
    "overdue": "Overdue",
}


@dataclass(frozen=True)
class QueueFilters:
    view: str = "all"
    post_id: int | None = None
    author_id: int | None = None  # the post's author

    @classmethod
    def from_args(cls, args) -> "QueueFilters":
        return cls(
            arg_choice("view", VIEWS, "all", args),
            arg_id("post", args),
            arg_id("author", args),
        )

    def args(self, **changes) -> dict:
        values = {"view": self.view, "post": self.post_id, "author": self.author_id}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "all")}


@dataclass
class QueueItem:
    comment: Comment
    assignee: User
    assigned: bool  # by a claim or a moderator, not by default
    due_at: datetime
    overdue: bool
    time_left: str
    follow_ups: list[Comment]  # the customer's later messages that joined this item


@dataclass
class QueuePage:
    items: list[QueueItem]
    total: int
    page: int
    pages: int


def _filtered(filters: QueueFilters, user: User, now: datetime):
    current = (
        sa.select(Assignment.assignee_id)
        .where(Assignment.current_comment_id == Comment.id)
        .scalar_subquery()
    )
    query = sa.select(Comment).join(Post, Post.id == Comment.post_id).where(owed_clause())
    if filters.view == "mine":
        query = query.where(sa.func.coalesce(current, Post.author_id) == user.id)
    elif filters.view == "unassigned":
        query = query.where(current.is_(None))
    elif filters.view == "overdue":
        query = query.where(Comment.created_at <= clock().overdue_cutoff(now))
    if filters.post_id:
        query = query.where(Comment.post_id == filters.post_id)
    if filters.author_id:
        query = query.where(Post.author_id == filters.author_id)
    return query


def queue_page(
    filters: QueueFilters, user: User, page: int, per_page: int, now: datetime | None = None
) -> QueuePage:
    """One page of the owed comments that ``filters`` select."""
    now = now or utcnow()
    query = _filtered(filters, user, now)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    comments = db.session.scalars(
        query.options(
            joinedload(Comment.post).joinedload(Post.author),
            joinedload(Comment.author),
            joinedload(Comment.parent).joinedload(Comment.author),
        )
        .order_by(Comment.created_at, Comment.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    assigned = _assignees([c.id for c in comments])
    follow_ups = _follow_ups([c.id for c in comments])
    sla = clock()
    items = []
    for comment in comments:
        due = sla.due_at(comment.created_at)
        overdue = due <= now
        left = describe(due - now)
        items.append(
            QueueItem(
                comment=comment,
                assignee=assigned.get(comment.id) or comment.post.author,
                assigned=comment.id in assigned,
                due_at=due,
                overdue=overdue,
                time_left=f"{left} overdue" if overdue else f"{left} left",
                follow_ups=follow_ups.get(comment.id, []),
            )
        )
    return QueuePage(items, total, page, pages)


def _assignees(comment_ids: list[int]) -> dict[int, User]:
    if not comment_ids:
        return {}
    rows = db.session.execute(
        sa.select(Assignment.comment_id, User)
        .join(User, User.id == Assignment.assignee_id)
        .where(Assignment.current_comment_id.in_(comment_ids))
    ).all()
    return {comment_id: user for comment_id, user in rows}


def _follow_ups(comment_ids: list[int]) -> dict[int, list[Comment]]:
    """The published follow-ups that joined each item, oldest first, in one query."""
    if not comment_ids:
        return {}
    joined: dict[int, list[Comment]] = {}
    for comment in db.session.scalars(
        sa.select(Comment)
        .where(
            Comment.joins_id.in_(comment_ids),
            Comment.status == CommentStatus.PUBLISHED.value,
        )
        .order_by(Comment.created_at, Comment.id)
    ):
        joined.setdefault(comment.joins_id, []).append(comment)
    return joined


def owed_and_overdue(now: datetime | None = None) -> tuple[int, int]:
    """How many items are owed, and how many of those are overdue: one query, for the staff
    navigation on every employee's page."""
    cutoff = clock().overdue_cutoff(now or utcnow())
    owed, overdue = db.session.execute(
        sa.select(
            sa.func.count(Comment.id),
            sa.func.coalesce(sa.func.sum(sa.case((Comment.created_at <= cutoff, 1), else_=0)), 0),
        ).where(owed_clause())
    ).one()
    return int(owed), int(overdue)


def posts_with_owed() -> list[tuple[int, str]]:
    """Posts that have owed comments, for the filter."""
    return list(
        db.session.execute(
            sa.select(Post.id, Post.title)
            .where(sa.exists().where(Comment.post_id == Post.id, owed_clause()))
            .order_by(Post.title)
        )
    )
