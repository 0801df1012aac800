"""The purge hook: a signal sent after a commit that changed what a post page shows.

An anonymous reader's post page may be kept by a shared cache in front of Parley (a
CDN, Varnish) for PAGE_SHARED_MAX_AGE seconds (comments/page.py). A deployment that
wants a change to show sooner connects a receiver to ``post_page_changed`` that tells
its cache to forget the post's pages: ``/posts/<slug>`` and its thread views
(``?order=newest``, ``?cpage=N``), e.g. by a prefix purge or a ban. It is sent once
per changed post after each commit that added, edited, removed, approved or
acknowledged one of its comments (each of which updates the comment row) or changed
the post itself; with the slug the page had before, too, when the post was renamed.
Nothing is sent for a rolled-back change.

    from blogapp.comments.purge import post_page_changed

    @post_page_changed.connect
    def purge(app, post_id, slug):
        cdn.purge_prefix(f"{site_settings()['SITE_URL']}/posts/{slug}")
"""

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from blogapp.extensions import db
from blogapp.models import Comment, Post

post_page_changed = Namespace().signal("post-page-changed")

_PENDING_KEY = "post_pages_changed"
_POSTS = Post.__table__


def _collect(session: Session, flush_context) -> None:
    if not post_page_changed.receivers:
        return  # nobody to tell: no slugs to look up
    changed: set[tuple[int, str]] = set()
    post_ids = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Comment) and obj.post_id is not None:
            post_ids.add(obj.post_id)
        elif isinstance(obj, Post) and obj.id is not None:
            post_ids.add(obj.id)
            changed.update((obj.id, old) for old in sa.inspect(obj).attrs.slug.history.deleted)
    # A post the session holds, slug loaded, is read from there; the rest with Core on the
    # flush's own connection (no autoflush, no ORM load inside a flush).
    for post_id in list(post_ids):
        post = session.identity_map.get(session.identity_key(Post, post_id))
        if post is not None and "slug" in sa.inspect(post).dict:
            changed.add((post_id, post.slug))
            post_ids.discard(post_id)
    if post_ids:
        rows = session.connection().execute(
            sa.select(_POSTS.c.id, _POSTS.c.slug).where(_POSTS.c.id.in_(sorted(post_ids)))
        )
        changed.update((row.id, row.slug) for row in rows)
    session.info.setdefault(_PENDING_KEY, set()).update(changed)


def _forget(session: Session, previous_transaction=None) -> None:
    session.info.pop(_PENDING_KEY, None)


def _announce(session: Session) -> None:
    changed = session.info.pop(_PENDING_KEY, None)
    if not changed or not has_app_context():
        return
    app = current_app._get_current_object()
    for post_id, slug in sorted(changed):
        post_page_changed.send(app, post_id=post_id, slug=slug)


def register() -> None:
    """Listen on every session once: collect in after_flush, send after commit."""
    target = db.session.session_factory.class_
    if event.contains(target, "after_flush", _collect):
        return
    event.listen(target, "after_flush", _collect)
    event.listen(target, "after_commit", _announce)
    event.listen(target, "after_rollback", _forget)
