"""What the public sees of the tracker: "Answered by …" on comments, a post's answer rate,
an employee's answer count, and the site's typical response time."""

import functools
import statistics
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import aliased

from blogapp.extensions import db
from blogapp.models import (
    AckKind,
    Acknowledgement,
    Comment,
    PrivateConversation,
    PrivateStatus,
    User,
    owed_clause,
)
from blogapp.models.base import utcnow
from blogapp.responses.sla import describe

PUBLIC_KINDS = (AckKind.REPLY.value, AckKind.ACKNOWLEDGED.value)
# Shown on the comment too, but never an answer in the public figures: "Taken to private
# support by …" says who took it, not that it was answered (blogapp/private).
SHOWN_KINDS = (*PUBLIC_KINDS, AckKind.PRIVATE.value)


@dataclass(frozen=True, slots=True)
class PublicAnswer:
    label: str  # "Answered by", "Seen by" or "Taken to private support by"
    name: str
    job_title: str | None
    url: str
    later: str | None  # "2 h later"; None for a private hand-off
    note: str | None
    reply_id: int | None
    resolved: str | None = None  # "Resolved privately · 2 h later" (from taken to resolved)


@functools.cache
def _answers_statement() -> sa.Select:
    """The standing public acknowledgements of the comments ``:ids``: built once (building
    it cost more than running it, on a page of a hundred comments)."""
    reply = aliased(Comment)
    return (
        sa.select(
            # "Answered by" goes under the message the employee replied to (a follow-up,
            # say), "Seen by" under the acknowledged comment.
            sa.func.coalesce(reply.parent_id, Acknowledgement.comment_id),
            Acknowledgement.kind,
            Acknowledgement.created_at,
            Acknowledgement.public_note,
            Acknowledgement.reply_id,
            Comment.created_at,
            User.display_name,
            User.job_title,
            User.slug,
            PrivateConversation.status,
            PrivateConversation.resolved_at,
        )
        .join(Comment, Comment.id == Acknowledgement.comment_id)
        .join(User, User.id == Acknowledgement.employee_id)
        .outerjoin(reply, reply.id == Acknowledgement.reply_id)
        .outerjoin(
            PrivateConversation,
            sa.and_(
                Acknowledgement.kind == AckKind.PRIVATE.value,
                PrivateConversation.comment_id == Acknowledgement.comment_id,
            ),
        )
        .where(
            Acknowledgement.standing_comment_id.in_(sa.bindparam("ids", expanding=True)),
            Acknowledgement.kind.in_(SHOWN_KINDS),
        )
    )


def public_answers(comment_ids) -> dict[int, PublicAnswer]:
    """The standing public acknowledgement of each comment that has one, in one query."""
    ids = list(comment_ids)
    if not ids:
        return {}
    rows = db.session.execute(_answers_statement(), {"ids": ids}).all()
    profiles: dict[str, str] = {}
    answers = {}
    for cid, kind, at, note, reply_id, created, name, title, slug, status, resolved in rows:
        if slug not in profiles:
            profiles[slug] = url_for("blog.author", slug=slug)
        if kind == AckKind.PRIVATE:
            done = status == PrivateStatus.RESOLVED and resolved is not None
            answers[cid] = PublicAnswer(
                label="Taken to private support by",
                name=name,
                job_title=title,
                url=profiles[slug],
                later=None,
                note=None,
                reply_id=None,
                resolved=f"Resolved privately · {describe(resolved - at)} later" if done else None,
            )
            continue
        answers[cid] = PublicAnswer(
            label="Answered by" if kind == AckKind.REPLY else "Seen by",
            name=name,
            job_title=title,
            url=profiles[slug],
            later=f"{describe(at - created)} later",
            note=note,
            reply_id=reply_id,
        )
    return answers


@dataclass(frozen=True)
class PostSummary:
    answered: int
    questions: int
    median: str | None

    @property
    def text(self) -> str:
        noun = "question" if self.questions == 1 else "questions"
        text = f"{self.answered} of {self.questions} {noun} answered"
        return f"{text}, median first response {self.median}" if self.median else text


@functools.cache
def _first_responses(since: bool) -> sa.Select:
    """Each tracked comment's creation and its standing acknowledgement, of the post
    ``:post``, or (``since``) site-wide since ``:since`` and answered in public. Built
    once: the tracked clause's construction cost more than the query."""
    where = (
        (Comment.created_at >= sa.bindparam("since"), Acknowledgement.kind.in_(PUBLIC_KINDS))
        if since
        else (Comment.post_id == sa.bindparam("post"),)
    )
    return (
        sa.select(Comment.created_at, Acknowledgement.kind, Acknowledgement.created_at)
        .outerjoin(Acknowledgement, Acknowledgement.standing_comment_id == Comment.id)
        .where(Comment.tracked_clause(), *where)
    )


def post_summary(post_id: int) -> PostSummary | None:
    """ "N of M questions answered, median first response 3 h" for one post."""
    rows = db.session.execute(_first_responses(since=False), {"post": post_id}).all()
    # Closes and private hand-offs are neither asked nor answered in public.
    asked = [r for r in rows if r[1] not in (AckKind.NO_RESPONSE_NEEDED, AckKind.PRIVATE)]
    if not asked:
        return None
    waits = [at - created for created, kind, at in asked if kind in PUBLIC_KINDS]
    median = describe(statistics.median(waits)) if waits else None
    return PostSummary(len(waits), len(asked), median)


def answered_count(user_id: int) -> int:
    """How many customer comments this employee has answered or acknowledged."""
    return db.session.scalar(
        sa.select(sa.func.count(Acknowledgement.id)).where(
            Acknowledgement.employee_id == user_id,
            Acknowledgement.standing_comment_id.is_not(None),
            Acknowledgement.kind.in_(PUBLIC_KINDS),
        )
    )


@dataclass(frozen=True)
class AnswerRate:
    """Met the SLA ÷ (met + missed), by the metrics page's definitions ("How we count")."""

    met: int
    missed: int

    @property
    def share(self) -> float | None:
        decided = self.met + self.missed
        return self.met / decided if decided else None

    @property
    def percent(self) -> str:
        return f"{round(self.share * 100)}%" if self.share is not None else "—"


@dataclass(frozen=True)
class PersonRates:
    on_their_posts: AnswerRate  # customers' questions on the posts they wrote
    their_answers: AnswerRate  # their own replies and acknowledgements: in time or late


def person_rates(user_id: int, days: int = 90) -> PersonRates:
    """An employee's public answer rates over the last ``days`` days, in one query: the
    questions on their posts (still waiting past due counts as missed), and their own
    answers (in time or late)."""
    from blogapp.models import Post
    from blogapp.responses.services import clock

    now = utcnow()
    rows = db.session.execute(
        sa.select(
            Comment.owed_since,
            Acknowledgement.kind,
            Acknowledgement.created_at,
            Acknowledgement.employee_id,
            Post.author_id,
        )
        .join(Post, Post.id == Comment.post_id)
        .outerjoin(Acknowledgement, Acknowledgement.standing_comment_id == Comment.id)
        .where(
            Comment.tracked_clause(),
            Comment.created_at >= now - timedelta(days=days),
            sa.or_(Post.author_id == user_id, Acknowledgement.employee_id == user_id),
        )
    ).all()
    sla = clock()
    posts = [0, 0]
    own = [0, 0]
    for created, kind, at, by, author in rows:
        if kind in (AckKind.NO_RESPONSE_NEEDED, AckKind.PRIVATE):
            continue  # public rates: no public answer was given (the metrics page times it)
        due = sla.due_at(created)
        if kind is None:
            if author == user_id and now >= due:
                posts[1] += 1
            continue
        late = int(at > due)
        if author == user_id:
            posts[late] += 1
        if by == user_id:
            own[late] += 1
    return PersonRates(AnswerRate(*posts), AnswerRate(*own))


def typical_response_time(days: int = 90) -> str | None:
    """The median time to a first public answer over the last ``days`` days."""
    since = utcnow() - timedelta(days=days)
    rows = db.session.execute(_first_responses(since=True), {"since": since}).all()
    waits = [at - created for created, _, at in rows]
    return describe(statistics.median(waits)) if waits else None


def owed_counts(post_ids) -> dict[int, int]:
    """How many comments each post owes an answer, in one query."""
    ids = list(post_ids)
    if not ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Comment.post_id, sa.func.count(Comment.id))
            .where(Comment.post_id.in_(ids), owed_clause())
            .group_by(Comment.post_id)
        ).all()
    )


def staff_counts() -> tuple[int, int]:
    """(owed, overdue) for the staff navigation, counted once a request."""
    from flask import g

    from blogapp.responses.owed_list import owed_and_overdue

    if "staff_counts" not in g:
        g.staff_counts = owed_and_overdue()
    return g.staff_counts


def register_template_helpers(app) -> None:
    app.jinja_env.globals.update(
        response_staff_counts=staff_counts,
        response_post_summary=post_summary,
        response_answered_count=answered_count,
        response_person_rates=person_rates,
        response_typical_time=typical_response_time,
        response_owed_counts=owed_counts,
    )
