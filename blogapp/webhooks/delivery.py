"""The webhook outbox: each row POSTed to its endpoint, signed with that endpoint's
secret (RESPONSE_WEBHOOK_URL's rows with RESPONSE_WEBHOOK_SECRET), and kept as the
endpoint's delivery log with its answer.

A paused endpoint's rows wait: the worker's drains pass them over (an admin's test
event is sent all the same). An endpoint whose deliveries have failed, with none working,
for WEBHOOK_PAUSE_AFTER_HOURS is paused and every admin mailed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, render_template, url_for

from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import (
    Role,
    User,
    WebhookEndpoint,
    WebhookFormat,
    WebhookMessage,
    WebhookStatus,
)
from blogapp.models.base import utcnow
from blogapp.ops.outbox import Outbox
from blogapp.webhooks import sending
from blogapp.webhooks.addresses import UnsafeAddress
from blogapp.webhooks.audit import WebhookAction, record
from blogapp.webhooks.chat import chat_body
from blogapp.webhooks.events import forget_subscriptions

PRODUCERS_KEY = "parley_webhook_producers"


def _printable(text: str) -> str:
    """What a receiver answered, as the log may show and any database store it."""
    return "".join(c if c.isprintable() or c in "\n\t" else "�" for c in text)


class WebhookOutbox(Outbox):
    """Each event POSTed to its endpoint, signed; paused endpoints' rows wait."""

    name = "webhooks"
    model = WebhookMessage
    max_attempts_setting = "WEBHOOK_MAX_ATTEMPTS"
    # Waiting 1, 2, 4 ... minutes between attempts (at most MAX_BACKOFF).
    first_backoff = timedelta(minutes=1)
    error_length = 500

    def before_drain(self, now: datetime) -> None:
        """The events that come with time: overdue items, scheduled posts going live."""
        for produce in current_app.extensions.get(PRODUCERS_KEY, ()):
            produce(now)

    def candidates(self, now: datetime, ids=None, include_not_due=False, skip=()) -> sa.Select:
        query = super().candidates(now, ids, include_not_due, skip)
        if ids is not None:  # asked for by id: an admin's test event
            return query
        paused = sa.select(WebhookEndpoint.id).where(WebhookEndpoint.paused_at.is_not(None))
        return query.where(
            sa.or_(WebhookMessage.endpoint_id.is_(None), WebhookMessage.endpoint_id.not_in(paused))
        )

    def deliver(self, row: WebhookMessage) -> None:
        config = current_app.config
        if row.endpoint_id is None:
            url, secret = config.get("RESPONSE_WEBHOOK_URL"), config["RESPONSE_WEBHOOK_SECRET"]
            if not url:
                raise RuntimeError("RESPONSE_WEBHOOK_URL is not set")
        else:
            url, secret = row.endpoint.url, row.endpoint.secret
        body = row.payload.encode()
        if row.endpoint is not None and row.endpoint.format == WebhookFormat.CHAT:
            body = chat_body(row.event, row.payload)
        headers = sending.headers_for(secret, body, row.event, row.id, sending.now())
        row.last_attempt_at = utcnow()
        row.response_status = row.response_excerpt = None
        try:
            answer = sending.post(url, headers, body, config["WEBHOOK_TIMEOUT"])
        except sending.NotDelivered as refused:
            self._keep(row, refused.answer)
            raise
        self._keep(row, answer)

    def _keep(self, row: WebhookMessage, answer: sending.Answer) -> None:
        row.response_status = answer.status
        row.response_excerpt = _printable(answer.excerpt)[:500] or None

    def describe(self, error: Exception) -> str:
        if isinstance(error, UnsafeAddress | sending.NotDelivered):
            return str(error)
        return super().describe(error)

    def delivered(self, row: WebhookMessage, now: datetime) -> None:
        row.status = WebhookStatus.DELIVERED.value
        row.attempts += 1
        row.delivered_at = utcnow()
        row.last_error = None
        if row.endpoint is not None:
            row.endpoint.failing_since = None

    def failed(self, row: WebhookMessage, error: Exception, now: datetime) -> bool:
        dead = super().failed(row, error, now)
        endpoint = row.endpoint
        if endpoint is not None and endpoint.is_active:
            endpoint.failing_since = endpoint.failing_since or now
            hours = current_app.config["WEBHOOK_PAUSE_AFTER_HOURS"]
            if hours and now - endpoint.failing_since >= timedelta(hours=hours):
                pause_failing(endpoint, now, str(error))
        return dead


def pause_failing(endpoint: WebhookEndpoint, now: datetime, error: str) -> None:
    """Pause an endpoint that keeps failing and tell every admin, by mail, in the
    session that holds it."""
    since = endpoint.failing_since
    endpoint.paused_at = now
    endpoint.paused_reason = (
        f"Paused by Parley: every delivery failed since {since:%Y-%m-%d %H:%M} UTC."
    )
    session = sa.inspect(endpoint).session
    record(WebhookAction.PAUSED, None, endpoint, "by Parley: " + endpoint.paused_reason, session)
    forget_subscriptions()
    admins = session.scalars(
        sa.select(User).where(
            User.role == Role.ADMIN.value, User.disabled_at.is_(None), User.deleted_at.is_(None)
        )
    ).all()
    link = url_for("webhooks.endpoint", endpoint_id=endpoint.id, _external=True)
    for admin in admins:
        body = render_template(
            "webhooks/mail_paused.txt", admin=admin, endpoint=endpoint, error=error, link=link
        )
        queue_mail(
            "webhook_paused",
            admin.email,
            "A webhook endpoint was paused: its deliveries have failed for a day",
            body,
            account=True,
            session=session,
        )


class LogPruning:
    """prune_log() for the worker's round, which comes every few seconds: at most once an
    hour in a process."""

    every = timedelta(hours=1)

    def __init__(self):
        self.last: datetime | None = None

    def __call__(self) -> int:
        now = utcnow()
        if self.last is not None and now - self.last < self.every:
            return 0
        self.last = now
        return prune_log(now)


def prune_log(now: datetime | None = None) -> int:
    """Delete deliveries older than WEBHOOK_LOG_DAYS, however they ended; how many."""
    days = current_app.config["WEBHOOK_LOG_DAYS"]
    cutoff = (now or utcnow()) - timedelta(days=days)
    result = db.session.execute(
        sa.delete(WebhookMessage).where(
            WebhookMessage.created_at < cutoff,
            sa.or_(WebhookMessage.claimed_until.is_(None), WebhookMessage.claimed_until < cutoff),
        )
    )
    db.session.commit()
    return result.rowcount


def deliver_webhooks(limit: int = 100, now: datetime | None = None) -> int:
    """Send due webhook events; failures wait longer each time. Returns rows handled."""
    from blogapp.ops.outbox import outbox

    return outbox("webhooks").drain(limit, now=now).handled
