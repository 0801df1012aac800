"""Loading a post's thread in a fixed number of queries and building its tree in memory.

Two queries whatever the size: one aggregate (the public count, the number of
top-level threads, and a stamp that changes with any change to any comment)
and one for the comments of the requested page of top-level threads.
"""

import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus, Post

# Deeper replies are drawn at this depth, each with a "replying to" link.
MAX_INDENT = 4
PUBLIC_STATUSES = (CommentStatus.PUBLISHED.value, CommentStatus.REMOVED.value)


@dataclass
class ThreadNode:
    comment: Comment
    depth: int
    replies: list["ThreadNode"] = field(default_factory=list)
    parent: "ThreadNode | None" = None
    view: object = None  # what the page draws: comments.present.CommentView

    @property
    def indent(self) -> int:
        return min(self.depth, MAX_INDENT)


@dataclass(frozen=True)
class ThreadStats:
    count: int  # published comments on the post
    roots: int  # top-level threads the public can see
    stamp: tuple  # changes whenever any comment of the post changes
    mine: int = 0  # comments on the post by the viewing account
    mine_held: int = 0  # ... of which are awaiting moderation
    following: bool = False  # the viewing account follows the thread (blogapp/follows)


@dataclass
class Thread:
    roots: list[ThreadNode]
    count: int
    page: int = 1
    pages: int = 1

    def walk(self):
        """Every node, depth first, in reading order."""
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.replies))


# One plain statement: building and compiling the same aggregate through the ORM on
# every view cost five times what running it does (1.4 ms against 0.2 ms, 200 comments).
# An author of NULL (no one signed in) matches no row, so "mine" counts are then 0.
# The change stamp (n, changed) first, then the counts the page shows; comments/page.py
# runs the same aggregate for a signed-in viewer's page and the stamp alone, as two
# subqueries, for an anonymous reader's. STATS_COLUMNS types the columns, stats_of()
# reads them.
STATS_AGGREGATE = (
    "count(*) AS n, max(changed_at) AS changed, "
    "sum(CASE WHEN status = :published THEN 1 ELSE 0 END) AS published, "
    "sum(CASE WHEN parent_id IS NULL AND status IN (:published, :removed) "
    "THEN 1 ELSE 0 END) AS roots, "
    "sum(CASE WHEN author_id = :author THEN 1 ELSE 0 END) AS mine, "
    "sum(CASE WHEN author_id = :author AND status = :held THEN 1 ELSE 0 END) AS mine_held"
)
STAMP_COLUMNS = (sa.column("n", sa.Integer), sa.column("changed", sa.DateTime))
STATS_COLUMNS = (
    *STAMP_COLUMNS,
    sa.column("published", sa.Integer),
    sa.column("roots", sa.Integer),
    sa.column("mine", sa.Integer),
    sa.column("mine_held", sa.Integer),
    sa.column("following", sa.Integer),
)


def following_of(post: str) -> str:
    """The last of STATS_COLUMNS, read beside the aggregate: whether the account :author
    follows the post whose id is ``post`` (SQL), 0 or 1 (the follows' unique key)."""
    return f"(SELECT count(*) FROM follows f WHERE f.post_id = {post} AND f.user_id = :author)"


_STATS = sa.text(
    f"SELECT {STATS_AGGREGATE}, {following_of(':post')} AS following "
    "FROM comments WHERE post_id = :post"
).columns(*STATS_COLUMNS)
STATS_STATUSES = {
    "published": CommentStatus.PUBLISHED.value,
    "removed": CommentStatus.REMOVED.value,
    "held": CommentStatus.HELD.value,
}


def thread_stats(post: Post, author_id: int | None = None) -> ThreadStats:
    """Counts and the change stamp of a post's comments, in one query."""
    row = db.session.execute(_STATS, {**STATS_STATUSES, "author": author_id, "post": post.id}).one()
    return stats_of(row)


def stamp_of(row) -> tuple:
    """The change stamp from a row holding its two columns, n and changed (STAMP_COLUMNS)."""
    return (row.n, row.changed)


def stats_of(row) -> ThreadStats:
    """ThreadStats from a row holding STATS_AGGREGATE's columns (sums are NULL, no rows)."""
    return ThreadStats(
        int(row.published or 0),
        int(row.roots or 0),
        stamp_of(row),
        int(row.mine or 0),
        int(row.mine_held or 0),
        bool(row.following),
    )


def _visible(extra_ids=(), author_id: int | None = None, moderator: bool = False):
    """Public comments, plus the held ones this viewer may see."""
    held = Comment.status == CommentStatus.HELD.value
    seen = [Comment.status.in_(PUBLIC_STATUSES)]
    if moderator:
        seen.append(held)
    else:
        if author_id is not None:
            seen.append(sa.and_(held, Comment.author_id == author_id))
        if extra_ids:
            seen.append(sa.and_(held, Comment.id.in_(sorted(extra_ids))))
    return sa.or_(*seen)


def load_thread(
    post: Post,
    newest_first: bool = False,
    page: int = 1,
    per_page: int | None = None,
    stats: ThreadStats | None = None,
    guest_ids=(),
    author_id: int | None = None,
    moderator: bool = False,
) -> Thread:
    """One page of the post's conversation as a tree; a fixed number of queries.

    Removed comments that still have replies stay in as placeholders so the
    replies keep their place. Held comments appear only to their author and
    to moderators.
    """
    stats = stats or thread_stats(post)
    pages = max(1, -(-stats.roots // per_page)) if per_page else 1
    page = min(max(page, 1), pages)
    query = (
        sa.select(Comment)
        .options(joinedload(Comment.author))
        .where(Comment.post_id == post.id, _visible(guest_ids, author_id, moderator))
        .order_by(Comment.created_at, Comment.id)
    )
    if pages > 1:
        order = (
            (Comment.created_at.desc(), Comment.id.desc())
            if newest_first
            else (
                Comment.created_at,
                Comment.id,
            )
        )
        page_roots = (
            sa.select(Comment.id)
            .where(
                Comment.post_id == post.id,
                Comment.parent_id.is_(None),
                Comment.status.in_(PUBLIC_STATUSES),
            )
            .order_by(*order)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        query = query.where(sa.or_(Comment.id.in_(page_roots), Comment.root_id.in_(page_roots)))
    comments = db.session.scalars(query).all()
    thread = build_tree(comments, newest_first)
    thread.count, thread.page, thread.pages = stats.count, page, pages
    return thread


def page_of(comment: Comment, per_page: int) -> int:
    """The page (oldest first) on which ``comment``'s thread is drawn."""
    root = comment.root or comment
    params = {"post": root.post_id, "created": root.created_at, "id": root.id}
    earlier = db.session.scalar(_earlier_roots(), params)
    return earlier // per_page + 1 if per_page else 1


@functools.cache
def _earlier_roots() -> sa.Select:
    """How many public top-level comments of the post ``:post`` come before the one
    created at ``:created`` with ``:id``. Built once: every comment posted asks."""
    created, id_ = sa.bindparam("created", type_=sa.DateTime), sa.bindparam("id")
    return sa.select(sa.func.count()).where(
        Comment.post_id == sa.bindparam("post"),
        Comment.parent_id.is_(None),
        Comment.status.in_(PUBLIC_STATUSES),
        sa.or_(
            Comment.created_at < created,
            sa.and_(Comment.created_at == created, Comment.id < id_),
        ),
    )


def build_tree(comments: list[Comment], newest_first: bool = False) -> Thread:
    """Nest ``comments`` (oldest first) under their parents."""
    nodes = {c.id: ThreadNode(c, 0) for c in comments}
    roots: list[ThreadNode] = []
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        node = nodes[comment.id]
        node.parent = parent
        (parent.replies if parent else roots).append(node)
    roots = [r for r in roots if _has_content(r)]
    if newest_first:
        roots.reverse()
    thread = Thread(roots=roots, count=0)
    for node in thread.walk():
        for reply in node.replies:
            reply.depth = node.depth + 1
    thread.count = sum(1 for c in comments if c.status == CommentStatus.PUBLISHED)
    return thread


def _has_content(node: ThreadNode) -> bool:
    # A removed comment with no live replies below it is left out entirely.
    node.replies = [r for r in node.replies if _has_content(r)]
    return node.comment.status != CommentStatus.REMOVED or bool(node.replies)
