"""Serving a post page: one query says whether the post is visible and keys every cache.

The query returns the post's row (version, visibility, open or closed) together with
its thread's counts and change stamp for the viewing account. With it, an anonymous
reader gets the whole page from the page cache, and anyone else gets a page drawn
around the cached post, thread and figures: no ORM load of the post on a hit.
"""

import sqlalchemy as sa
from flask import Response, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from blogapp.blog.services import visible_post
from blogapp.comments.cache import cache
from blogapp.comments.forms import form_shown_token
from blogapp.comments.section import (
    PostSnapshot,
    nothing_personal,
    page_key,
    render_post_page,
    snapshot_of,
)
from blogapp.comments.services import closed_by_rules
from blogapp.comments.threads import STATS_AGGREGATE, STATS_COLUMNS, STATS_STATUSES, stats_of
from blogapp.extensions import db
from blogapp.models import PostStatus
from blogapp.models.base import utcnow

# Plain SQL: cheaper to run than building the ORM query on every view. The thread's
# aggregate is taken in a derived table rather than by grouping a join (a third
# faster at 2,000 comments); with no comments it is one row of zero and NULLs. An
# author of NULL (no one signed in) matches no row, so the "mine" counts are then 0.
# The thread's columns are threads.STATS_AGGREGATE, so both give the same stamp.
_PAGE_STAMP = sa.text(
    "SELECT p.id, p.version, p.updated_at, p.comments_open, p.published_at, p.status, s.* "
    f"FROM posts p CROSS JOIN (SELECT {STATS_AGGREGATE} "
    "FROM comments WHERE post_id = (SELECT id FROM posts WHERE slug = :slug)) s "
    "WHERE p.slug = :slug"
).columns(
    sa.column("id", sa.Integer),
    sa.column("version", sa.Integer),
    sa.column("updated_at", sa.DateTime),
    sa.column("comments_open", sa.Boolean),
    sa.column("published_at", sa.DateTime),
    sa.column("status", sa.String),
    *STATS_COLUMNS,
)
VISIBLE_STATUSES = (PostStatus.PUBLISHED.value, PostStatus.SCHEDULED.value)


def _read_stamp(slug: str, author_id: int | None, anonymous: bool):
    params = {**STATS_STATUSES, "slug": slug, "author": author_id}
    if not anonymous:
        return db.session.execute(_PAGE_STAMP, params).one_or_none()
    # Straight on a pooled connection: for a cache hit the session's transaction
    # bookkeeping cost more than the statement, and nothing is pending in it yet.
    with db.engine.connect() as connection:
        return connection.execute(_PAGE_STAMP, params).one_or_none()


def post_page(slug: str):
    """The post page at ``slug``; None when no post the public may see lives there."""
    anonymous = not request.args.keys() - {"order", "cpage"} and nothing_personal()
    author_id = current_user.id if current_user.is_authenticated else None
    row = _read_stamp(slug, author_id, anonymous)
    if row is None:
        return None  # the view redirects an old slug, or says 404
    now = utcnow()
    if row.status not in VISIBLE_STATUSES or row.published_at is None or row.published_at > now:
        # Rare (a draft, a post not yet due): Post.visible_clause has the last word.
        post = visible_post(slug)
        return render_post_page(post) if post is not None else None
    stats = stats_of(row)
    if anonymous:
        closed = closed_by_rules(row.comments_open, row.published_at, now)
        parts = cache("pages").get(page_key(slug, row.version, row.updated_at, stats.stamp, closed))
        if parts is not None:
            head, middle, tail = parts
            csrf, shown = generate_csrf().encode(), form_shown_token().encode()
            return Response(b"".join((head, csrf, middle, shown, tail)), mimetype="text/html")
    post = _post_snapshot(slug, row)
    if post is None:
        return None
    return render_post_page(post, stats=stats)


def _post_snapshot(slug: str, row) -> PostSnapshot | None:
    """The post as the page shows it, drawn once for each version of the post."""
    key = (slug, row.id, row.version, row.updated_at)
    snapshot = cache("posts").get(key)
    if snapshot is None:
        post = visible_post(slug)
        if post is None:
            return None
        snapshot = snapshot_of(post)
        cache("posts").put(key, snapshot)
    return snapshot
