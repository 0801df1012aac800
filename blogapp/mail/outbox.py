"""Writing mail to the outbox, and handing it to delivery once the transaction commits.

Messages are collected in ``after_flush`` (their ids exist by then), marked
ready in ``after_commit``, and delivered once the transaction has ended and
given its connection back to the pool (so a request never holds two); they are
forgotten on rollback. A message is sent only for a change that really happened,
and never lost if sending fails: the row stays for `flask mail send`.
"""

import re

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from blogapp.extensions import db
from blogapp.mail.headers import header_text
from blogapp.models import MailMessage, MailOptOut

_PENDING_KEY = "mail_outbox_ids"
_READY_KEY = "mail_outbox_committed_ids"


# Every control character but tab and line feed; a CR on its own or before LF is a line end.
_BODY_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def body_text(text: str) -> str:
    """A mail body with plain line ends and no control characters."""
    return _BODY_CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def normalize_address(address: str) -> str:
    return address.strip().lower()


def is_opted_out(address: str) -> bool:
    """Whether ``address`` has unsubscribed from notifications."""
    return (
        db.session.scalar(
            sa.select(MailOptOut.id).where(MailOptOut.email == normalize_address(address))
        )
        is not None
    )


def queue_mail(
    kind: str, to: str, subject: str, body: str, unsubscribe_url: str | None = None
) -> MailMessage | None:
    """Add a message to the outbox in the current transaction; None if ``to`` opted out.

    The subject and address are made header-safe here too (delivery does it again,
    for rows written any other way); the body loses the control characters no
    database or mail should carry.
    """
    if is_opted_out(to):
        return None
    message = MailMessage(
        kind=kind,
        to_address=header_text(to)[:254],
        subject=header_text(subject)[:200],
        body_text=body_text(body),
        unsubscribe_url=unsubscribe_url,
    )
    db.session.add(message)
    return message


def _collect(session: Session, flush_context) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, MailMessage)]
    if ids:
        session.info.setdefault(_PENDING_KEY, []).extend(ids)


def _forget(session: Session, previous_transaction=None) -> None:
    session.info.pop(_PENDING_KEY, None)


def _mark_committed(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    if ids:
        session.info.setdefault(_READY_KEY, []).extend(ids)


def _deliver_committed(session: Session, transaction) -> None:
    if transaction.parent is not None or _READY_KEY not in session.info:
        return
    ids = session.info.pop(_READY_KEY)
    if not has_app_context() or not current_app.config["MAIL_SEND_AFTER_COMMIT"]:
        return
    from blogapp.mail.delivery import deliver

    try:
        deliver(ids=ids)
    except Exception:  # the rows stay pending; `flask mail send` retries them
        current_app.logger.exception("Mail delivery after commit failed")


def register() -> None:
    """Listen on every session once: collect, deliver after commit, forget on rollback."""
    target = db.session.session_factory.class_
    if event.contains(target, "after_flush", _collect):
        return
    event.listen(target, "after_flush", _collect)
    event.listen(target, "after_commit", _mark_committed)
    event.listen(target, "after_rollback", _forget)
    event.listen(target, "after_transaction_end", _deliver_committed)
