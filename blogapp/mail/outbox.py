"""Writing mail to the outbox, and handing it to delivery once the transaction commits.

Messages are noted in ``after_flush`` (their ids exist by then) and handed to the
app's drainer once the transaction has committed (blogapp/ops/drainer.py); they
are forgotten on rollback. A message is sent only for a change that really
happened, and never lost if sending fails: the row stays for `flask mail send`.
"""

import re

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from blogapp.extensions import db
from blogapp.mail.headers import header_text
from blogapp.models import MailMessage, MailOptOut
from blogapp.ops.drainer import mark_written
from blogapp.ops.outbox import register_outbox

# Every control character but tab and line feed; a CR on its own or before LF is a line end.
_BODY_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def body_text(text: str) -> str:
    """A mail body with plain line ends and no control characters."""
    return _BODY_CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def normalize_address(address: str) -> str:
    return address.strip().lower()


def is_opted_out(address: str, session: Session | None = None) -> bool:
    """Whether ``address`` has unsubscribed from notifications."""
    return (
        (session or db.session).scalar(
            sa.select(MailOptOut.id).where(MailOptOut.email == normalize_address(address))
        )
        is not None
    )


def queue_mail(
    kind: str,
    to: str,
    subject: str,
    body: str,
    unsubscribe_url: str | None = None,
    account: bool = False,
    session: Session | None = None,
    reply_to: str | None = None,
) -> MailMessage | None:
    """Add a message to the outbox in the current transaction (of ``session``, by default
    the request's); None if ``to`` opted out.

    An opt-out stops notifications. ``account`` mail (a reset link, a verification, an
    invitation, a notice that the address changed) is what its reader asked for or must
    know about their account, so it goes to an address that opted out as well.

    The subject and address are made header-safe here too (delivery does it again,
    for rows written any other way); the body loses the control characters no
    database or mail should carry. ``session``: another than the request's (a drain's).
    ``reply_to``: the address a reply goes to (blogapp/inbound/addresses.py).
    """
    session = session or db.session
    if not account and is_opted_out(to, session):
        return None
    message = MailMessage(
        kind=kind,
        to_address=header_text(to)[:254],
        subject=header_text(subject)[:200],
        body_text=body_text(body),
        unsubscribe_url=unsubscribe_url,
        reply_to=header_text(reply_to)[:254] if reply_to else None,
    )
    session.add(message)
    return message


def _collect(session: Session, flush_context) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, MailMessage)]
    if ids:
        mark_written(session, "mail", ids)


def register(app: Flask) -> None:
    """The mail outbox in the app's registry, and the listener that notes new messages."""
    from blogapp.mail.delivery import MailOutbox

    register_outbox(app, MailOutbox())
    target = db.session.session_factory.class_
    if not event.contains(target, "after_flush", _collect):
        event.listen(target, "after_flush", _collect)
