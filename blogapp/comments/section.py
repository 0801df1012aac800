"""The comment section of a post page: the thread, the form, and the cached rendering.

Most readers are anonymous and see the same thread, so its rendered HTML is
cached per process, keyed on the thread's change stamp (any new, edited,
removed or approved comment changes it; so must anything else that changes how
a comment is drawn, by updating the comment row, which bumps ``changed_at``).
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app, render_template, request
from markupsafe import Markup

from blogapp.comments.forms import CommentForm
from blogapp.comments.services import comments_closed
from blogapp.comments.threads import load_thread, thread_stats
from blogapp.comments.viewer import Viewer, current_viewer
from blogapp.markup import render_comment
from blogapp.models import Post

CACHE_SIZE = 512


@dataclass(frozen=True)
class ThreadSummary:
    """What the page around the thread needs to know, cached with the rendering."""

    count: int
    roots: int
    page: int
    pages: int


class ThreadCache:
    """A small LRU of rendered threads for anonymous readers, safe across threads."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _cache() -> ThreadCache:
    return current_app.extensions.setdefault("parley_thread_cache", ThreadCache())


def new_comment_form(viewer: Viewer) -> CommentForm:
    form = CommentForm(formdata=None)
    form.set_shown_now()
    if viewer.guest.name:
        form.name.data, form.email.data = viewer.guest.name, viewer.guest.email
    return form


def render_thread(post: Post, viewer: Viewer, newest_first: bool, page: int, closed: bool):
    """The rendered thread (HTML) and its summary, from the cache when nothing is personal."""
    per_page = current_app.config["COMMENT_THREADS_PER_PAGE"]
    stats = thread_stats(post)
    key = (post.id, newest_first, page, closed, stats.stamp)
    if viewer.sees_public_page:
        hit = _cache().get(key)
        if hit is not None:
            return hit
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
    html = Markup(
        render_template(
            "comments/_thread.html",
            post=post,
            thread=thread,
            viewer=viewer,
            closed=closed,
            newest_first=newest_first,
        )
    )
    result = (html, ThreadSummary(thread.count, stats.roots, thread.page, thread.pages))
    if viewer.sees_public_page:
        _cache().put(key, result)
    return result


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
    thread_html, thread = render_thread(post, viewer, newest_first, page, closed)
    form = form or new_comment_form(viewer)
    body = render_template(
        "blog/post.html",
        post=post,
        thread=thread,
        thread_html=thread_html,
        newest_first=newest_first,
        closed=closed,
        form=form,
        viewer=viewer,
        preview=Markup(render_comment(preview)) if preview else None,
        guests_allowed=current_app.config["COMMENTS_ALLOW_GUESTS"],
    )
    return body, status
