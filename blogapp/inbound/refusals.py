"""The mail back to a person whose reply was refused: why, what to do instead, a link to
the conversation, and their own text so nothing they wrote is lost.

Never to an empty sender, a bouncer, or a reply address of this site (mail loops); the
message goes out marked ``Auto-Submitted: auto-replied`` (RFC 3834, mail/delivery.py), so
a well-behaved autoresponder does not answer it either.
"""

from flask import current_app, render_template, url_for

from blogapp.inbound.addresses import PREFIX, ReplyToken
from blogapp.inbound.message import InboundMessage
from blogapp.mail.outbox import queue_mail

KIND = "inbound_refused"
# What the refusal repeats of a refused reply.
TEXT_LIMIT = 20_000


def _answerable(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    if not local or local.split("+")[0] in ("mailer-daemon", "postmaster", "noreply"):
        return False
    ours = (current_app.config["INBOUND_MAIL_DOMAIN"] or "").lower()
    return not (ours and domain == ours and local.startswith(PREFIX))


def conversation_link(token: ReplyToken) -> str | None:
    """Where the sender can answer instead: the comment of a "comment" token."""
    if token.purpose == "comment":
        return url_for("comments.permalink", comment_id=token.subject_id, _external=True)
    return None


def mail_refusal(message: InboundMessage, token: ReplyToken, why: str) -> bool:
    """Queue the refusal (in the caller's transaction); False when nobody may be told."""
    if not message.sender or not _answerable(message.sender):
        return False
    text = message.text
    if len(text) > TEXT_LIMIT:
        text = text[:TEXT_LIMIT] + "\n[…]"
    body = render_template(
        "inbound/mail_refused.txt",
        subject=message.subject,
        why=why,
        link=conversation_link(token),
        text=text,
    )
    subject = f"Not published: {message.subject}" if message.subject else "Reply not published"
    # account=True: the answer to something they did, wanted even by an address that
    # turned notifications off.
    return queue_mail(KIND, message.sender, subject, body, account=True) is not None
