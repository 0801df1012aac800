"""Sending outbox messages: by SMTP when MAIL_SERVER is set, else as .eml files.

Claiming, retrying and giving up are the one outbox's (blogapp/ops/outbox.py), so
several drainers (a request after commit, `flask mail send`, a worker) never send
one message twice.
"""

import secrets
import smtplib
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from flask import current_app

from blogapp.mail.headers import (
    UnsafeMessage,
    VerbatimHeader,
    check_headers,
    header_text,
    recipient,
)
from blogapp.models import MailMessage, MailStatus
from blogapp.models.base import utcnow
from blogapp.ops.outbox import DrainReport, Outbox, outbox


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
    if message.reply_to:
        intended["Reply-To"] = header_text(message.reply_to)
    if message.kind == "inbound_refused":
        # An answer to a person's mail, sent by a machine (RFC 3834): not to be answered.
        intended["Auto-Submitted"] = "auto-replied"
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


class MailOutbox(Outbox):
    """The mail outbox: each message sent by SMTP or written as an .eml file."""

    name = "mail"
    model = MailMessage
    max_attempts_setting = "MAIL_MAX_ATTEMPTS"
    after_commit_setting = "MAIL_SEND_AFTER_COMMIT"
    # Waiting 2, 4, 8 ... minutes between attempts (at most MAX_BACKOFF).
    first_backoff = timedelta(minutes=2)

    def deliver(self, row: MailMessage) -> None:
        send_one(row)

    def delivered(self, row: MailMessage, now) -> None:
        row.status = MailStatus.SENT.value
        row.attempts += 1
        row.sent_at = utcnow()

    def is_permanent(self, error: Exception) -> bool:
        return is_permanent(error)

    def describe(self, error: Exception) -> str:
        return _reason(error)


def deliver(ids=None, include_not_due: bool = False, limit: int = 500) -> DrainReport:
    """Send pending messages (``ids``, or every due one), each in its own transaction."""
    return outbox("mail").drain(limit, ids=ids, include_not_due=include_not_due)
