"""The comment section of a post page: the thread, the form, and the cached renderings.

Two caches keep the busy path cheap (see comments/cache.py):
- the rendered thread, shared by everyone who sees the same thing: anonymous
  readers, and signed-in readers who have not commented on the post;
- the whole page for anonymous readers with nothing personal in their session,
  served after one query, with a fresh CSRF token and form clock put in.
"""

import dataclasses
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response, current_app, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from blogapp.comments.cache import cache
from blogapp.comments.forms import CommentForm, form_shown_token
from blogapp.comments.guests import COOKIE as GUEST_COOKIE
from blogapp.comments.present import CommentLinks, present_thread
from blogapp.comments.services import closed_by_rules, comments_closed
from blogapp.comments.threads import load_thread, thread_stats
from blogapp.comments.viewer import Viewer, current_viewer
from blogapp.extensions import db
from blogapp.markup import render_comment
from blogapp.models import Comment, CommentStatus, Post, PostStatus
from blogapp.models.base import utcnow
from blogapp.responses.public import PostSummary, post_summary, typical_response_time

# Session keys that say nothing about the page: the CSRF secret, Flask-Login's bookkeeping.
IMPERSONAL_SESSION_KEYS = frozenset({"csrf_token", "_fresh", "_id"})


@dataclass(frozen=True)
class ThreadSummary:
    """What the page around the thread needs to know, cached with the rendering."""

    count: int
    roots: int
    page: int
    pages: int


def _shared_variant(viewer: Viewer, stats) -> str | None:
    """Which shared rendering this viewer can be given, if any."""
    if viewer.sees_public_page:
        return "public"
    if viewer.is_authenticated and not viewer.is_moderator and not viewer.guest.comment_ids:
        # Their own published comments are patched in; held ones need a drawing of their own.
        return "reader" if stats.mine_held == 0 else None
    return None


def _with_own_actions(html: str, post: Post, viewer: Viewer) -> Markup:
    """The shared reader rendering, with Edit (or Delete) instead of Report on their comments."""
    own = db.session.execute(
        sa.select(Comment.id, Comment.created_at).where(
            Comment.post_id == post.id,
            Comment.author_id == viewer.user_id,
            Comment.status == CommentStatus.PUBLISHED.value,
        )
    ).all()
    links = CommentLinks()
    html = str(html)
    for comment_id, created_at in own:
        label = "Edit" if viewer.now - created_at <= viewer.edit_window else "Delete"
        report = f'<a class="flag-link" href="{links.flag.format(comment_id)}">Report</a>'
        html = html.replace(report, f'<a href="{links.edit.format(comment_id)}">{label}</a>', 1)
    return Markup(html)


def render_thread(post: Post, viewer: Viewer, newest_first: bool, page: int, closed: bool):
    """The rendered thread (HTML), its summary, and its change stamp."""
    per_page = current_app.config["COMMENT_THREADS_PER_PAGE"]
    stats = thread_stats(post, viewer.user_id)
    variant = _shared_variant(viewer, stats)
    key = (variant, post.id, newest_first, page, closed, stats.stamp)
    hit = cache("threads").get(key) if variant else None
    if hit is None:
        # The shared reader drawing is made for a reader who owns nothing on the page.
        drawn_for = dataclasses.replace(viewer, user_id=0) if variant == "reader" else viewer
        hit = _draw_thread(post, drawn_for, newest_first, page, per_page, closed, stats)
        if variant:
            cache("threads").put(key, hit)
    html, summary = hit
    if variant == "reader" and stats.mine:
        html = _with_own_actions(html, post, viewer)
    return html, summary, stats.stamp


def _draw_thread(post, viewer, newest_first, page, per_page, closed, stats):
    thread = load_thread(
        post,
        newest_first=newest_first,
        page=page,
        per_page=per_page,
        stats=stats,
        guest_ids=viewer.guest.comment_ids,
        author_id=viewer.user_id,
        moderator=viewer.is_moderator,
    )
    present_thread(thread, viewer, closed)
    html = Markup(
        render_template(
            "comments/_thread.html", post=post, thread=thread, newest_first=newest_first
        )
    )
    return html, ThreadSummary(thread.count, stats.roots, thread.page, thread.pages)


def response_figures(post: Post, stamp: tuple) -> tuple[PostSummary | None, str | None]:
    """The tracker's public figures on the page: the post's answer rate, the typical wait.

    Both change only when a comment is added, edited, removed or acknowledged, and each
    of those bumps the thread's stamp. The typical wait is the site's (a 90-day
    window), so a change on another post reaches it when the entry expires (cache.TTL).
    """
    key = (post.id, stamp)
    figures = cache("response_figures").get(key)
    if figures is None:
        figures = (post_summary(post.id), typical_response_time())
        cache("response_figures").put(key, figures)
    return figures


def new_comment_form(viewer: Viewer) -> CommentForm:
    form = CommentForm(formdata=None)
    form.set_shown_now()
    if viewer.guest.name:
        form.name.data, form.email.data = viewer.guest.name, viewer.guest.email
    return form


def _nothing_personal() -> bool:
    """An anonymous reader whose session holds at most a CSRF token (no flashes, no form)."""
    return (
        not current_user.is_authenticated
        and GUEST_COOKIE not in request.cookies
        and session.keys() <= IMPERSONAL_SESSION_KEYS
    )


def _page_key(slug, version, updated_at, stamp, closed) -> tuple:
    newest_first = request.args.get("order") == "newest"
    page = request.args.get("cpage", 1, type=int) or 1
    return (slug, newest_first, page, version, updated_at, stamp, closed)


# One plain statement: cheaper to run than building the ORM query on every hit.
_PAGE_STAMP = sa.text(
    "SELECT p.version, p.updated_at, p.comments_open, p.published_at, p.status, "
    "count(c.id), max(c.changed_at) FROM posts p LEFT JOIN comments c ON c.post_id = p.id "
    "WHERE p.slug = :slug GROUP BY p.id, p.version, p.updated_at, p.comments_open, "
    "p.published_at, p.status"
).columns(
    sa.column("version", sa.Integer),
    sa.column("updated_at", sa.DateTime),
    sa.column("comments_open", sa.Boolean),
    sa.column("published_at", sa.DateTime),
    sa.column("status", sa.String),
    sa.column("count", sa.Integer),
    sa.column("changed", sa.DateTime),
)


def cached_post_page(slug: str) -> Response | None:
    """The whole post page from the cache, for a reader with nothing personal; one query."""
    if request.args.keys() - {"order", "cpage"} or not _nothing_personal():
        return None
    # Straight on a pooled connection: the session's transaction bookkeeping cost more
    # than the statement. The session is not used on this path, so nothing it holds is
    # missed; on a miss the view loads the post through the session as usual.
    with db.engine.connect() as connection:
        row = connection.execute(_PAGE_STAMP, {"slug": slug}).one_or_none()
    if row is None:
        return None
    version, updated_at, is_open, published_at, status, count, changed = row
    now = utcnow()
    visible = status in (PostStatus.PUBLISHED, PostStatus.SCHEDULED) and published_at is not None
    if not visible or published_at > now:
        return None  # the view says 404 (or redirects an old slug)
    closed = closed_by_rules(is_open, published_at, now)
    parts = cache("pages").get(_page_key(slug, version, updated_at, (count, changed), closed))
    if parts is None:
        return None
    head, middle, tail = parts
    csrf, shown = generate_csrf().encode(), form_shown_token().encode()
    return Response(b"".join((head, csrf, middle, shown, tail)), mimetype="text/html")


def render_post_page(
    post: Post,
    form: CommentForm | None = None,
    preview: str | None = None,
    status: int = 200,
):
    """The post page with its conversation; ``form`` carries a rejected comment back."""
    viewer = current_viewer()
    newest_first = request.args.get("order") == "newest"
    page = request.args.get("cpage", 1, type=int) or 1
    closed = comments_closed(post, viewer.now)
    thread_html, thread, stamp = render_thread(post, viewer, newest_first, page, closed)
    fresh_form = form is None
    form = form or new_comment_form(viewer)
    response_summary, typical_response = response_figures(post, stamp)
    body = render_template(
        "blog/post.html",
        post=post,
        thread=thread,
        thread_html=thread_html,
        newest_first=newest_first,
        closed=closed,
        form=form,
        viewer=viewer,
        response_summary=response_summary,
        typical_response=typical_response,
        preview=Markup(render_comment(preview)) if preview else None,
        guests_allowed=current_app.config["COMMENTS_ALLOW_GUESTS"],
    )
    if fresh_form and status == 200 and _nothing_personal():
        key = _page_key(post.slug, post.version, post.updated_at, stamp, closed)
        head, _, rest = body.partition(generate_csrf())
        middle, _, tail = rest.partition(form.shown.data)
        if generate_csrf() not in rest and form.shown.data not in tail:
            cache("pages").put(key, (head.encode(), middle.encode(), tail.encode()))
    return body, status
