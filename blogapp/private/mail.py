"""Private support's mail: to the customer (with a Reply-To their answer comes back
through, blogapp/inbound) and to the employee who took the conversation private."""

from flask import render_template, url_for

from blogapp.inbound.addresses import reply_address
from blogapp.mail.outbox import queue_mail
from blogapp.models import PrivateConversation, PrivateMessage, User
from blogapp.sitesettings.store import site_settings


def reply_to(conversation: PrivateConversation) -> str | None:
    """The conversation's reply address for its customer (0 stands for a guest, whose
    mail must then come from the comment's guest email)."""
    return reply_address("private", conversation.id, conversation.comment.author_id or 0)


def _to_customer(conversation, kind: str, subject: str, template: str, **values) -> None:
    comment = conversation.comment
    address = reply_to(conversation)
    page = None
    if comment.author_id is not None:
        page = url_for("private.conversation", conversation_id=conversation.id, _external=True)
    body = render_template(
        template,
        comment=comment,
        conversation=conversation,
        page=page,
        by_mail=address is not None,
        site_name=site_settings()["SITE_NAME"],
        **values,
    )
    # Account mail: a conversation the customer is in, not a notification to opt out of.
    queue_mail(kind, comment.notify_address, subject, body, account=True, reply_to=address)


def taken_private(
    conversation: PrivateConversation, moderator: User, first: PrivateMessage | None
) -> None:
    """Tell the customer a named person continues with them privately."""
    _to_customer(
        conversation,
        "private_taken",
        f"{moderator.display_name} will continue with you privately",
        "private/mail_taken.txt",
        person=moderator.name_and_title,
        first=first,
    )


def answered(conversation: PrivateConversation, message: PrivateMessage) -> None:
    """Each private answer by staff goes to the customer, Reply-To again."""
    author = message.author
    _to_customer(
        conversation,
        "private_answer",
        f"{author.display_name} answered you privately",
        "private/mail_answer.txt",
        person=author.name_and_title,
        message=message,
    )


def customer_wrote(conversation: PrivateConversation, message: PrivateMessage) -> None:
    """The employee who took the conversation private hears of the customer's message."""
    employee = conversation.taken_by
    if employee is None or not employee.is_active:
        return
    comment = conversation.comment
    body = render_template(
        "private/mail_customer_wrote.txt",
        employee=employee,
        comment=comment,
        message=message,
        link=url_for("private.conversation", conversation_id=conversation.id, _external=True),
    )
    subject = f"{comment.author_name} wrote in private support"
    queue_mail("private_customer_wrote", employee.email, subject, body)
