"""The comment section of a post page: the thread, the form, and the cached renderings.

Four caches keep the busy path cheap (see comments/cache.py; comments/page.py reads
the one query that keys them all):
- the whole page for anonymous readers with nothing personal in their session: it
  carries nothing personal either, so it is stored and served as it is;
- the drawn post (PostSnapshot), for each version of the post;
- the rendered thread, shared by everyone who sees the same thing: anonymous
  readers, and signed-in readers who own nothing held on the post (their own
  comments' Edit links go into its slots, comments/slots.py);
- the tracker's figures (answer rate, typical wait), keyed on the thread's stamp.
The page is drawn around the thread's slot and the stored thread's bytes put in.
"""

import dataclasses
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import (
    current_app,
    get_template_attribute,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from blogapp.comments.cache import cache
from blogapp.comments.forms import CommentForm
from blogapp.comments.guests import COOKIE as GUEST_COOKIE
from blogapp.comments.present import (
    CommentLinks,
    drawn_comments,
    helped_slot,
    own_slot,
    present_thread,
)
from blogapp.comments.reader_form import new_comment_form, signed_in_form
from blogapp.comments.services import comments_closed, past_close_age
from blogapp.comments.slots import Drawing, slot
from blogapp.comments.threads import ThreadStats, load_thread, thread_stats
from blogapp.comments.viewer import Viewer, current_viewer
from blogapp.extensions import db
from blogapp.models import CommentStatus, Post
from blogapp.query_args import arg_page
from blogapp.responses.helped import own_answers
from blogapp.responses.public import PostSummary, post_summary, typical_response_time
from blogapp.responses.satisfaction import site_figure
from blogapp.sitesettings.store import site_settings

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


# Plain SQL, like the page's stamp: the ORM's statement building cost more than the query.
_OWN_PUBLISHED = sa.text(
    "SELECT id, created_at FROM comments "
    "WHERE post_id = :post AND author_id = :author AND status = :published"
).columns(sa.column("id", sa.Integer), sa.column("created_at", sa.DateTime))


def _own_actions(post: Post, viewer: Viewer) -> list[tuple[str, str]]:
    """The reader's Edit (or Delete) links for the slots of their own comments."""
    own = db.session.execute(
        _OWN_PUBLISHED,
        {"post": post.id, "author": viewer.user_id, "published": CommentStatus.PUBLISHED.value},
    ).all()
    links, edit_link = CommentLinks(), get_template_attribute(_EDIT_LINK, "edit_link")
    return [
        (
            own_slot(comment_id),
            edit_link(
                links.edit.format(comment_id),
                "Edit" if viewer.now - created_at <= viewer.edit_window else "Delete",
            ),
        )
        for comment_id, created_at in own
    ]


_EDIT_LINK = "comments/_edit_link.html"


def _helped_buttons(post, viewer: Viewer) -> list[tuple[str, str]]:
    """"Did this answer your question?" for the slots under the answers to the reader's
    own comments (one query, only for a reader with comments on the post)."""
    answers = own_answers(post.id, viewer.user_id)
    if not answers:
        return []
    form, token = get_template_attribute(_HELPED_FORM, "helped_form"), generate_csrf()
    return [
        (helped_slot(shown_id), form(url_for("helped.from_page", ack_id=ack_id), token, verdict))
        for shown_id, ack_id, verdict in answers
    ]


_HELPED_FORM = "comments/_helped_form.html"


def render_thread(post, viewer: Viewer, newest_first: bool, page: int, closed: bool, stats=None):
    """The rendered thread (UTF-8 HTML), its summary, and its change stamp."""
    per_page = current_app.config["COMMENT_THREADS_PER_PAGE"]
    stats = stats or thread_stats(post, viewer.user_id)
    variant = _shared_variant(viewer, stats)
    key = (variant, post.id, newest_first, page, closed, stats.stamp)
    hit = cache("threads").get(key) if variant else None
    if hit is None:
        # The shared reader drawing is made for a reader who owns nothing on the page.
        drawn_for = dataclasses.replace(viewer, user_id=0) if variant == "reader" else viewer
        hit = _draw_thread(post, drawn_for, newest_first, page, per_page, closed, stats)
        if variant:
            cache("threads").put(key, hit)
    drawing, summary = hit
    own = _own_actions(post, viewer) if variant == "reader" and stats.mine else []
    if viewer.is_authenticated and stats.mine:
        own = [*own, *_helped_buttons(post, viewer)]
    # Only the reader's comments on this page of threads have a slot in its drawing.
    return drawing.fill([o for o in own if o[0] in drawing.kept]), summary, stats.stamp


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
    present_thread(thread, viewer, closed, own_slots=viewer.user_id == 0)
    # Kept as bytes: the page is joined around it without copying it into another string.
    html = render_template(
        "comments/_thread.html",
        post=post,
        thread=thread,
        newest_first=newest_first,
        drawn=drawn_comments(),
    )
    return Drawing.of(html), ThreadSummary(thread.count, stats.roots, thread.page, thread.pages)


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


def nothing_personal() -> bool:
    """An anonymous reader whose session holds at most a CSRF token (no flashes, no form)."""
    return (
        not current_user.is_authenticated
        and GUEST_COOKIE not in request.cookies
        and session.keys() <= IMPERSONAL_SESSION_KEYS
    )


THREAD_VIEW_ARGS = frozenset({"order", "cpage"})


def thread_view(args) -> tuple[bool, int]:
    """The view of the thread a query asks for: newest threads first?, which page."""
    return args.get("order") == "newest", arg_page("cpage", args)


def page_key(slug, version, updated_at, stamp, closed, view=None) -> tuple:
    """The page cache's key for the post page at ``slug`` in ``view`` (this request's),
    and so its ETag: with the site settings' version, which the page shows."""
    newest_first, page = view or thread_view(request.args)
    settings = site_settings().version
    return (slug, newest_first, page, version, updated_at, stamp, closed, settings)


@dataclass(frozen=True)
class PostSnapshot:
    """The post as its page shows it: plain values and the drawn article.

    Cached for each version of the post (comments/page.py), like the anonymous page:
    a change to the author's profile shows when the entry expires (cache.TTL).
    """

    id: int
    slug: str
    title: str
    excerpt: str
    comments_open: bool
    published_at: datetime
    version: int
    updated_at: datetime
    article_html: Markup


def snapshot_of(post: Post) -> PostSnapshot:
    """Draw ``post``'s article (title, byline, tags, body) and keep what the page needs."""
    article = Markup(render_template("blog/_article.html", post=post))
    return PostSnapshot(
        post.id,
        post.slug,
        post.title,
        post.excerpt,
        post.comments_open,
        post.published_at,
        post.version,
        post.updated_at,
        article,
    )


def render_post_page(
    post: Post | PostSnapshot,
    form: CommentForm | None = None,
    preview: str | None = None,
    status: int = 200,
    stats: ThreadStats | None = None,
):
    """The post page with its conversation; ``form`` carries a rejected comment back,
    ``preview`` the safe HTML of the comment being previewed.

    ``stats`` are the thread's, for the viewing account, when the caller has them.
    """
    if isinstance(post, Post):
        post = snapshot_of(post)
    fresh_form = form is None and not preview and status == 200
    # Decided before drawing, which takes the session's flashes out of it.
    storable = fresh_form and not request.args.keys() - THREAD_VIEW_ARGS and nothing_personal()
    viewer = current_viewer()
    newest_first, page = thread_view(request.args)
    closed_to_customers = comments_closed(post, viewer.now)
    closed = closed_to_customers and not current_user.is_employee
    if stats is None:
        stats = thread_stats(post, viewer.user_id)
    thread_html, thread, stamp = render_thread(post, viewer, newest_first, page, closed, stats)
    response_summary, typical_response = response_figures(post, stamp)
    form_html = None
    if fresh_form and not closed:
        form_html = signed_in_form(post, viewer, typical_response)
    if form_html is None:
        form = form or new_comment_form(viewer)
    body = render_template(
        "blog/post.html",
        post=post,
        thread=thread,
        thread_html=slot("thread"),
        newest_first=newest_first,
        closed=closed,
        closed_to_customers=closed_to_customers,
        close_waits=not closed_to_customers and past_close_age(post.published_at, viewer.now),
        form=form,
        form_html=form_html,
        viewer=viewer,
        following=stats.following,
        response_summary=response_summary,
        typical_response=typical_response,
        helped_figure=site_figure(),
        preview=Markup(preview) if preview else None,
        guests_allowed=site_settings()["COMMENTS_ALLOW_GUESTS"],
    )
    # The thread (up to half a megabyte) goes in as stored: joining bytes copies it once,
    # where putting it through the template copied it into a string and encoded it again.
    document = Drawing.of(body).fill({"thread": thread_html})
    if storable and thread.page == page:  # not a page number past the end
        key = page_key(post.slug, post.version, post.updated_at, stamp, closed)
        cache("pages").put(key, document)
    return document, status
