"""Who hears about a newly published comment, by mail through the outbox."""

import sqlalchemy as sa
from flask import render_template, url_for

from blogapp.accounts import profile, tokens
from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.mail.tokens import unsubscribe_token
from blogapp.markup import RenderRefused, excerpt_of, make_excerpt
from blogapp.models import Acknowledgement, Comment, CommentStatus
from blogapp.responses.helped_links import AnswerRef, helped_links


def excerpt(comment: Comment, text: str | None = None, limit: int = 600) -> str:
    """The comment's opening words (from ``text``, its plain text when the caller has it);
    its raw text when the renderer is too busy to say."""
    if text is not None:
        return excerpt_of(text, limit)
    try:
        return make_excerpt(comment.body_source, limit)
    except RenderRefused:
        source = " ".join(comment.body_source.split())
        return source if len(source) <= limit else source[:limit].rsplit(" ", 1)[0] + "…"


def _unsubscribe_url(to: str, account, choice: str | None) -> str:
    """An account's link turns off the one choice the mail belongs to (its account page
    has the others); a guest's or an employee's stops all notifications to the address."""
    if account is not None and choice is not None:
        token = tokens.unsubscribe_token(account, choice)
        return url_for("accounts.me.unsubscribe", token=token, _external=True)
    return url_for("mail.unsubscribe", token=unsubscribe_token(to), _external=True)


def _send(
    kind: str,
    to: str,
    subject: str,
    template: str,
    comment: Comment,
    account=None,
    choice: str | None = None,
    text: str | None = None,
    **extra,
) -> None:
    if account is not None and choice is not None and not profile.wants(account, choice):
        return
    unsubscribe = _unsubscribe_url(to, account, choice)
    body = render_template(
        template,
        comment=comment,
        excerpt=excerpt(comment, text),
        link=url_for("comments.permalink", comment_id=comment.id, _external=True),
        unsubscribe_url=unsubscribe,
        **extra,
    )
    queue_mail(kind, to, subject, body, unsubscribe)


def comment_published(comment: Comment, text: str | None = None) -> None:
    """Queue the notifications for ``comment``, which has just become public.

    A reply tells the person replied to; a top-level comment tells the post's author.
    Nobody is told about their own words. ``text`` is the comment's plain text when the
    caller already rendered it (posting does), which spares the renderer a second trip.
    """
    parent = comment.parent
    if parent is not None:
        own = parent.written_by(comment.author_id, comment.guest_email)
        if parent.status == CommentStatus.PUBLISHED and not own:
            address = parent.notify_address
            if address:
                _send(
                    "comment_reply",
                    address,
                    f"{comment.author_name} replied to you on “{comment.post.title}”",
                    "mail/comment_reply.txt",
                    comment,
                    account=parent.author,
                    choice="replies",
                    text=text,
                    helped=_question_for_reply(parent, comment),
                )
    elif comment.author_id != comment.post.author_id:
        _send(
            "new_comment",
            comment.post.author.email,
            f"New comment from {comment.author_name} on “{comment.post.title}”",
            "mail/new_comment.txt",
            comment,
            text=text,
        )


def _question_for_reply(parent: Comment, reply: Comment) -> dict[str, str] | None:
    """The "Did this answer your question?" links when ``reply`` is the employee's answer
    that acknowledges ``parent``'s conversation (responses/helped.py): its item is a
    customer's, published, and not answered yet (the acknowledgement is written when the
    reply commits, responses/tracking.py, as this reply's)."""
    if not reply.by_employee:
        return None
    item = parent.joins or parent
    if not item.is_tracked:
        return None
    answered = db.session.scalar(
        sa.select(Acknowledgement.id).where(Acknowledgement.standing_comment_id == item.id)
    )
    return None if answered else helped_links(AnswerRef(item.id, reply_id=reply.id))


def told_directly(comment: Comment, user) -> bool:
    """Whether ``user`` wrote ``comment`` or hears of it by a mail of its own from
    comment_published (a reply to their comment, while they want replies; a new comment
    on their post): a thread's followers are not told of it again (follows/mail.py)."""
    if comment.author_id == user.id:
        return True
    parent = comment.parent
    if parent is not None:
        return (
            parent.status == CommentStatus.PUBLISHED
            and parent.author_id == user.id
            and profile.wants(user, "replies")
        )
    return comment.post.author_id == user.id


def comment_acknowledged(comment: Comment, employee, note: str, ack=None) -> None:
    """Tell a customer that an employee saw their comment, with the note they left (and,
    given the acknowledgement ``ack``, ask whether it answered their question)."""
    address = comment.notify_address
    if address and comment.by_customer:
        helped = None
        if ack is not None:
            db.session.flush()  # the links name the acknowledgement by its id
            helped = helped_links(AnswerRef(comment.id, acknowledgement_id=ack.id))
        _send(
            "comment_acknowledged",
            address,
            f"{employee.display_name} saw your comment on “{comment.post.title}”",
            "mail/comment_acknowledged.txt",
            comment,
            account=comment.author,
            choice="acknowledged",
            employee=employee,
            note=note,
            helped=helped,
        )
