"""The customer's mail in a private conversation: the handler for reply addresses of
purpose "private" (blogapp/inbound/handlers.py). The inbound path has parsed the message
and checked the token's signature; this checks the rest and adds the message."""

from blogapp.extensions import db
from blogapp.inbound.handlers import InboundReply, Outcome
from blogapp.models import PrivateConversation, PrivateStatus, PrivateVia
from blogapp.private import services


def handle(reply: InboundReply) -> Outcome:
    """Add the customer's mailed message to their open private conversation, or say why not.
    Works in db.session and does not commit: the inbound path does."""
    token = reply.token
    if token.purpose != "private":
        return Outcome(False, "This address is not one of a private conversation.")
    conversation = db.session.get(PrivateConversation, token.subject_id)
    if conversation is None:
        return Outcome(False, "This private conversation no longer exists.")
    comment = conversation.comment
    if token.person_id != (comment.author_id or 0):
        return Outcome(False, "This reply address was given to someone else.")
    expected = (services.customer_address(conversation) or "").strip().lower()
    if not expected or reply.sender.strip().lower() != expected:
        return Outcome(
            False,
            "Your message came from another address than the one this conversation was "
            "started with; please reply from that address.",
        )
    if conversation.status == PrivateStatus.RESOLVED:
        return Outcome(
            False,
            "This private conversation was marked resolved. If you still need help, please "
            "comment on the post again.",
        )
    if conversation.status != PrivateStatus.OPEN:
        return Outcome(False, "This conversation was taken back to the public thread.")
    try:
        message = services.add_customer_message(conversation, reply.text, PrivateVia.MAIL)
    except services.PrivateError as error:  # raised before anything was added
        return Outcome(False, str(error))
    return Outcome(
        True, f"Added to private conversation {conversation.id} as message {message.id}."
    )
