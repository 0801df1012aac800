"""Did this answer your question? The customer's verdict on an answer, and the reopening
a "No" makes (ARCHITECTURE.md, "Did this answer your question?").

- Only the item's author is asked (by the signed links of the answer's mail, or on the
  post page when signed in), so a verdict is one row an answer, replaced when they change
  their mind.
- "No" on the standing answer reopens the item: the acknowledgement is undone by the
  customer (audit ``reopened_didnt_help``), ``Comment.reopened_at`` starts its due clock
  again (``Comment.owed_since``), it stays with its assignee, and the assignee (and the
  employee who answered, if another) is mailed. A later answer acknowledges it again and
  asks again.
- "Yes" after that "No", while nobody has answered since, withdraws the reopening: the
  answer stands again and the clock is as it was (audit ``reopen_withdrawn``).
"""

import functools
from datetime import datetime

import sqlalchemy as sa
from flask import render_template, url_for

from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import Acknowledgement, AnswerFeedback, Comment, CommentStatus, User
from blogapp.models.base import utcnow
from blogapp.responses import webhooks
from blogapp.responses.audit import Action, record
from blogapp.responses.helped_links import AnswerRef, LinkRefused
from blogapp.responses.public import PUBLIC_KINDS
from blogapp.responses.services import (
    ResponseError,
    current_assignee,
    lock_comment,
    standing_acknowledgement,
)

NOTE_LENGTH = 1000


class FeedbackError(ResponseError):
    """A verdict that cannot be recorded; the message is for the customer."""


def answer_of(ref: AnswerRef) -> Acknowledgement:
    """The answer a link asks about, or LinkRefused when it is gone."""
    query = sa.select(Acknowledgement).where(Acknowledgement.comment_id == ref.item_id)
    if ref.reply_id is not None:
        query = query.where(Acknowledgement.reply_id == ref.reply_id)
    else:
        query = query.where(Acknowledgement.id == ref.acknowledgement_id)
    ack = db.session.scalar(query.order_by(Acknowledgement.id.desc()).limit(1))
    if ack is None:
        raise LinkRefused("This answer is no longer on the site, so there is nothing to rate.")
    return ack


def feedback_of(ack: Acknowledgement) -> AnswerFeedback | None:
    """The verdict given on ``ack``, if any."""
    return db.session.scalar(
        sa.select(AnswerFeedback).where(AnswerFeedback.acknowledgement_id == ack.id)
    )


def may_rate(ack: Acknowledgement, user) -> bool:
    """Whether signed-in ``user`` is the one asked about ``ack``: the item's author."""
    return bool(getattr(user, "is_authenticated", False)) and ack.comment.author_id == user.id


def _check_rateable(ack: Acknowledgement, feedback: AnswerFeedback | None) -> Comment:
    item = ack.comment
    if ack.kind not in PUBLIC_KINDS:
        raise FeedbackError("This comment was closed without an answer: there is nothing to rate.")
    if item.status != CommentStatus.PUBLISHED:
        raise FeedbackError("This comment is no longer published, so its answer cannot be rated.")
    reopened_by_them = feedback is not None and feedback.reopened_at is not None
    if ack.standing_comment_id is None and not reopened_by_them:
        raise FeedbackError(
            "This answer was withdrawn by the team, so it cannot be rated: "
            "the comment is waiting for a new answer."
        )
    return item


def rate_answer(
    ack: Acknowledgement, helped: bool, note: str | None, by: User | None, now=None
) -> AnswerFeedback:
    """Record the item's author's verdict on ``ack`` (``by``: their account, None for a
    guest following the mailed link); a "No" on the standing answer reopens the item."""
    lock_comment(ack.comment)
    feedback = feedback_of(ack)
    item = _check_rateable(ack, feedback)
    now = now or utcnow()
    note = (note or "").strip()[:NOTE_LENGTH] or None
    if feedback is None:
        feedback = AnswerFeedback(
            acknowledgement_id=ack.id, comment_id=item.id, helped=helped, created_at=now
        )
        db.session.add(feedback)
    feedback.helped, feedback.note, feedback.changed_at = helped, note, now
    record(
        Action.ANSWER_RATED, by, item, subject=ack.employee,
        reason="yes" if helped else "no", detail=note, at=now,
    )  # fmt: skip
    if not helped and ack.standing_comment_id == item.id:
        _reopen(item, ack, feedback, by, now)
    elif helped and feedback.reopened_at is not None and _still_latest(item, ack):
        _withdraw_reopening(item, ack, feedback, by, now)
    # The tracker's stamp and the post page's move with the item's changed_at.
    item.changed_at = now
    db.session.commit()
    return feedback


def _still_latest(item: Comment, ack: Acknowledgement) -> bool:
    """Nobody has answered ``item`` since ``ack``: its reopening can be withdrawn."""
    newest = db.session.scalar(
        sa.select(sa.func.max(Acknowledgement.id)).where(Acknowledgement.comment_id == item.id)
    )
    return newest == ack.id and standing_acknowledgement(item) is None


def _reopen(item: Comment, ack: Acknowledgement, feedback, by: User | None, now: datetime):
    feedback.round_started_at = item.owed_since
    feedback.reopened_at = now
    ack.standing_comment_id = None
    ack.undone_at, ack.undone_by_id = now, by.id if by is not None else None
    item.reopened_at = now
    item.due_warned_at = None  # a new wait may be warned about
    record(
        Action.REOPENED, by, item, subject=ack.employee, reason=ack.kind,
        detail=feedback.note, at=now,
    )  # fmt: skip
    webhooks.queue_event("owed", item, at=now)
    _mail_reopened(item, ack, feedback)


def _withdraw_reopening(item: Comment, ack, feedback, by: User | None, now: datetime):
    started = feedback.round_started_at
    item.reopened_at = None if started is None or started == item.created_at else started
    feedback.reopened_at = feedback.round_started_at = None
    ack.standing_comment_id = item.id
    ack.undone_at = ack.undone_by_id = None
    record(Action.REOPEN_WITHDRAWN, by, item, subject=ack.employee, reason=ack.kind, at=now)
    webhooks.queue_event("acknowledged", item, employee=ack.employee, kind=ack.kind, at=now)


def _mail_reopened(item: Comment, ack: Acknowledgement, feedback: AnswerFeedback) -> None:
    """Tell the assignee (and the employee who answered, if another) the item is owed again."""
    assignee = current_assignee(item)
    told = [assignee]
    if ack.employee.id != assignee.id and ack.employee.is_active and ack.employee.is_employee:
        told.append(ack.employee)
    subject = f"Didn't help: {item.author_name} reopened their comment on “{item.post.title}”"
    for person in told:
        body = render_template(
            "responses/mail_reopened.txt",
            comment=item,
            person=person,
            assignee=assignee,
            answered_by=ack.employee,
            note=feedback.note,
            link=url_for("comments.permalink", comment_id=item.id, _external=True),
            queue=url_for("responses.queue", view="mine", _external=True),
        )
        queue_mail("response_reopened", person.email, subject, body)


def own_answers(post_id: int, user_id: int) -> list[tuple[int, int, bool | None]]:
    """The standing public answers to ``user_id``'s comments on the post, as (the comment
    the answer is shown under, the acknowledgement, their verdict so far): one query."""
    rows = db.session.execute(_own_answers(), {"post": post_id, "author": user_id}).all()
    return [tuple(row) for row in rows]


@functools.cache
def _own_answers() -> sa.Select:
    """Built once: a signed-in reader's every view of a post they commented on asks."""
    reply = sa.orm.aliased(Comment)
    return (
        sa.select(
            sa.func.coalesce(reply.parent_id, Acknowledgement.comment_id),
            Acknowledgement.id,
            AnswerFeedback.helped,
        )
        .join(Comment, Comment.id == Acknowledgement.comment_id)
        .outerjoin(reply, reply.id == Acknowledgement.reply_id)
        .outerjoin(AnswerFeedback, AnswerFeedback.acknowledgement_id == Acknowledgement.id)
        .where(
            Comment.post_id == sa.bindparam("post"),
            Comment.author_id == sa.bindparam("author"),
            Acknowledgement.standing_comment_id.is_not(None),
            Acknowledgement.kind.in_(PUBLIC_KINDS),
        )
    )
