"""Private support's rules: a moderator takes an owed customer comment private, staff and
the customer exchange messages (on the web or by mail), staff mark it resolved.

The move is a standing acknowledgement of kind "private" (the comment leaves the queue at
once; a moderator's undo puts it back: responses/services.undo). Each service takes the
acting person explicitly, raises PrivateError with a message for them, writes the audit
event and the mail in the same transaction, and commits (except `add_customer_message`,
whose caller, the inbound path, commits).
"""

import sqlalchemy as sa

from blogapp.comments.rules import CommentRejected, check_max_length
from blogapp.extensions import db
from blogapp.markup import RenderRefused, render_comment
from blogapp.models import (
    AckKind,
    Comment,
    PrivateConversation,
    PrivateMessage,
    PrivateStatus,
    PrivateVia,
    User,
)
from blogapp.models.base import utcnow
from blogapp.private import mail
from blogapp.responses.audit import Action, record
from blogapp.responses.services import (
    ResponseError,
    _add_ack,
    _check_owed,
    can_moderate,
    conversation_item,
    lock_comment,
)


class PrivateError(ResponseError):
    """A private-support action that cannot be done; the message is for the person who tried.
    A ResponseError, so the queue's action views show it like any other."""


# --- who may do what -------------------------------------------------------------------


def is_customer_of(user, conversation: PrivateConversation) -> bool:
    """The signed-in account that wrote the comment (a guest answers by mail only)."""
    author_id = conversation.comment.author_id
    return bool(getattr(user, "is_authenticated", False)) and author_id == user.id


def can_read(user, conversation: PrivateConversation) -> bool:
    """Employees read every private conversation; a customer reads their own."""
    return bool(getattr(user, "is_employee", False)) or is_customer_of(user, conversation)


# --- the conversation ------------------------------------------------------------------


def conversation_of(comment: Comment) -> PrivateConversation | None:
    return db.session.scalar(
        sa.select(PrivateConversation).where(PrivateConversation.comment_id == comment.id)
    )


def customer_address(conversation: PrivateConversation) -> str | None:
    """Where the customer is written to, and the address their mail must come from."""
    return conversation.comment.notify_address


def messages(conversation: PrivateConversation) -> list[PrivateMessage]:
    return list(
        db.session.scalars(
            sa.select(PrivateMessage)
            .where(PrivateMessage.conversation_id == conversation.id)
            .order_by(PrivateMessage.created_at, PrivateMessage.id)
        )
    )


def _rendered(body: str | None) -> tuple[str, str]:
    """The message's source and safe HTML (the comment profile), or PrivateError."""
    source = (body or "").strip()
    if not source:
        raise PrivateError("Please write your message before sending it.")
    try:
        check_max_length(source)
        return source, render_comment(source)
    except (CommentRejected, RenderRefused) as error:
        raise PrivateError(str(error)) from None


def take_private(comment: Comment, moderator: User, body: str | None = None, now=None):
    """Move an owed customer comment to private support: a conversation (or the comment's
    earlier one, opened again), the standing "private" acknowledgement, the customer's mail
    naming ``moderator``; ``body``, if given, is the first private answer."""
    comment = conversation_item(comment)  # a follow-up moves with its item
    if not can_moderate(moderator):
        raise PrivateError("Only moderators can take a comment to private support.")
    try:
        _check_owed(comment)
    except ResponseError as error:
        raise PrivateError(str(error)) from None
    if comment.notify_address is None:
        raise PrivateError("This comment's author has no email address to continue with.")
    source = _rendered(body) if (body or "").strip() else None
    now = now or utcnow()
    conversation = conversation_of(comment)
    if conversation is None:
        conversation = PrivateConversation(comment=comment)
        db.session.add(conversation)
    conversation.status = PrivateStatus.OPEN.value
    conversation.taken_by_id, conversation.created_at = moderator.id, now
    conversation.resolved_at = conversation.resolved_by_id = None
    _add_ack(comment, moderator, AckKind.PRIVATE, now)
    db.session.flush()  # the conversation's id, for the reply address
    record(
        Action.TAKEN_PRIVATE, moderator, comment, detail=f"conversation {conversation.id}", at=now
    )
    first = None
    if source is not None:
        first = _add_message(conversation, moderator, True, source, PrivateVia.WEB, now)
        record(Action.PRIVATE_ANSWERED, moderator, comment, detail=f"message {first.id}", at=now)
    mail.taken_private(conversation, moderator, first)
    db.session.commit()
    return conversation


def _add_message(conversation, author, by_staff, source: tuple[str, str], via, now):
    text, html = source
    message = PrivateMessage(
        conversation=conversation,
        author_id=author.id if author is not None else None,
        by_staff=by_staff,
        body_source=text,
        body_html=html,
        via=via.value,
        created_at=now,
    )
    db.session.add(message)
    db.session.flush()
    return message


def _lock_open(conversation: PrivateConversation) -> None:
    lock_comment(conversation.comment)
    db.session.refresh(conversation)
    if conversation.status != PrivateStatus.OPEN:
        raise PrivateError(
            "This private conversation is resolved."
            if conversation.status == PrivateStatus.RESOLVED
            else "This conversation was taken back to the public thread."
        )


def answer(conversation: PrivateConversation, employee: User, body: str, now=None):
    """An employee's private answer: kept, mailed to the customer with a Reply-To."""
    if not getattr(employee, "is_employee", False):
        raise PrivateError("Only employees can answer in private support.")
    source = _rendered(body)
    _lock_open(conversation)
    now = now or utcnow()
    message = _add_message(conversation, employee, True, source, PrivateVia.WEB, now)
    # The tracker's change stamp reads the newest changed_at: the metrics time a private
    # hand-off by its first staff answer, so they are worked out again.
    conversation.comment.changed_at = now
    record(
        Action.PRIVATE_ANSWERED,
        employee,
        conversation.comment,
        detail=f"message {message.id}",
        at=now,
    )
    mail.answered(conversation, message)
    db.session.commit()
    return message


def add_customer_message(
    conversation: PrivateConversation, body: str, via: PrivateVia, now=None
) -> PrivateMessage:
    """The customer's message (from their page or their mail); the staff member who took it
    private hears of it. Not committed: the caller's boundary (a view, the inbound path)."""
    source = _rendered(body)
    _lock_open(conversation)
    comment = conversation.comment
    now = now or utcnow()
    message = _add_message(conversation, comment.author, False, source, via, now)
    mail.customer_wrote(conversation, message)
    return message


def customer_writes(conversation: PrivateConversation, user: User, body: str) -> PrivateMessage:
    """The signed-in customer's message from their private page."""
    if not is_customer_of(user, conversation):
        raise PrivateError("Only the comment's author can write here.")
    message = add_customer_message(conversation, body, PrivateVia.WEB)
    db.session.commit()
    return message


def resolve(conversation: PrivateConversation, employee: User, now=None) -> None:
    """Staff mark the conversation resolved: the public comment says "Resolved privately"."""
    if not getattr(employee, "is_employee", False):
        raise PrivateError("Only employees can resolve private conversations.")
    _lock_open(conversation)
    now = now or utcnow()
    conversation.status = PrivateStatus.RESOLVED.value
    conversation.resolved_at, conversation.resolved_by_id = now, employee.id
    # The post page's caches and the purge hook key on the comment's changed_at.
    conversation.comment.changed_at = now
    record(Action.PRIVATE_RESOLVED, employee, conversation.comment, at=now)
    db.session.commit()


def conversations(status: str | None = None, limit: int = 200) -> list[PrivateConversation]:
    """The private conversations for the staff list, open ones first, newest first."""
    query = sa.select(PrivateConversation).order_by(
        (PrivateConversation.status != PrivateStatus.OPEN.value), PrivateConversation.id.desc()
    )
    if status is not None:
        query = query.where(PrivateConversation.status == status)
    return list(db.session.scalars(query.limit(limit)))
