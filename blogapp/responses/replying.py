"""Never answering twice: who has a reply box open on which comment ("Priya is
replying…"), and whether someone else answered a comment since a reply box was opened.

Presence is a row a comment and employee (``reply_presence``), so every worker and host
sees it; a box counts as open until PRESENCE_SECONDS pass without a heartbeat. Only
employees ever write or read it: the anonymous post page never asks.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import aliased

from blogapp.extensions import db
from blogapp.models import AckKind, Acknowledgement, Comment, CommentStatus, User
from blogapp.models.base import utcnow
from blogapp.models.replying import ReplyPresence
from blogapp.query_args import MAX_ID
from blogapp.responses.services import ResponseError, conversation_item

PRESENCE_SECONDS = 120
# A poll asks about at most this many comments (a queue page shows at most 500; the
# page's script asks about those it shows, a few at a time).
MAX_POLLED = 500
# How far back an "opened" stamp may reach: older forms are asked to confirm anyway.
MAX_OPEN_AGE = timedelta(days=7)


def note_replying(comment: Comment, user: User, now: datetime | None = None) -> None:
    """``user`` opened (or still has open) a reply box on ``comment``; commits."""
    if not user.is_employee:
        return
    now = now or utcnow()
    updated = db.session.execute(
        sa.update(ReplyPresence)
        .where(ReplyPresence.comment_id == comment.id, ReplyPresence.user_id == user.id)
        .values(seen_at=now)
    ).rowcount
    if not updated:
        db.session.add(
            ReplyPresence(comment_id=comment.id, user_id=user.id, started_at=now, seen_at=now)
        )
    # Stale rows of anyone go with the writes; reads ignore them anyway.
    db.session.execute(sa.delete(ReplyPresence).where(ReplyPresence.seen_at < now - _window() * 10))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same person's other tab inserted it first
        db.session.rollback()


def stop_replying(comment_id: int, user: User) -> None:
    """``user`` closed the reply box (or sent the reply); commits."""
    db.session.execute(
        sa.delete(ReplyPresence).where(
            ReplyPresence.comment_id == comment_id, ReplyPresence.user_id == user.id
        )
    )
    db.session.commit()


def _window() -> timedelta:
    return timedelta(seconds=PRESENCE_SECONDS)


def replying_on(comment_ids, viewer: User, now: datetime | None = None) -> dict[int, list[str]]:
    """The other employees with a reply box open on each of ``comment_ids``, by name."""
    ids = sorted({int(i) for i in comment_ids if int(i) <= MAX_ID})[:MAX_POLLED]
    if not ids or not viewer.is_employee:
        return {}
    return _names(ReplyPresence.comment_id.in_(ids), viewer, now)


def replying_on_post(post_id: int, viewer: User, now: datetime | None = None):
    """The same for every comment of one post (the post page, for employees only)."""
    if not viewer.is_employee or post_id > MAX_ID:
        return {}
    on_post = ReplyPresence.comment_id.in_(sa.select(Comment.id).where(Comment.post_id == post_id))
    return _names(on_post, viewer, now)


def _names(where, viewer: User, now: datetime | None) -> dict[int, list[str]]:
    since = (now or utcnow()) - _window()
    rows = db.session.execute(
        sa.select(ReplyPresence.comment_id, User.display_name)
        .join(User, User.id == ReplyPresence.user_id)
        .where(where, ReplyPresence.seen_at >= since, ReplyPresence.user_id != viewer.id)
        .order_by(ReplyPresence.comment_id, ReplyPresence.started_at)
    )
    found: dict[int, list[str]] = {}
    for comment_id, name in rows:
        found.setdefault(comment_id, []).append(name)
    return found


# --- answered since the box was opened ---------------------------------------------------


def opened_stamp(now: datetime | None = None) -> str:
    """What a reply form carries to say when it was drawn: milliseconds since the epoch."""
    moment = now or utcnow()
    return str(int((moment - datetime(1970, 1, 1)).total_seconds() * 1000))


def read_opened(value: str | None) -> datetime | None:
    """The moment a form's stamp names; None for a missing or malformed one."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 15:
        return None
    return datetime(1970, 1, 1) + timedelta(milliseconds=int(value))


@dataclass(frozen=True)
class OtherAnswer:
    """What someone else did to the comment after the reply box was opened."""

    name: str
    at: datetime
    kind: str  # an AckKind value, or "reply" for a further staff reply
    body_html: str | None  # their reply, rendered
    note: str | None  # an acknowledgement's public note

    @property
    def verb(self) -> str:
        if self.kind == AckKind.ACKNOWLEDGED:
            return "marked it as seen"
        if self.kind == AckKind.NO_RESPONSE_NEEDED:
            return "closed it: no response needed"
        return "answered"


class AnsweredSince(ResponseError):
    """Someone else answered the comment after this reply box was opened."""

    def __init__(self, answer: OtherAnswer):
        super().__init__(
            f"{answer.name} {answer.verb} after you opened this reply box. Your text is kept: "
            "read their answer, then send yours anyway or leave it."
        )
        self.answer = answer


def answered_since(comment: Comment, me: User, opened: datetime | None) -> OtherAnswer | None:
    """The newest answer by another employee to ``comment``'s conversation after ``opened``
    (a reply under it, or an acknowledgement of its item); None when there is none. A form
    without a stamp (drawn before this existed) is not asked about."""
    if opened is None:
        return None
    opened = max(opened, utcnow() - MAX_OPEN_AGE)
    item = conversation_item(comment)
    author = aliased(User)
    in_conversation = sa.or_(Comment.id == item.id, Comment.joins_id == item.id)
    parents = sa.select(Comment.id).where(in_conversation)
    reply = aliased(Comment)
    found = db.session.execute(
        sa.select(reply, author)
        .join(author, author.id == reply.author_id)
        .where(
            reply.parent_id.in_(parents),
            reply.status == CommentStatus.PUBLISHED.value,
            reply.created_at > opened,
            reply.author_id != me.id,
            author.employee_clause(),
        )
        .order_by(reply.created_at.desc(), reply.id.desc())
        .limit(1)
    ).first()
    ack = db.session.scalars(
        sa.select(Acknowledgement)
        .where(
            Acknowledgement.comment_id == item.id,
            Acknowledgement.created_at > opened,
            Acknowledgement.employee_id != me.id,
            Acknowledgement.kind != AckKind.REPLY.value,  # its reply is found above
        )
        .order_by(Acknowledgement.created_at.desc())
        .limit(1)
    ).first()
    answers = []
    if found is not None:
        answers.append(
            OtherAnswer(
                found[1].display_name, found[0].created_at, "reply", found[0].body_html, None
            )
        )
    if ack is not None:
        answers.append(
            OtherAnswer(ack.employee.display_name, ack.created_at, ack.kind, None, ack.public_note)
        )
    return max(answers, key=lambda a: a.at) if answers else None


def check_not_answered_since(comment: Comment, me: User, opened: datetime | None) -> None:
    """Raise AnsweredSince when someone else answered after ``opened``."""
    answer = answered_since(comment, me, opened)
    if answer is not None:
        raise AnsweredSince(answer)


def describe(names: list[str]) -> str:
    """ "Priya is replying…", "Priya and Sam are replying…", "Priya and 2 others are…"."""
    if len(names) == 1:
        return f"{names[0]} is replying…"
    if len(names) == 2:
        return f"{names[0]} and {names[1]} are replying…"
    return f"{names[0]} and {len(names) - 1} others are replying…"


def replying_now_on(post_id: int) -> list[tuple[int, str, str]]:
    """For the post page, employees only: (comment id, "Priya is replying…", the comment's
    author) for each comment of the post someone else is answering now."""
    found = replying_on_post(post_id, current_user) if current_user.is_authenticated else {}
    if not found:
        return []
    comments = db.session.scalars(sa.select(Comment).where(Comment.id.in_(found)))
    authors = {c.id: c.author_name for c in comments}
    return [(cid, describe(names), authors.get(cid, "")) for cid, names in sorted(found.items())]


def register_template_helpers(app) -> None:
    """``replying_now_on(post_id)``, ``replying_opened()`` and
    ``saved_reply_options(comment)`` for templates."""
    from blogapp.responses.answer_page import saved_options

    app.jinja_env.globals.update(
        replying_now_on=replying_now_on,
        replying_opened=opened_stamp,
        saved_reply_options=lambda comment: saved_options(current_user, comment),
    )
