"""The events of comments and posts, written whoever makes the change (the comment form,
the moderation queue, the studio, an import): ``comment_published`` when a comment becomes
public, ``post_published`` when a post does.

Collected in ``after_flush`` without a statement, written in ``before_commit`` (after a
flush of what is left) only if an
endpoint wants them (events.py keeps that answer per process), forgotten on rollback. A
scheduled post goes live with no change to it at all, so the webhook outbox's drain looks
for posts that went live in the last day and have no event yet (``queue_scheduled_posts``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from blogapp.api import event_payloads as payloads
from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus, Post, WebhookEvent, WebhookMessage
from blogapp.models.base import utcnow
from blogapp.webhooks.events import queue, wanted

_KEY = "webhook_events_pending"
# How long after its time a scheduled post that went live unannounced (no worker
# running) is still announced.
SCHEDULED_WINDOW = timedelta(days=1)


def _pending(session: Session) -> dict[str, set[int]]:
    return session.info.setdefault(_KEY, {"comments": set(), "posts": set()})


def _old(obj, name: str):
    history = sa.inspect(obj).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(obj, name)


def _publication_changed(post: Post) -> bool:
    """Whether this flush set the post's status or time (read without loading anything:
    a post changed otherwise may have both expired)."""
    state = sa.inspect(post)
    return state.attrs.status.history.has_changes() or (
        state.attrs.published_at.history.has_changes()
    )


def _was_visible(post: Post, now: datetime) -> bool:
    return Post.visible_with(_old(post, "status"), _old(post, "published_at"), now)


def _collect(session: Session, flush_context) -> None:
    now = utcnow()
    for obj in session.new:
        if isinstance(obj, Comment) and obj.status == CommentStatus.PUBLISHED:
            _pending(session)["comments"].add(obj.id)
        elif isinstance(obj, Post) and obj.is_visible(now):
            _pending(session)["posts"].add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Comment):
            history = sa.inspect(obj).attrs.status.history
            if history.added and history.added[0] == CommentStatus.PUBLISHED and history.deleted:
                if history.deleted[0] != CommentStatus.PUBLISHED:
                    _pending(session)["comments"].add(obj.id)
        elif isinstance(obj, Post) and _publication_changed(obj):
            if obj.is_visible(now) and not _was_visible(obj, now):
                _pending(session)["posts"].add(obj.id)


def _act(session: Session) -> None:
    # What is still unflushed (an object added just before commit()) is collected now,
    # not at the commit's own flush, which comes after this listener.
    session.flush()
    pending = session.info.pop(_KEY, None)
    if not pending:
        return
    if pending["comments"] and wanted(WebhookEvent.COMMENT_PUBLISHED):
        for comment_id in sorted(pending["comments"]):
            comment = session.get(Comment, comment_id)
            if comment is not None and comment.status == CommentStatus.PUBLISHED:
                queue_comment_published(comment)
    if pending["posts"] and wanted(WebhookEvent.POST_PUBLISHED):
        for post_id in sorted(pending["posts"]):
            post = session.get(Post, post_id)
            if post is not None:
                queue_post_published(post)


def queue_comment_published(comment: Comment) -> None:
    payload = payloads.as_json(payloads.comment_published(comment))
    queue(WebhookEvent.COMMENT_PUBLISHED, payload, comment_id=comment.id, post_id=comment.post_id)


def queue_post_published(post: Post) -> None:
    payload = payloads.as_json(payloads.post_published(post))
    queue(WebhookEvent.POST_PUBLISHED, payload, post_id=post.id)


def queue_scheduled_posts(now: datetime) -> int:
    """Announce the posts whose time came in the last day with no event yet; how many."""
    if not wanted(WebhookEvent.POST_PUBLISHED):
        return 0
    announced = sa.exists().where(
        WebhookMessage.post_id == Post.id, WebhookMessage.event == WebhookEvent.POST_PUBLISHED
    )
    posts = db.session.scalars(
        sa.select(Post)
        .where(Post.visible_clause(now), Post.published_at > now - SCHEDULED_WINDOW, ~announced)
        .order_by(Post.published_at)
        .limit(100)
    ).all()
    for post in posts:
        queue_post_published(post)
    db.session.commit()
    return len(posts)


def _forget(session: Session, previous_transaction=None) -> None:
    session.info.pop(_KEY, None)


def register() -> None:
    """Listen on every session once."""
    target = db.session.session_factory.class_
    if event.contains(target, "after_flush", _collect):
        return
    event.listen(target, "after_flush", _collect)
    event.listen(target, "before_commit", _act)
    event.listen(target, "after_rollback", _forget)
