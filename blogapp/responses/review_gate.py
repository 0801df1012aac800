"""The gate every employee's reply passes: on a post whose author asked to approve replies
first, a reply (or a public note) by another employee is held as a ProposedReply instead of
published (ARCHITECTURE.md, "Replies that wait for review").

comments/services.post_comment (every reply: the queue, the post page, mail) and
responses/services.acknowledge (a note) ask here; nothing here commits.
"""

import sqlalchemy as sa
from flask import render_template, url_for

from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import Comment, Post, ProposalKind, ProposedReply, ReviewState, User
from blogapp.models.base import utcnow
from blogapp.responses.audit import Action, record


def review_needed(post: Post, author: User | None) -> bool:
    """Whether ``author``'s reply on ``post`` waits for the post author's approval: the
    author asked it (for this post, or for all their posts), the writer is another
    employee, and the author can still review (an account that cannot log in holds no
    one's replies)."""
    if not getattr(author, "is_employee", False) or author.id == post.author_id:
        return False
    owner = post.author
    if not (post.replies_need_review or owner.replies_need_review):
        return False
    return owner.is_employee and owner.is_active


def review_held_message(post: Post) -> str:
    """What the writer is told when their answer is held."""
    return (
        f"Sent for review: {post.author.display_name} approves answers on this post before "
        "they are published. The comment stays in the queue until then."
    )


def open_proposal(comment: Comment, author: User, kind: ProposalKind) -> ProposedReply | None:
    """``author``'s proposal of this kind on ``comment`` still waiting or sent back."""
    return db.session.scalar(
        sa.select(ProposedReply).where(
            ProposedReply.comment_id == comment.id,
            ProposedReply.author_id == author.id,
            ProposedReply.kind == kind.value,
            ProposedReply.state.in_(ReviewState.open()),
        )
    )


def hold_for_review(
    comment: Comment, author: User, text: str, kind: ProposalKind = ProposalKind.REPLY, now=None
) -> ProposedReply:
    """Put ``author``'s reply (or note) to ``comment`` in the post author's review queue.
    Sent twice (a double click, a resubmission after a send-back) it is one proposal,
    with the newer text. The comment stays owed; its due time does not move."""
    now = now or utcnow()
    proposal = open_proposal(comment, author, kind)
    if proposal is None:
        proposal = ProposedReply(comment=comment, author=author, kind=kind.value, created_at=now)
        db.session.add(proposal)
    again = proposal.state == ReviewState.RETURNED
    proposal.body_source = text
    proposal.state = ReviewState.WAITING.value
    proposal.submitted_at = now
    db.session.flush()
    record(
        Action.REVIEW_ASKED,
        author,
        comment,
        subject=comment.post.author,
        detail=f"{kind.value} {proposal.id}{' (sent again)' if again else ''}",
        at=now,
    )
    _mail_reviewer(proposal)
    return proposal


def _mail_reviewer(proposal: ProposedReply) -> None:
    comment, author = proposal.comment, proposal.author
    reviewer = comment.post.author
    body = render_template(
        "responses/mail_review_asked.txt",
        proposal=proposal,
        reviewer=reviewer,
        link=url_for("responses.reviews", _external=True),
    )
    subject = (
        f"{author.display_name}'s answer to {comment.author_name} on “{comment.post.title}” "
        "waits for your review"
    )
    queue_mail("review_asked", reviewer.email, subject, body)
