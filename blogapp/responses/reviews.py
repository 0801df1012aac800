"""The post author's review of replies that wait for them (ARCHITECTURE.md, "Replies that
wait for review"): approve (as written or edited), send back with a note, and what the
writer does next (edit and send again, withdraw). The switches that turn it on.

Approving publishes through the one reply path (comments/services.add_comment, or
responses/services.acknowledge for a public note), so the acknowledgement, mails, search
and webhooks happen then, under the writer's name, as for any reply.
"""

import sqlalchemy as sa
from flask import render_template, url_for

from blogapp.comments.rules import CommentRejected
from blogapp.comments.services import add_comment, post_comment
from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import Comment, Post, ProposalKind, ProposedReply, ReviewState, Role, User
from blogapp.models.base import utcnow
from blogapp.responses import services
from blogapp.responses.audit import Action, record


class ReviewError(services.ResponseError):
    """A review action that cannot be done; the message is for the person who tried."""


def may_review(user, proposal: ProposedReply) -> bool:
    """Only the post's author approves or sends back: the review is theirs to give (an
    admin can turn the requirement off on the People page, which is audited)."""
    return getattr(user, "is_employee", False) and user.id == proposal.comment.post.author_id


def _take(proposal: ProposedReply, reviewer: User, state: ReviewState, now) -> None:
    """Move a waiting proposal to ``state``, or refuse: a conditional UPDATE, so of two
    clicks (or two tabs) only one approves."""
    if not may_review(reviewer, proposal):
        raise ReviewError("Only the post's author can review answers on it.")
    moved = db.session.execute(
        sa.update(ProposedReply)
        .where(ProposedReply.id == proposal.id, ProposedReply.state == ReviewState.WAITING.value)
        .values(state=state.value, reviewer_id=reviewer.id, reviewed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        db.session.rollback()
        raise ReviewError("This answer is no longer waiting for review.")
    db.session.refresh(proposal)


def approve(proposal: ProposedReply, reviewer: User, text: str | None = None, now=None):
    """Publish the proposal as its writer's reply (or note), ``text`` if the reviewer
    edited it; the comment is answered now, at its unchanged due time."""
    now = now or utcnow()
    text = (proposal.body_source if text is None else text).strip()
    if not text:
        raise ReviewError("The answer is empty: write it, or send it back with a note.")
    if not proposal.author.is_employee:  # published now, it would be a customer's comment
        raise ReviewError(
            f"{proposal.author.display_name} is no longer an employee: send it back, "
            "or answer the comment yourself."
        )
    edited = text != proposal.body_source.strip()
    _take(proposal, reviewer, ReviewState.PUBLISHED, now)
    proposal.body_source = text
    record(
        Action.REVIEW_APPROVED,
        reviewer,
        proposal.comment,
        subject=proposal.author,
        detail=f"{proposal.kind} {proposal.id}{', edited,' if edited else ''}"
        f" approved by {reviewer.display_name}",
        at=now,
    )
    try:
        if proposal.kind == ProposalKind.NOTE:  # acknowledge() commits it all
            return services.acknowledge(
                proposal.comment, proposal.author, text, now=now, approved_by=reviewer
            )
        published = add_comment(
            proposal.comment.post,
            text,
            author=proposal.author,
            parent_id=proposal.comment_id,
            now=now,
            approved_by=reviewer,
        )
    except (CommentRejected, services.ResponseError) as error:
        db.session.rollback()
        raise ReviewError(f"Not published: {error}") from None
    proposal.reply_id = published.id
    db.session.commit()
    return published


def send_back(proposal: ProposedReply, reviewer: User, note: str, now=None) -> None:
    """Return the proposal to its writer with a note; their text is kept for them."""
    note = (note or "").strip()
    if not note:
        raise ReviewError("Please say what should change, so the writer knows.")
    if len(note) > 1000:
        raise ReviewError("Please keep the note under 1,000 characters.")
    now = now or utcnow()
    _take(proposal, reviewer, ReviewState.RETURNED, now)
    proposal.review_note = note
    record(
        Action.REVIEW_RETURNED,
        reviewer,
        proposal.comment,
        subject=proposal.author,
        detail=note,
        at=now,
    )
    body = render_template(
        "responses/mail_review_returned.txt",
        proposal=proposal,
        link=url_for("responses.reviews", _external=True),
    )
    subject = f"{reviewer.display_name} sent back your answer to {proposal.comment.author_name}"
    queue_mail("review_returned", proposal.author.email, subject, body)
    db.session.commit()


def _check_writer(proposal: ProposedReply, employee: User) -> None:
    if employee is None or proposal.author_id != employee.id:
        raise ReviewError("Only its writer can change an answer that waits for review.")
    if not proposal.is_open:
        raise ReviewError("This answer is no longer waiting for review.")


def send_again(proposal: ProposedReply, employee: User, text: str, now=None):
    """The writer's edited text goes back to the reviewer, through the reply path again:
    if the post needs no review any more, it is published at once."""
    _check_writer(proposal, employee)
    text = (text or "").strip()
    if not text:
        raise ReviewError("Please write your answer before sending it.")
    comment = proposal.comment
    if proposal.kind == ProposalKind.NOTE:
        result = services.acknowledge(comment, employee, text, now=now)
    else:
        result = post_comment(comment.post, text, author=employee, parent_id=comment.id, now=now)
    if not isinstance(result, ProposedReply):  # published: no review needed any more
        proposal.state = ReviewState.PUBLISHED.value
        proposal.reply_id = result.id if isinstance(result, Comment) else None
        db.session.commit()
    return result


def withdraw(proposal: ProposedReply, employee: User) -> None:
    """The writer takes back an answer that waits (or was sent back)."""
    _check_writer(proposal, employee)
    proposal.state = ReviewState.WITHDRAWN.value
    record(Action.REVIEW_WITHDRAWN, employee, proposal.comment, detail=f"{proposal.kind}")
    db.session.commit()


# --- the switches ----------------------------------------------------------------------


def require_review(author: User, on: bool, by: User) -> bool:
    """Turn on or off the review of employees' answers on all of ``author``'s posts: the
    author themself, or an admin. Returns whether anything changed."""
    if not author.is_employee:
        raise ReviewError("Only employees write posts, so only they can review answers.")
    if by.id != author.id and not by.has_role(Role.ADMIN):
        raise ReviewError("Only the author or an admin can change this.")
    return _switch(author, on, by, subject=author, what="all posts")


def require_review_on_post(post: Post, on: bool, by: User) -> bool:
    """Turn the review on or off for one post: its author's choice."""
    if by.id != post.author_id:
        raise ReviewError("Only the post's author can change this.")
    return _switch(post, on, by, subject=by, what=f"post {post.id}", post_id=post.id)


def _switch(target, on: bool, by: User, *, subject: User, what: str, post_id=None) -> bool:
    if target.replies_need_review == on:
        return False
    target.replies_need_review = on
    event = record(
        Action.REVIEW_SETTING, by, subject=subject, detail=f"{what}: {'on' if on else 'off'}"
    )
    event.post_id = post_id
    db.session.commit()
    return True
