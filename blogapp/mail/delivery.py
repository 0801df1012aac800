"""Sending outbox messages: by SMTP when MAIL_SERVER is set, else as .eml files.

Each message is claimed with a row lock (FOR UPDATE SKIP LOCKED on PostgreSQL),
sent, and marked in its own short transaction, so several drainers (a request
after commit, `flask mail send`, a worker) never send one message twice.
"""

import secrets
import smtplib
from dataclasses import dataclass
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from blogapp.extensions import db
from blogapp.mail.headers import (
    UnsafeMessage,
    VerbatimHeader,
    check_headers,
    header_text,
    recipient,
)
from blogapp.models import MailMessage, MailStatus
from blogapp.models.base import utcnow

# Waiting 2, 4, 8 ... minutes between attempts, at most six hours.
MAX_BACKOFF = timedelta(hours=6)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # every message not sent this time, the ones given up on included
    given_up: int = 0  # could not be built, or refused for good: marked failed at once


def build_email(message: MailMessage) -> EmailMessage:
    """The RFC 5322 message for an outbox row; UnsafeMessage if it cannot be sent as is."""
    config = current_app.config
    sender = header_text(config["MAIL_DEFAULT_SENDER"])
    domain = sender.rpartition("@")[2].strip(">") or "parley.local"
    intended = {
        "From": sender,
        "To": str(recipient(message.to_address)),
        "Subject": header_text(message.subject),
        "Date": format_datetime(message.created_at.replace(tzinfo=UTC)),
        # Short enough to stay on one line (make_msgid's would be folded).
        "Message-ID": f"<outbox-{message.id}.{secrets.token_hex(6)}@{domain}>",
    }
    email = EmailMessage()
    for name, value in intended.items():
        email[name] = value
    # The site's own setting, which the email package may rewrite (quotes, a comment):
    # checked as the package read it.
    intended["From"] = " ".join(str(email["From"]).split())
    if message.unsubscribe_url:
        # RFC 2369 and RFC 8058: a URL in angle brackets, and one-click by POST.
        intended["List-Unsubscribe"] = f"<{header_text(message.unsubscribe_url)}>"
        intended["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email["List-Unsubscribe"] = VerbatimHeader("List-Unsubscribe", intended["List-Unsubscribe"])
        email["List-Unsubscribe-Post"] = intended["List-Unsubscribe-Post"]
    email.set_content(message.body_text)
    check_headers(email, intended)
    return email


def _send_smtp(email: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
    ) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def _write_eml(email: EmailMessage, message: MailMessage) -> None:
    folder = Path(current_app.config["MAIL_OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{message.created_at:%Y%m%dT%H%M%S}-{message.id:06d}.eml"
    partial = folder / (name + ".part")
    partial.write_bytes(email.as_bytes())
    partial.replace(folder / name)


def send_one(message: MailMessage) -> None:
    """Hand one message to SMTP or write it to the outbox folder; raises on failure."""
    try:
        email = build_email(message)
    except UnsafeMessage:
        raise
    except Exception as error:  # whatever the row holds, it is this message's problem
        raise UnsafeMessage(f"could not be built: {type(error).__name__}: {error}") from error
    if current_app.config["MAIL_SERVER"]:
        _send_smtp(email)
    else:
        _write_eml(email, message)


def _claim_next(session: Session, ids, include_not_due: bool, skip: set[int]):
    query = sa.select(MailMessage).where(MailMessage.status == MailStatus.PENDING.value)
    if ids is not None:
        query = query.where(MailMessage.id.in_(ids))
    elif not include_not_due:
        query = query.where(MailMessage.next_attempt_at <= utcnow())
    if skip:
        query = query.where(MailMessage.id.not_in(skip))
    query = query.order_by(MailMessage.id).limit(1).with_for_update(skip_locked=True)
    return session.scalar(query)


def is_permanent(error: Exception) -> bool:
    """Whether sending again cannot help: the message cannot be built (a ValueError),
    or the server refused this message or its recipient for good (SMTP 5xx).

    A refused login or sender is the site's setup, not the message's: retried.
    """
    if isinstance(error, ValueError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def _reason(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{to}: {code} {text.decode(errors='replace')}"
            for to, (code, text) in error.recipients.items()
        )
        return f"{type(error).__name__}: {refused}"
    return f"{type(error).__name__}: {error}"


def _record_failure(message: MailMessage, error: Exception, permanent: bool) -> None:
    message.attempts += 1
    message.last_error = _reason(error)[:2000]
    if permanent:
        message.status = MailStatus.FAILED.value
        return
    backoff = min(timedelta(minutes=2**message.attempts), MAX_BACKOFF)
    message.next_attempt_at = utcnow() + backoff
    if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = MailStatus.FAILED.value


def deliver(ids=None, include_not_due: bool = False, limit: int = 500) -> DeliveryReport:
    """Send pending messages (``ids``, or every due one), each in its own transaction.

    No message stops the drain: one that cannot be sent is marked failed at once with
    its reason, one that may go through later waits for its next try.
    """
    report = DeliveryReport()
    tried: set[int] = set()
    with Session(db.engine, expire_on_commit=False) as session:
        for _ in range(limit):
            message = _claim_next(session, ids, include_not_due, tried)
            if message is None:
                break
            tried.add(message.id)
            try:
                send_one(message)
            except Exception as error:  # noqa: BLE001 - recorded on the row, the drain goes on
                permanent = is_permanent(error)
                _record_failure(message, error, permanent)
                report.failed += 1
                report.given_up += permanent
                if permanent or isinstance(error, OSError | smtplib.SMTPException):
                    current_app.logger.warning("Mail %s not sent: %s", message.id, error)
                else:
                    current_app.logger.exception("Mail %s not sent", message.id)
            else:
                message.status = MailStatus.SENT.value
                message.attempts += 1
                message.sent_at = utcnow()
                report.sent += 1
            session.commit()
    return report


def retry_failed() -> int:
    """Put messages that ran out of attempts back in the queue; how many."""
    result = db.session.execute(
        sa.update(MailMessage)
        .where(MailMessage.status == MailStatus.FAILED.value)
        .values(status=MailStatus.PENDING.value, attempts=0, next_attempt_at=utcnow())
    )
    db.session.commit()
    return result.rowcount
