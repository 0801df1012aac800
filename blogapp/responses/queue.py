"""The response queue: owed comments, overdue first then oldest, a page at a time.

A page costs the same few queries however long the queue is: the owed comments in
order (owed_list.py, kept under the tracker's change stamp; counted in SQL for a
filtered view), one page of comments with their posts, authors and parents, one for
their assignees and one for the follow-ups that joined them. The page's items are read
as plain rows (a page is drawn, never changed): the ORM's loading of 25 comments with
three joined relationships cost more than the queries themselves.
Due times grow with creation times (see sla.Clock), so oldest-first is overdue-first.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from blogapp.extensions import db
from blogapp.models import Assignment, Comment, CommentStatus, Post, User, owed_clause
from blogapp.models.base import utcnow
from blogapp.query_args import arg_choice, arg_id
from blogapp.responses.owed_list import owed_items
from blogapp.responses.services import clock
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


@dataclass(frozen=True)
class Person:
    """An employee as the queue shows them."""

    id: int
    display_name: str


@dataclass(frozen=True)
class QueuePost:
    id: int
    title: str
    author: Person


@dataclass(frozen=True)
class QueueParent:
    """The comment an owed comment replies to."""

    author_name: str
    body_html: str


@dataclass(frozen=True)
class QueueComment:
    """An owed comment as the queue and the digest show it."""

    id: int
    post: QueuePost
    author_name: str
    created_at: datetime
    body_html: str
    parent: QueueParent | None
    # Set when the customer said the answer did not help (responses/helped.py).
    reopened_at: datetime | None = None

    @property
    def owed_since(self) -> datetime:
        """Where its due clock starts (Comment.owed_since)."""
        return self.reopened_at or self.created_at


@dataclass(frozen=True)
class FollowUp:
    id: int
    created_at: datetime
    body_html: str


@dataclass
class QueueItem:
    comment: QueueComment
    assignee: Person
    assigned: bool  # by a claim or a moderator, not by default
    due_at: datetime
    overdue: bool
    time_left: str
    follow_ups: list[FollowUp]  # the customer's later messages that joined this item


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
        query = query.where(Comment.owed_since <= clock().overdue_cutoff(now))
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
    if filters.view in ("all", "overdue") and not (filters.post_id or filters.author_id):
        # The whole queue, or its overdue head: a slice of the owed comments in order.
        owed = owed_items()
        total = len(owed.ids)
        if filters.view == "overdue":
            total = owed.overdue(clock().overdue_cutoff(now))
        pages = max(1, -(-total // per_page))
        page = min(max(page, 1), pages)
        ids = owed.ids[(page - 1) * per_page : min(page * per_page, total)]
    else:
        query = _filtered(filters, user, now)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        pages = max(1, -(-total // per_page))
        page = min(max(page, 1), pages)
        ids = db.session.scalars(
            query.with_only_columns(Comment.id)
            .order_by(Comment.owed_since, Comment.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
    comments = _comments(ids)
    assigned = _assignees([c.id for c in comments])
    follow_ups = _follow_ups([c.id for c in comments])
    sla = clock()
    items = []
    for comment in comments:
        due = sla.due_at(comment.owed_since)
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


_PostAuthor, _Author, _ParentAuthor = aliased(User), aliased(User), aliased(User)
_Parent = aliased(Comment)
_COMMENTS = (
    sa.select(
        Comment.id, Comment.guest_name, Comment.created_at, Comment.body_html,
        _Author.display_name, Post.id, Post.title, _PostAuthor.id, _PostAuthor.display_name,
        _Parent.id, _Parent.guest_name, _Parent.body_html, _ParentAuthor.display_name,
        Comment.reopened_at,
    )
    .join(Post, Post.id == Comment.post_id)
    .join(_PostAuthor, _PostAuthor.id == Post.author_id)
    .outerjoin(_Author, _Author.id == Comment.author_id)
    .outerjoin(_Parent, _Parent.id == Comment.parent_id)
    .outerjoin(_ParentAuthor, _ParentAuthor.id == _Parent.author_id)
    .where(Comment.id.in_(sa.bindparam("ids", expanding=True)))
)  # fmt: skip


def _name(display_name: str | None, guest_name: str | None) -> str:
    """``Comment.author_name`` from a row."""
    return display_name if display_name is not None else (guest_name or "Guest")


def _comments(ids: list[int]) -> list[QueueComment]:
    """The comments ``ids`` in that order, with their posts, authors and parents."""
    if not ids:
        return []
    found = {}
    for row in db.session.connection().execute(_COMMENTS, {"ids": list(ids)}):
        (cid, guest, created, body, author, post_id, title, post_author_id, post_author,
         parent_id, parent_guest, parent_body, parent_author, reopened) = row  # fmt: skip
        parent = None
        if parent_id is not None:
            parent = QueueParent(_name(parent_author, parent_guest), parent_body)
        post = QueuePost(post_id, title, Person(post_author_id, post_author))
        found[cid] = QueueComment(
            cid, post, _name(author, guest), created, body, parent, reopened
        )
    return [found[i] for i in ids if i in found]


_ASSIGNEES = (
    sa.select(Assignment.comment_id, User.id, User.display_name)
    .join(User, User.id == Assignment.assignee_id)
    .where(Assignment.current_comment_id.in_(sa.bindparam("ids", expanding=True)))
)


def _assignees(comment_ids: list[int]) -> dict[int, Person]:
    if not comment_ids:
        return {}
    rows = db.session.connection().execute(_ASSIGNEES, {"ids": comment_ids})
    return {comment_id: Person(uid, name) for comment_id, uid, name in rows}


_FOLLOW_UPS = sa.select(
    Comment.joins_id, Comment.id, Comment.created_at, Comment.body_html, Comment.status
).where(Comment.joins_id.in_(sa.bindparam("ids", expanding=True)))


def _follow_ups(comment_ids: list[int]) -> dict[int, list[FollowUp]]:
    """The published follow-ups that joined each item, oldest first, in one query."""
    if not comment_ids:
        return {}
    joined: dict[int, list[FollowUp]] = {}
    # Published and in order, sorted out here: with either in SQL, SQLite walks a status
    # index through every published comment instead of looking up these items' few.
    found = db.session.connection().execute(_FOLLOW_UPS, {"ids": comment_ids})
    published = [r for r in found if r[4] == CommentStatus.PUBLISHED]
    for joins_id, cid, created, body, _status in sorted(published, key=lambda r: (r[2], r[1])):
        joined.setdefault(joins_id, []).append(FollowUp(cid, created, body))
    return joined
