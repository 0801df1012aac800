"""The mail outbox: messages written with the change that caused them, sent after commit."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from blogapp.extensions import db
from blogapp.models.base import enum_check, utcnow


class MailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    # The dead letter: could not be built or was refused for good (at once), or gave
    # up after MAIL_MAX_ATTEMPTS; last_error says why (`flask mail failed`, `flask
    # outbox dead mail`), and `flask mail send --retry-failed` tries again.
    FAILED = "failed"


class MailMessage(db.Model):
    __tablename__ = "mail_outbox"
    __table_args__ = (
        enum_check("status", MailStatus),
        # A worker drains with: status = 'pending' AND next_attempt_at <= now, oldest first.
        sa.Index("ix_mail_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(sa.String(500))
    # Where a reply goes (a reply+<token>@ address, blogapp/inbound), when it may be answered.
    reply_to: Mapped[str | None] = mapped_column(sa.String(254))
    status: Mapped[str] = mapped_column(sa.String(16), default=MailStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A drainer's claim on the row until then, and which process holds it ("host:pid",
    # blogapp/ops/outbox.py); None: nobody's.
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(255))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<MailMessage {self.id} {self.kind} to {self.to_address} {self.status}>"


class MailOptOut(db.Model):
    """An address that clicked "unsubscribe": it gets no more notifications."""

    __tablename__ = "mail_optouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
