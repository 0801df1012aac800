"""The response webhook: JSON events, HMAC-signed, written to ``webhook_outbox`` with the
change and delivered afterwards by ``deliver_webhooks()`` (called by `flask worker`)."""

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


# A claimed row is someone's for this long; a worker that dies mid-send leaves it for later.
LEASE = timedelta(minutes=5)


def _claim(limit: int, now: datetime) -> list[WebhookMessage]:
    """Take up to ``limit`` due rows for this drain, committed before anything is sent."""
    query = (
        sa.select(WebhookMessage.id)
        .where(
            WebhookMessage.status == WebhookStatus.PENDING.value,
            WebhookMessage.next_attempt_at <= now,
        )
        .order_by(WebhookMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        # Concurrent drains skip the rows another one holds instead of waiting for them.
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(query))
    if not ids:
        db.session.commit()
        return []
    # The conditional update is the claim on every database: of two drains that read the
    # same rows (SQLite has no row locks), only the first one's update matches them.
    claimed = db.session.scalars(
        sa.update(WebhookMessage)
        .where(
            WebhookMessage.id.in_(ids),
            WebhookMessage.status == WebhookStatus.PENDING.value,
            WebhookMessage.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + LEASE)
        .returning(WebhookMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    if not claimed:
        return []
    return list(
        db.session.scalars(
            sa.select(WebhookMessage)
            .where(WebhookMessage.id.in_(claimed))
            .order_by(WebhookMessage.id)
        )
    )


def _post(url: str, secret: str, body: bytes, timeout: float) -> None:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("User-Agent", "Parley-Webhook/1")
    if secret:
        request.add_header(SIGNATURE_HEADER, sign(secret, body))
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        if response.status >= 300:
            raise urllib.error.HTTPError(url, response.status, "not 2xx", response.headers, None)


def deliver_webhooks(limit: int = 100, now: datetime | None = None) -> int:
    """Send due webhook events; failures wait longer each time. Returns rows handled."""
    config = current_app.config
    now = now or utcnow()
    if enabled():
        queue_overdue_events(now)
    messages = _claim(limit, now)
    for message in messages:
        message.attempts += 1
        try:
            if not config.get("RESPONSE_WEBHOOK_URL"):
                raise RuntimeError("RESPONSE_WEBHOOK_URL is not set")
            _post(
                config["RESPONSE_WEBHOOK_URL"],
                config.get("RESPONSE_WEBHOOK_SECRET", ""),
                message.payload.encode(),
                config.get("WEBHOOK_TIMEOUT", 5),
            )
        except Exception as error:  # any failure is retried later, never raised to the worker
            message.last_error = f"{type(error).__name__}: {error}"[:500]
            if message.attempts >= config.get("WEBHOOK_MAX_ATTEMPTS", 8):
                message.status = WebhookStatus.FAILED.value
            else:
                message.next_attempt_at = now + timedelta(minutes=2 ** (message.attempts - 1))
        else:
            message.status = WebhookStatus.DELIVERED.value
            message.delivered_at = utcnow()
            message.last_error = None
    db.session.commit()
    return len(messages)
