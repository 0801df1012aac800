"""Reactions to comments, however they change: a staff reply acknowledges its parent,
and approvals, removals and spam marks go into the audit log.

Changes are collected in ``after_flush`` (ids exist by then) and acted on in
``before_commit``, so the acknowledgement and the audit events commit in the
same transaction as the reply or the status change; a rollback forgets them.
"""

import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus, User
from blogapp.responses import webhooks
from blogapp.responses.absent import assign_if_author_absent
from blogapp.responses.audit import Action, record

_KEY = "responses_pending"


def _pending(session: Session) -> dict:
    return session.info.setdefault(_KEY, {"replies": [], "status": [], "owed": []})


def _collect(session: Session, flush_context) -> None:
    for obj in session.new:
        if isinstance(obj, Comment) and obj.status == CommentStatus.PUBLISHED:
            if obj.parent_id is not None:
                _pending(session)["replies"].append(obj.id)
            _pending(session)["owed"].append(obj.id)
    for obj in session.dirty:
        if not isinstance(obj, Comment):
            continue
        history = sa.inspect(obj).attrs.status.history
        if history.added and history.deleted and history.added[0] != history.deleted[0]:
            _pending(session)["status"].append((obj.id, history.deleted[0], history.added[0]))


def _current_user() -> User | None:
    if not has_request_context():
        return None
    from flask_login import current_user

    return current_user if current_user.is_authenticated else None


def _act(session: Session) -> None:
    pending = session.info.pop(_KEY, None)
    if not pending:
        return
    from blogapp.responses.drafts import discard_draft
    from blogapp.responses.services import record_reply

    for reply_id in pending["replies"]:
        reply = session.get(Comment, reply_id)
        if reply is not None and reply.by_employee and reply.parent is not None:
            record_reply(reply.parent, reply)
            # Their reply kept from mail (drafts.py) is said now.
            discard_draft(reply.parent_id, reply.author)
    for comment_id, old, new in pending["status"]:
        _status_changed(session.get(Comment, comment_id), old, new)
    for comment_id in pending["owed"]:
        comment = session.get(Comment, comment_id)
        # A follow-up that joined an owed item is part of it, not a new item.
        if comment is not None and comment.joins_id is None and comment.by_customer:
            assign_if_author_absent(comment)
            webhooks.queue_event("owed", comment, at=comment.created_at)


def _status_changed(comment: Comment | None, old: str, new: str) -> None:
    if comment is None:
        return
    if new == CommentStatus.PUBLISHED and old == CommentStatus.HELD:
        record(Action.APPROVED, _current_user(), comment)
        from blogapp.responses.services import item_to_join

        # Whether it joins its conversation is decided as it becomes public: if that was
        # answered while it waited, it is a next reply with a clock of its own.
        comment.joins = item_to_join(comment.parent, comment.author, comment.guest_email)
        if comment.joins is None and comment.by_customer:
            assign_if_author_absent(comment)
            webhooks.queue_event("owed", comment)
    if old == CommentStatus.PUBLISHED and new in (CommentStatus.SPAM, CommentStatus.REMOVED):
        from blogapp.responses.services import regroup_follow_ups

        regroup_follow_ups(comment)
    if new == CommentStatus.SPAM:
        record(Action.SPAM, comment.removed_by or _current_user(), comment, reason="spam")
    elif new == CommentStatus.REMOVED:
        actor = comment.removed_by or _current_user()
        by_author = actor is not None and actor.id == comment.author_id
        action = Action.DELETED if by_author else Action.REMOVED
        record(action, actor, comment, detail=comment.removal_reason)


def _forget(session: Session, previous_transaction=None) -> None:
    session.info.pop(_KEY, None)


def _status_set(target, value, oldvalue, initiator):
    return value


def register() -> None:
    """Listen on every session once."""
    target = db.session.session_factory.class_
    if event.contains(target, "after_flush", _collect):
        return
    # Load the old status when a new one is set, so the flush sees the transition
    # even on a comment whose attributes had expired after a commit.
    event.listen(Comment.status, "set", _status_set, active_history=True, retval=True)
    event.listen(target, "after_flush", _collect)
    event.listen(target, "before_commit", _act)
    event.listen(target, "after_rollback", _forget)
