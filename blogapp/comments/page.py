"""Serving a post page: one query says whether the post is visible and keys every cache.

The query returns the post's row (version, visibility, open or closed) together with
its thread's change stamp, and for a signed-in viewer the thread's counts for their
account. With it, an anonymous reader gets the whole page from the page cache, and
anyone else gets a page drawn around the cached post, thread and figures: no ORM load
of the post on a hit.

An anonymous reader's page carries nothing personal (the guest form has no token and
no clock: comments/forms.py), so it is the same for every visitor and a shared cache
(a CDN, Varnish) may keep it for a few seconds: ``public``, with a weak ETag named by
the page cache's key and the TTL window (comments/cache.py), answered 304 when it
matches. Every other page is ``private``.
"""

import hashlib
import time

import sqlalchemy as sa
from flask import Response, current_app, request
from flask_login import current_user
from werkzeug.http import parse_etags

from blogapp.blog.services import visible_post
from blogapp.comments.cache import TTL, cache
from blogapp.comments.section import (
    THREAD_VIEW_ARGS,
    PostSnapshot,
    nothing_personal,
    page_key,
    render_post_page,
    snapshot_of,
    thread_view,
)
from blogapp.comments.services import closed_by_rules
from blogapp.comments.threads import (
    STAMP_COLUMNS,
    STATS_AGGREGATE,
    STATS_COLUMNS,
    STATS_STATUSES,
    following_of,
    stamp_of,
    stats_of,
)
from blogapp.driver_query import DriverQuery
from blogapp.extensions import db
from blogapp.models import PostStatus
from blogapp.models.base import utcnow

# A page drawn for one account or returning guest: browsers may keep it, shared caches not.
PRIVATE_CACHE_CONTROL = "private"


def public_cache_control(config) -> str:
    """An anonymous reader's page: shared caches keep it PAGE_SHARED_MAX_AGE seconds;
    browsers ask again each time (a 304 while the ETag holds)."""
    return f"public, max-age=0, s-maxage={config['PAGE_SHARED_MAX_AGE']}"


def page_etag(key: tuple) -> str:
    """The anonymous page's ETag (weak; without its quotes): its page-cache key and the TTL
    window, so what the key does not name (relative times, an author's profile, the
    site-wide typical wait) is never kept past what the page cache itself allows."""
    window = int(time.time() // TTL)
    return hashlib.blake2b(repr((key, window)).encode(), digest_size=12).hexdigest()


_POST_COLUMNS = (
    sa.column("id", sa.Integer),
    sa.column("version", sa.Integer),
    sa.column("updated_at", sa.DateTime),
    sa.column("comments_open", sa.Boolean),
    sa.column("published_at", sa.DateTime),
    sa.column("status", sa.String),
)


_POST_SELECT = ", ".join(f"p.{c.name}" for c in _POST_COLUMNS)

# A signed-in viewer's page: the post's row at :slug with its thread's stamp and
# counts, "mine" for their account. Plain SQL: cheaper to run than building the ORM
# query on every view. The aggregate (threads' own, so both give the same stamp) is
# taken in a derived table rather than by grouping a join (a third faster at 2,000
# comments); with no comments it is one row of zero and NULLs.
_PAGE_STATS = sa.text(
    f"SELECT {_POST_SELECT}, s.*, {following_of('p.id')} AS following "
    f"FROM posts p CROSS JOIN (SELECT {STATS_AGGREGATE} "
    "FROM comments WHERE post_id = (SELECT id FROM posts WHERE slug = :slug)) s "
    "WHERE p.slug = :slug"
).columns(*_POST_COLUMNS, *STATS_COLUMNS)
# An anonymous reader's page is keyed on the stamp alone, the same count and newest
# change as threads.STATS_AGGREGATE's, each a subquery the comments' (post_id, …)
# indexes answer without reading a comment (max() from the end of the index: 20 µs
# against 50 µs for both in one aggregate, 200 comments). A miss counts the thread.
_PAGE_STAMP = DriverQuery(
    sa.text(
        f"SELECT {_POST_SELECT}, "
        "(SELECT count(*) FROM comments c WHERE c.post_id = p.id) AS n, "
        "(SELECT max(c.changed_at) FROM comments c WHERE c.post_id = p.id) AS changed "
        "FROM posts p WHERE p.slug = :slug"
    ).columns(*_POST_COLUMNS, *STAMP_COLUMNS)
)
VISIBLE_STATUSES = (PostStatus.PUBLISHED.value, PostStatus.SCHEDULED.value)


def _read_row(slug: str, author_id: int | None, anonymous: bool):
    if not anonymous:
        params = {**STATS_STATUSES, "slug": slug, "author": author_id}
        return db.session.execute(_PAGE_STATS, params).one_or_none()
    # Straight on a pooled connection: for a cache hit the session's transaction
    # bookkeeping cost more than the statement, and nothing is pending in it yet.
    return _PAGE_STAMP.one_or_none(db.engine, {"slug": slug})


def post_page(slug: str) -> Response | None:
    """The post page at ``slug``; None when no post the public may see lives there."""
    anonymous = not request.args.keys() - THREAD_VIEW_ARGS and nothing_personal()
    author_id = current_user.id if current_user.is_authenticated else None
    row = _read_row(slug, author_id, anonymous)
    if row is None:
        return None  # the view redirects an old slug, or says 404
    now = utcnow()
    if not _visible(row, now):
        # Rare (a draft, a post not yet due): Post.visible_clause has the last word.
        post = visible_post(slug)
        return _private(render_post_page(post)) if post is not None else None
    if not anonymous:
        post = _post_snapshot(slug, row)
        return _private(render_post_page(post, stats=stats_of(row))) if post else None
    key = _page_key(slug, row, now, thread_view(request.args))
    etag = page_etag(key)
    if etag_matches(request.headers.get("If-None-Match"), etag):
        page, status = b"", 304  # the browser's (or the CDN's) copy is this page
    else:
        page, status = cache("pages").get(key), 200
    if page is None:  # a miss: the thread is counted as it is drawn, and the page stored
        post = _post_snapshot(slug, row)
        if post is None:
            return None
        page, _ = render_post_page(post)
    response = Response(page, status, mimetype="text/html")
    response.headers["Cache-Control"] = public_cache_control(current_app.config)
    response.set_etag(etag, weak=True)
    return response


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether a request's If-None-Match names ``etag`` (weak comparison, as for GET)."""
    return bool(if_none_match) and parse_etags(if_none_match).contains_weak(etag)


def _private(drawn) -> Response:
    body, status = drawn
    response = Response(body, status, mimetype="text/html")
    response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
    return response


def _visible(row, now) -> bool:
    return (
        row.status in VISIBLE_STATUSES and row.published_at is not None and row.published_at <= now
    )


def _page_key(slug: str, row, now, view: tuple[bool, int]) -> tuple:
    closed = closed_by_rules(row.comments_open, row.published_at, now, row.id)
    return page_key(slug, row.version, row.updated_at, stamp_of(row), closed, view)


def stored_page(slug: str, view: tuple[bool, int]) -> tuple[str, bytes | None] | None:
    """For an anonymous reader of the post at ``slug``: its page's ETag and the page
    from the page cache (None on a miss); None when the public may not see the post."""
    row = _read_row(slug, None, anonymous=True)
    now = utcnow()
    if row is None or not _visible(row, now):
        return None
    key = _page_key(slug, row, now, view)
    return page_etag(key), cache("pages").get(key)


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
