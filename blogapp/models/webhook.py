"""Webhooks: the endpoints admins add, and the outbox of deliveries to them.

One outbox row is one event for one endpoint (``endpoint_id`` None: the environment's
RESPONSE_WEBHOOK_URL), so a slow or failing endpoint holds up nobody else's events. The
rows are the delivery log too: each keeps its last answer's status code and the start of
its body, and is pruned after WEBHOOK_LOG_DAYS.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blogapp.extensions import db
from blogapp.models.base import enum_check, utcnow


class WebhookStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # the dead letter: gave up after WEBHOOK_MAX_ATTEMPTS


class WebhookEvent(enum.StrEnum):
    """What an endpoint may subscribe to (``PING`` is the admin's test, never subscribed)."""

    OWED = "owed"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ACKNOWLEDGED = "acknowledged"
    COMMENT_PUBLISHED = "comment_published"
    POST_PUBLISHED = "post_published"
    PING = "ping"

    @classmethod
    def subscribable(cls) -> list["WebhookEvent"]:
        return [event for event in cls if event is not cls.PING]

    @classmethod
    def of_the_tracker(cls) -> frozenset["WebhookEvent"]:
        """The events RESPONSE_WEBHOOK_URL has always had, and still gets."""
        return frozenset((cls.OWED, cls.OVERDUE, cls.DUE_SOON, cls.ACKNOWLEDGED))


class WebhookFormat(enum.StrEnum):
    """What an endpoint is sent: the event as JSON, or a chat line (``{"text": …}``) that
    Slack's and Microsoft Teams' incoming webhooks post as a message."""

    JSON = "json"
    CHAT = "chat"


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (enum_check("format", WebhookFormat),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    # The subscribed events' values, space-separated, in WebhookEvent's order.
    events: Mapped[str] = mapped_column(sa.String(200))
    format: Mapped[str] = mapped_column(
        sa.String(8), default=WebhookFormat.JSON.value, server_default=WebhookFormat.JSON.value
    )
    # Kept readable: the HMAC needs it. Shown to the admin once, when made.
    secret: Mapped[str] = mapped_column(sa.String(100))
    secret_rotated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # None: active. Set when an admin pauses it, or after a day of failures.
    paused_at: Mapped[datetime | None]
    paused_reason: Mapped[str | None] = mapped_column(sa.String(300))
    # The first failed delivery since the last one that worked; None while it works.
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.url}>"

    @property
    def event_set(self) -> frozenset[WebhookEvent]:
        return frozenset(WebhookEvent(value) for value in self.events.split())

    @event_set.setter
    def event_set(self, events) -> None:
        chosen = {WebhookEvent(e) for e in events}
        self.events = " ".join(e.value for e in WebhookEvent.subscribable() if e in chosen)

    @property
    def is_active(self) -> bool:
        return self.paused_at is None

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to tell which one a receiver holds."""
        return f"…{self.secret[-4:]}"


class WebhookMessage(db.Model):
    __tablename__ = "webhook_outbox"
    __table_args__ = (
        enum_check("status", WebhookStatus),
        sa.Index("ix_webhook_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        sa.Index("ix_webhook_outbox_endpoint_id_id", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: RESPONSE_WEBHOOK_URL, the environment's default endpoint.
    endpoint_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(sa.String(32))
    comment_id: Mapped[int | None] = mapped_column(index=True)
    post_id: Mapped[int | None] = mapped_column(index=True)
    payload: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default=WebhookStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    # The last answer: its HTTP status (None: no answer, e.g. refused or timed out) and
    # the start of its body.
    response_status: Mapped[int | None]
    response_excerpt: Mapped[str | None] = mapped_column(sa.String(500))
    last_attempt_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A drainer's claim on the row until then, and which process holds it ("host:pid",
    # blogapp/ops/outbox.py); None: nobody's.
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(255))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    endpoint: Mapped[WebhookEndpoint | None] = relationship()

    def __repr__(self) -> str:
        return f"<WebhookMessage {self.id} {self.event} {self.status}>"
