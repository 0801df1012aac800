"""The response webhook: JSON events, HMAC-signed, written to ``webhook_outbox`` with the
change and delivered afterwards by the one outbox (blogapp/ops/outbox.py) that `flask
worker` drains."""

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from blogapp.extensions import db
from blogapp.models import Comment, WebhookMessage, WebhookStatus, owed_clause
from blogapp.models.base import utcnow
from blogapp.ops.outbox import Outbox, outbox

SIGNATURE_HEADER = "X-Parley-Signature"


def enabled() -> bool:
    return bool(current_app.config.get("RESPONSE_WEBHOOK_URL"))


def queue_event(event: str, comment: Comment, *, employee=None, kind=None, at=None) -> None:
    """Write an event for ``comment`` into the outbox, in the current transaction."""
    if not enabled():
        return
    payload = {
        "event": event,
        "comment_id": comment.id,
        "post_id": comment.post_id,
        "post_title": comment.post.title,
        "author": comment.author_name,
        "at": (at or utcnow()).isoformat() + "Z",
    }
    if employee is not None:
        payload["employee"] = {"id": employee.id, "name": employee.display_name}
    if kind is not None:
        payload["kind"] = kind
    db.session.add(WebhookMessage(event=event, comment_id=comment.id, payload=json.dumps(payload)))


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: sha256=<hex HMAC of the body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def queue_overdue_events(now: datetime | None = None) -> int:
    """Write an "overdue" event for each owed comment past due that has not had one."""
    if not enabled():
        return 0
    from blogapp.responses.services import clock

    now = now or utcnow()
    cutoff = clock().overdue_cutoff(now)
    already = sa.exists().where(
        WebhookMessage.comment_id == Comment.id, WebhookMessage.event == "overdue"
    )
    comments = db.session.scalars(
        sa.select(Comment).where(owed_clause(), Comment.created_at <= cutoff, ~already).limit(500)
    ).all()
    for comment in comments:
        queue_event("overdue", comment, at=now)
    db.session.commit()
    return len(comments)


def _post(url: str, secret: str, body: bytes, timeout: float) -> None:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("User-Agent", "Parley-Webhook/1")
    if secret:
        request.add_header(SIGNATURE_HEADER, sign(secret, body))
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        if response.status >= 300:
            raise urllib.error.HTTPError(url, response.status, "not 2xx", response.headers, None)


class WebhookOutbox(Outbox):
    """The webhook outbox: each event POSTed to RESPONSE_WEBHOOK_URL, signed."""

    name = "webhooks"
    model = WebhookMessage
    max_attempts_setting = "WEBHOOK_MAX_ATTEMPTS"
    # Waiting 1, 2, 4 ... minutes between attempts (at most MAX_BACKOFF).
    first_backoff = timedelta(minutes=1)
    error_length = 500

    def before_drain(self, now: datetime) -> None:
        if enabled():
            queue_overdue_events(now)

    def deliver(self, row: WebhookMessage) -> None:
        config = current_app.config
        if not config.get("RESPONSE_WEBHOOK_URL"):
            raise RuntimeError("RESPONSE_WEBHOOK_URL is not set")
        _post(
            config["RESPONSE_WEBHOOK_URL"],
            config.get("RESPONSE_WEBHOOK_SECRET", ""),
            row.payload.encode(),
            config.get("WEBHOOK_TIMEOUT", 5),
        )

    def delivered(self, row: WebhookMessage, now: datetime) -> None:
        row.status = WebhookStatus.DELIVERED.value
        row.attempts += 1
        row.delivered_at = utcnow()
        row.last_error = None


def deliver_webhooks(limit: int = 100, now: datetime | None = None) -> int:
    """Send due webhook events; failures wait longer each time. Returns rows handled."""
    return outbox("webhooks").drain(limit, now=now).handled
