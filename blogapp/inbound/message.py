"""One inbound RFC 5322 message read into what the reply path needs, within bounds.

Python's email package (policy.default) parses it. Bounded: a message over
INBOUND_MAX_BYTES, or with more than INBOUND_MAX_PARTS MIME parts, is refused before
anything else is read; the HTML conversion runs under the render deadline (markup.py).

The reply's text is its first text/plain part that is not an attachment, else its first
text/html part converted to Markdown; either way without quoted history or signature
(quotes.py, html_text.py). Bounces and automatic replies are recognised (RFC 3834) so the
path can ignore them without answering: an answer to an auto-reply is how mail loops.
"""

import email
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses

from flask import current_app

from blogapp.inbound.quotes import new_text, unflow

# Headers where the reply address may be found, most trustworthy first (the MTA's own).
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:Out of (?:the )?Office|Automatic reply|Auto(?:matic)?[- ]?(?:reply|response)|"
    r"Auto:|Abwesenheitsnotiz|Réponse automatique|Respuesta automática|Undeliverable|"
    r"Undelivered Mail|Delivery Status Notification|Mail delivery failed)",
    re.IGNORECASE,
)
_BOUNCERS = ("mailer-daemon", "postmaster")
_PRECEDENCE = {"bulk", "auto_reply", "list", "junk"}


class UnreadableMessage(ValueError):
    """The input is not a message this path can read (too big, too many parts, no text)."""


@dataclass(frozen=True)
class InboundMessage:
    sender: str  # the From address, lower-cased ("" when there is not exactly one)
    subject: str
    message_id: str
    recipients: list[str] = field(default_factory=list)
    # Why this is a bounce or an automatic reply (a few words for the log), else None.
    automatic: str | None = None
    # The new text as Markdown source (may be "" when nothing new was written).
    text: str = ""


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # a header the parser cannot make sense of
        return ""
    return " ".join(str(value or "").split())


def _addresses(message: EmailMessage, name: str) -> list[str]:
    try:
        values = [str(v) for v in message.get_all(name, [])]
    except (ValueError, IndexError, TypeError):
        return []
    return [addr.strip().lower() for _, addr in getaddresses(values) if "@" in addr]


def why_automatic(message: EmailMessage, sender: str) -> str | None:
    """Why ``message`` is a bounce or an automatic reply (RFC 3834, and what Exchange and
    the common autoresponders send instead), or None for a message a person wrote."""
    if message.get_content_type() == "multipart/report":
        return "a delivery report (multipart/report)"
    return_path = _header(message, "Return-Path")
    if return_path.replace(" ", "") == "<>":
        return "a bounce (empty Return-Path)"
    if sender.partition("@")[0] in _BOUNCERS:
        return f"a bounce (from {sender})"
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"automatic (Auto-Submitted: {auto})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response"):
        if message.get(name) is not None:
            return f"automatic ({name})"
    if _header(message, "Precedence").lower() in _PRECEDENCE:
        return f"automatic (Precedence: {_header(message, 'Precedence')})"
    suppress = _header(message, "X-Auto-Response-Suppress").lower()
    if suppress and any(w in suppress for w in ("all", "oof", "autoreply")):
        return f"automatic (X-Auto-Response-Suppress: {suppress})"
    if _AUTO_SUBJECT.match(_header(message, "Subject")):
        return "automatic (its subject)"
    return None


def _decoded(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError):
        # An unknown or lying charset: read as UTF-8, what is not becomes U+FFFD.
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _body_parts(message: EmailMessage) -> tuple[EmailMessage | None, EmailMessage | None]:
    """The first inline text/plain and text/html parts (attachments and forwarded
    messages are not the reply)."""
    plain = html = None
    limit = current_app.config["INBOUND_MAX_PARTS"]
    for count, part in enumerate(message.walk(), start=1):
        if count > limit:
            raise UnreadableMessage(f"The message has more than {limit} parts.")
        if part.get_content_maintype() == "multipart":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = part
        elif kind == "text/html" and html is None:
            html = part
    return plain, html


def reply_text(message: EmailMessage) -> str:
    """The reply's new text as Markdown source."""
    from blogapp.markup import mail_html_to_markdown

    plain, html = _body_parts(message)
    if plain is not None:
        text = _decoded(plain).replace("\r\n", "\n")
        if plain.get_param("format", "", header="content-type").lower() == "flowed":
            delsp = plain.get_param("delsp", "", header="content-type").lower() == "yes"
            text = unflow(text, delsp)
        return new_text(text)
    if html is not None:
        return mail_html_to_markdown(_decoded(html))
    return ""


def read_message(raw: bytes) -> InboundMessage:
    """``raw`` read; UnreadableMessage when it is over the bounds or not a message."""
    limit = current_app.config["INBOUND_MAX_BYTES"]
    if len(raw) > limit:
        raise UnreadableMessage(f"The message is larger than {limit} bytes.")
    if not raw.strip():
        raise UnreadableMessage("The message is empty.")
    message = email.message_from_bytes(raw, policy=policy.default)
    if not message.keys():
        raise UnreadableMessage("The input has no mail headers.")
    senders = _addresses(message, "From")
    sender = senders[0] if len(senders) == 1 else ""
    recipients = [a for name in RECIPIENT_HEADERS for a in _addresses(message, name)]
    base = InboundMessage(
        sender=sender,
        subject=_header(message, "Subject")[:200],
        message_id=_header(message, "Message-ID")[:255],
        recipients=recipients,
    )
    automatic = why_automatic(message, sender)
    if automatic is not None:
        return InboundMessage(**{**base.__dict__, "automatic": automatic})
    return InboundMessage(**{**base.__dict__, "text": reply_text(message)})
