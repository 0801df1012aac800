"""The response queue: owed comments, overdue first then oldest, a page at a time.

A page costs the same few queries however long the queue is: the owed comments in
order (kept under the tracker's change stamp, see tracker_cache.py; counted in SQL for
a filtered view), one page of comments with their posts, authors and parents, one for
their assignees and one for the follow-ups that joined them.
Due times grow with creation times (see sla.Clock), so oldest-first is overdue-first.
"""

from bisect import bisect_right
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
from blogapp.responses.tracker_cache import driver_time, kept

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


@dataclass(frozen=True)
class OwedItems:
    """Every owed comment's creation time and id in the queue's order (oldest first), and
    the posts they are on."""

    created: list[datetime]
    ids: list[int]
    post_ids: frozenset[int]

    def overdue(self, cutoff: datetime) -> int:
        """How many were created by ``cutoff``: they come first."""
        return bisect_right(self.created, cutoff)


def owed_items() -> OwedItems:
    """The owed comments in the queue's order: one query, or none while the tracker's
    stamp is unchanged."""

    def work() -> OwedItems:
        # Plain rows through the connection, times as the driver gives them, sorted here:
        # at 10,000 owed comments the ORM's row loading and the DateTime type's parsing
        # cost twice the query itself (about 45 ms of 65).
        rows = db.session.connection().execute(
            sa.select(
                sa.type_coerce(Comment.created_at, sa.String), Comment.id, Comment.post_id
            ).where(owed_clause())
        )
        items = sorted((driver_time(created), cid, post_id) for created, cid, post_id in rows)
        return OwedItems(
            [r[0] for r in items], [r[1] for r in items], frozenset(r[2] for r in items)
        )

    return kept("owed", "items", work)


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
    drawn = (
        joinedload(Comment.post).joinedload(Post.author),
        joinedload(Comment.post).lazyload(Post.tags),  # the queue shows no tags
        joinedload(Comment.author),
        joinedload(Comment.parent).joinedload(Comment.author),
    )
    if filters.view in ("all", "overdue") and not (filters.post_id or filters.author_id):
        # The whole queue, or its overdue head: a slice of the owed comments in order.
        owed = owed_items()
        total = len(owed.ids)
        if filters.view == "overdue":
            total = owed.overdue(clock().overdue_cutoff(now))
        pages = max(1, -(-total // per_page))
        page = min(max(page, 1), pages)
        ids = owed.ids[(page - 1) * per_page : min(page * per_page, total)]
        shown = sa.select(Comment).options(*drawn).where(Comment.id.in_(ids))
        found = {c.id: c for c in db.session.scalars(shown)}
        comments = [found[i] for i in ids if i in found]
    else:
        query = _filtered(filters, user, now)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        pages = max(1, -(-total // per_page))
        page = min(max(page, 1), pages)
        comments = db.session.scalars(
            query.options(*drawn)
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
    # Published and in order, sorted out here: with either in SQL, SQLite walks a status
    # index through every published comment instead of looking up these items' few.
    found = db.session.scalars(sa.select(Comment).where(Comment.joins_id.in_(comment_ids)))
    published = (c for c in found if c.status == CommentStatus.PUBLISHED)
    for comment in sorted(published, key=lambda c: (c.created_at, c.id)):
        joined.setdefault(comment.joins_id, []).append(comment)
    return joined


def owed_and_overdue(now: datetime | None = None) -> tuple[int, int]:
    """How many items are owed, and how many of those are overdue: one query, for the staff
    navigation on every employee's page."""
    owed = owed_items()
    return len(owed.ids), owed.overdue(clock().overdue_cutoff(now or utcnow()))


def posts_with_owed() -> list[tuple[int, str]]:
    """Posts that have owed comments, for the filter."""
    post_ids = owed_items().post_ids
    if not post_ids:
        return []
    # Every post's title, filtered here: binding a list of hundreds of ids cost more
    # (3-4 ms at 200) than reading a company blog's posts, and searching every post's
    # comments for an owed one far more.
    posts = db.session.execute(sa.select(Post.id, Post.title).order_by(Post.title))
    return [(post_id, title) for post_id, title in posts if post_id in post_ids]
