"""The webhook outbox: events written with the change, delivered later by `flask worker`."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from blogapp.extensions import db
from blogapp.models.base import enum_check, utcnow


class WebhookStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # the dead letter: gave up after WEBHOOK_MAX_ATTEMPTS


class WebhookMessage(db.Model):
    __tablename__ = "webhook_outbox"
    __table_args__ = (
        enum_check("status", WebhookStatus),
        sa.Index("ix_webhook_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(sa.String(32))
    comment_id: Mapped[int | None] = mapped_column(index=True)
    payload: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default=WebhookStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A drainer's claim on the row until then, and which process holds it ("host:pid",
    # blogapp/ops/outbox.py); None: nobody's.
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(255))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<WebhookMessage {self.id} {self.event} {self.status}>"
