"""The response tracker's rules: what is owed, acknowledging, closing, undoing (assigning
is in assigning.py).

Each service takes the acting user explicitly, checks the named permission, writes
the audit event and the webhook event in the same transaction, and commits.
"""

from datetime import datetime

import sqlalchemy as sa

from blogapp.comments import notify
from blogapp.extensions import db
from blogapp.models import (
    AckKind,
    Acknowledgement,
    Assignment,
    CloseReason,
    Comment,
    CommentStatus,
    PrivateConversation,
    ProposalKind,
    User,
    owed_clause,
)
from blogapp.models.base import utcnow
from blogapp.responses import webhooks
from blogapp.responses.audit import Action, channel_note, record
from blogapp.responses.review_gate import hold_for_review, review_needed
from blogapp.responses.sla import Clock
from blogapp.sitesettings.store import site_settings


class ResponseError(Exception):
    """A response action that cannot be done; the message is for the person who tried."""


def clock() -> Clock:
    """The site's SLA clock (as the site settings describe it now)."""
    return Clock.from_config(site_settings())


# --- who may do what -------------------------------------------------------------------


def can_acknowledge(user, comment: Comment) -> bool:
    return bool(getattr(user, "is_employee", False)) and comment.by_customer


def can_moderate(user) -> bool:
    return bool(getattr(user, "is_moderator", False))


# --- what is owed (the rule itself is models.response.owed_clause) ---------------------


def owed_ids() -> set[int]:
    """The ids of every owed comment (tests and the digest use it)."""
    return set(db.session.scalars(sa.select(Comment.id).where(owed_clause())))


def is_owed(comment: Comment) -> bool:
    """owed_clause() for one comment in the session."""
    return comment.is_tracked and standing_acknowledgement(comment) is None


def item_to_join(parent: Comment | None, author: User | None, guest_email: str | None):
    """The owed item a new comment joins, or None: a customer's reply to their own comment
    while that comment's conversation is still owed (ARCHITECTURE.md, one conversation, one item).
    A reply after an employee's answer starts a new item, with its own due time."""
    if parent is None or getattr(author, "is_employee", False):
        return None
    if not parent.written_by(author.id if author else None, guest_email):
        return None
    item = parent.joins or parent
    return item if is_owed(item) else None


def conversation_item(comment: Comment) -> Comment:
    """The queue item a comment belongs to: the one it joined, or itself."""
    return comment.joins or comment


def regroup_follow_ups(item: Comment) -> None:
    """``item`` left the queue by removal while still owed: its oldest published follow-up
    becomes the conversation's item and the others join that one, so no customer message
    falls out of the queue. (Follow-ups of an answered item were answered with it.)"""
    if standing_acknowledgement(item) is not None:
        return
    follow_ups = db.session.scalars(
        sa.select(Comment)
        .where(Comment.joins_id == item.id, Comment.status == CommentStatus.PUBLISHED.value)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    if follow_ups:
        first, *rest = follow_ups
        first.joins = None
        for comment in rest:
            comment.joins = first


def standing_acknowledgement(comment: Comment) -> Acknowledgement | None:
    return db.session.scalar(
        sa.select(Acknowledgement).where(Acknowledgement.standing_comment_id == comment.id)
    )


def current_assignee(comment: Comment) -> User:
    """The assigned employee, or by default the post's author."""
    assigned = db.session.scalar(
        sa.select(User)
        .join(Assignment, Assignment.assignee_id == User.id)
        .where(Assignment.current_comment_id == comment.id)
    )
    return assigned or comment.post.author


# --- acknowledging ---------------------------------------------------------------------


def _touch(comment: Comment, now: datetime) -> None:
    # The post page's caches key on the newest changed_at of the post's comments.
    comment.changed_at = now


def _add_ack(comment: Comment, employee: User, kind: AckKind, now: datetime, **fields):
    ack = Acknowledgement(
        comment=comment,
        standing_comment_id=comment.id,
        kind=kind.value,
        employee_id=employee.id,
        created_at=now,
        **fields,
    )
    db.session.add(ack)
    _touch(comment, now)
    webhooks.queue_event("acknowledged", comment, employee=employee, kind=kind.value, at=now)
    return ack


def lock_comment(comment: Comment) -> None:
    """Hold the comment's row until commit, so two employees acting on it at once take turns.

    Without it, two replies or acknowledgements at the same moment on PostgreSQL both saw
    "not yet answered" and the second commit failed on the one-standing-acknowledgement
    constraint. FOR NO KEY UPDATE, because a reply being written already holds a key-share
    lock on its parent: a plain FOR UPDATE there made two concurrent replies deadlock.
    SQLite has no row locks; there the one-standing-acknowledgement constraint refuses the
    loser, which the error pages answer with a 409.
    """
    db.session.execute(
        sa.select(Comment.id).where(Comment.id == comment.id).with_for_update(key_share=True)
    )


def _check_owed(comment: Comment) -> None:
    lock_comment(comment)
    if comment.status != CommentStatus.PUBLISHED:
        raise ResponseError("This comment is not published, so it is not owed an answer.")
    if not comment.by_customer:
        raise ResponseError("Comments by employees are never owed an answer.")
    if standing_acknowledgement(comment) is not None:
        raise ResponseError("Someone has already answered this comment.")


def acknowledge(
    comment: Comment,
    employee: User,
    note: str | None = None,
    now=None,
    notify_author=True,
    approved_by: User | None = None,
):
    """Mark a customer comment seen, with an optional public note (mailed to its author
    unless ``notify_author`` is off: the demo seeds history, it tells nobody). A note waits
    for review like a reply (review_gate.py) unless ``approved_by`` the post's author."""
    comment = conversation_item(comment)  # a follow-up is answered with its item
    if not getattr(employee, "is_employee", False):
        raise ResponseError("Only employees can acknowledge comments.")
    _check_owed(comment)
    now = now or utcnow()
    note = (note or "").strip()[:500] or None
    if note and approved_by is None and review_needed(comment.post, employee):
        proposal = hold_for_review(comment, employee, note, ProposalKind.NOTE, now)
        db.session.commit()
        return proposal
    ack = _add_ack(comment, employee, AckKind.ACKNOWLEDGED, now, public_note=note)
    record(Action.ACKNOWLEDGED, employee, comment, detail=note, at=now)
    if note and notify_author:
        notify.comment_acknowledged(comment, employee, note, ack=ack)
    db.session.commit()
    return ack


def close_without_response(
    comment: Comment, moderator: User, reason: str, note: str | None = None, now=None
):
    """A moderator closes a comment that needs no answer, with a reason code."""
    comment = conversation_item(comment)  # a follow-up is answered with its item
    if not can_moderate(moderator):
        raise ResponseError("Only moderators can close a comment without an answer.")
    if reason not in CloseReason.chosen_by_moderators():
        raise ResponseError("Please choose why this comment needs no response.")
    _check_owed(comment)
    now = now or utcnow()
    note = (note or "").strip()[:1000] or None
    ack = _add_ack(
        comment, moderator, AckKind.NO_RESPONSE_NEEDED, now, reason=reason, internal_note=note
    )
    record(Action.CLOSED, moderator, comment, reason=reason, detail=note, at=now)
    db.session.commit()
    return ack


def record_reply(parent: Comment, reply: Comment) -> Acknowledgement | None:
    """An employee replied to ``parent``: acknowledge its conversation's item, in the
    reply's transaction (a reply to a follow-up answers the whole conversation)."""
    item = conversation_item(parent)
    if item.status != CommentStatus.PUBLISHED or not item.by_customer:
        return None
    lock_comment(item)
    if standing_acknowledgement(item) is not None:
        return None
    employee = reply.author
    ack = _add_ack(item, employee, AckKind.REPLY, reply.created_at, reply_id=reply.id)
    note = f"reply {reply.id}{channel_note()}"
    record(Action.REPLIED, employee, item, detail=note, at=reply.created_at)
    return ack


def undo(comment: Comment, moderator: User, now=None) -> Acknowledgement:
    """A moderator withdraws the standing acknowledgement: the comment is owed again."""
    comment = conversation_item(comment)  # a follow-up is answered with its item
    if not can_moderate(moderator):
        raise ResponseError("Only moderators can undo an acknowledgement.")
    lock_comment(comment)
    ack = standing_acknowledgement(comment)
    if ack is None:
        raise ResponseError("This comment has no acknowledgement to undo.")
    now = now or utcnow()
    ack.standing_comment_id = None
    ack.undone_at, ack.undone_by_id = now, moderator.id
    comment.due_warned_at = None  # owed again: a new wait may be warned about
    if ack.kind == AckKind.PRIVATE:  # back to the public queue (blogapp/private)
        db.session.execute(PrivateConversation.return_to_public(comment.id))
    _touch(comment, now)
    record(Action.UNDONE, moderator, comment, reason=ack.kind, subject=ack.employee, at=now)
    if comment.status == CommentStatus.PUBLISHED:
        webhooks.queue_event("owed", comment, at=now)
    db.session.commit()
    return ack
