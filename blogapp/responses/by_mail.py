"""Answering an owed comment by replying to its mail: the inbound handler of "comment"
reply addresses (blogapp/inbound; registered in responses.register).

The reply is published by the queue's own path (comments.services.post_comment, whose
listeners acknowledge, notify, index and audit it), with the audit event saying "by mail".
Refused, with the reason mailed back by the inbound path: a person who is no longer an
employee who can answer, a sender other than that employee's address, a comment that is
gone, an empty reply, a reply the comment rules refuse, and a comment someone else has
answered meanwhile (then the text is kept as the employee's draft, see drafts.py).
On a post whose author reviews answers first, the reply waits for that review like one
typed in the queue (responses/review_gate.py), and its writer is mailed so.
"""

from flask import url_for

from blogapp.comments.rules import CommentRejected
from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.inbound.handlers import InboundReply, Outcome
from blogapp.mail.outbox import normalize_address, queue_mail
from blogapp.models import AckKind, Comment, CommentStatus, User
from blogapp.responses.audit import replying_by
from blogapp.responses.drafts import discard_draft, keep_draft
from blogapp.responses.review_gate import review_held_message
from blogapp.responses.services import conversation_item, lock_comment, standing_acknowledgement


def _link(comment_id: int) -> str:
    return url_for("comments.permalink", comment_id=comment_id, _external=True)


def _answered_by(ack) -> str:
    who = ack.employee.display_name
    if ack.kind == AckKind.REPLY:
        return f"{who} has answered it"
    if ack.kind == AckKind.ACKNOWLEDGED:
        return f"{who} has acknowledged it"
    return f"{who} closed it as needing no response"


def answer_by_mail(reply: InboundReply) -> Outcome:
    """Publish ``reply`` as its employee's answer to the comment, or say why not."""
    person = db.session.get(User, reply.token.person_id)
    if person is None or not person.is_employee or not person.is_active:
        return Outcome(
            False,
            "This reply address belongs to an account that can no longer "
            "answer comments. If that is wrong, ask an admin to restore it.",
        )
    if normalize_address(person.email) != reply.sender:
        return Outcome(
            False,
            "This reply address was made for another person's mail, or you "
            "wrote from an address other than the one on your account. Replies are "
            "taken only from the address the mail was sent to; answer on the site "
            "instead, or reply from that address.",
        )
    comment = db.session.get(Comment, reply.token.subject_id)
    if comment is None or comment.status != CommentStatus.PUBLISHED:
        return Outcome(
            False,
            "The comment you replied to is no longer public, so it cannot "
            "be answered. Nothing was published.",
        )
    if not reply.text:
        return Outcome(
            False,
            "Your reply had no text of its own once the quoted mail and "
            "the signature were taken out. Write your answer above the quoted "
            f"mail and send it again, or answer on the site: {_link(comment.id)}",
        )
    item = conversation_item(comment)
    lock_comment(item)
    ack = standing_acknowledgement(item)
    if ack is not None and ack.employee_id != person.id:
        keep_draft(comment, person, reply.text)
        return Outcome(
            False,
            f"{_answered_by(ack)} while your mail was on its way, so your "
            "reply was not published. It is kept as your draft at the top of your "
            "queue: read their answer, then send yours there if it still adds "
            f"something. {url_for('responses.queue', view='mine', _external=True)}",
        )
    try:
        with replying_by("mail"):
            discard_draft(comment.id, person)
            published = post_comment(comment.post, reply.text, author=person, parent_id=comment.id)
    except CommentRejected as error:
        db.session.rollback()
        return Outcome(
            False, f"{error} Your text is below; answer on the site: {_link(comment.id)}"
        )
    if getattr(published, "awaits_review", False):  # responses/review_gate.py
        # Taken, not published: the writer is told, as the queue tells them on the page.
        queue_mail(
            "inbound_held",
            person.email,
            f"Your answer waits for {comment.post.author.display_name}'s review",
            f"{review_held_message(comment.post)}\n\n{_link(comment.id)}\n",
            account=True,
        )
        return Outcome(
            True, f"reply to comment {comment.id} by mail waits for review ({published.id})"
        )
    return Outcome(True, f"published reply {published.id} to comment {comment.id} by mail")
