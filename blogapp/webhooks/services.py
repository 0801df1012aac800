"""What an admin does with webhook endpoints: add, change, rotate the secret, pause,
resume, remove, send a test event; and the delivery log they read."""

from __future__ import annotations

import json
import secrets

import sqlalchemy as sa

from blogapp.api import event_payloads as payloads
from blogapp.extensions import db
from blogapp.models import User, WebhookEndpoint, WebhookEvent, WebhookFormat, WebhookMessage
from blogapp.models.base import utcnow
from blogapp.ops.outbox import outbox
from blogapp.webhooks.addresses import UnsafeAddress, check_endpoint_url
from blogapp.webhooks.audit import WebhookAction, record
from blogapp.webhooks.events import forget_subscriptions, queue

EVENT_LABELS = {
    WebhookEvent.OWED: "Owed: a customer's comment now waits for an answer",
    WebhookEvent.OVERDUE: "Overdue: an owed comment passed its due time",
    WebhookEvent.DUE_SOON: "Due soon: an owed comment falls due within the next hours",
    WebhookEvent.ACKNOWLEDGED: "Acknowledged: an employee answered or closed an item",
    WebhookEvent.COMMENT_PUBLISHED: "Comment published: any comment became public",
    WebhookEvent.POST_PUBLISHED: "Post published: a post went live",
    WebhookEvent.PING: "Test event",
}


class WebhookError(ValueError):
    """A refusal for the admin, naming the form field to blame."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _format(fmt: str) -> str:
    try:
        return WebhookFormat(fmt).value
    except ValueError:
        raise WebhookError("Choose JSON or a chat message.", "format") from None


def _checked(url: str, events) -> tuple[str, set[WebhookEvent]]:
    try:
        url = check_endpoint_url(url)
    except UnsafeAddress as error:
        raise WebhookError(str(error), "url") from None
    chosen = {WebhookEvent(e) for e in events}
    if not chosen:
        raise WebhookError("Choose at least one event to send.", "events")
    return url, chosen


def add_endpoint(url: str, events, by: User, fmt: str = WebhookFormat.JSON) -> WebhookEndpoint:
    """A new, active endpoint with a new secret; committed, audited."""
    url, chosen = _checked(url, events)
    endpoint = WebhookEndpoint(
        url=url, secret=new_secret(), created_by_id=by.id, format=_format(fmt)
    )
    endpoint.event_set = chosen
    db.session.add(endpoint)
    db.session.flush()
    record(WebhookAction.ADDED, by, endpoint, f"events: {endpoint.events} as {endpoint.format}")
    db.session.commit()
    forget_subscriptions()
    return endpoint


def change_endpoint(
    endpoint: WebhookEndpoint, url: str, events, by: User, fmt: str | None = None
) -> None:
    """A new address, events or format; the secret stays. Committed, audited with what it
    was."""
    before, was_format = f"was {endpoint.url} events: {endpoint.events}", endpoint.format
    endpoint.url, chosen = _checked(url, events)
    endpoint.format = _format(fmt or endpoint.format)
    endpoint.event_set = chosen
    detail = f"events: {endpoint.events} ({before})"
    if endpoint.format != was_format:
        detail += f", format: {endpoint.format} (was {was_format})"
    record(WebhookAction.CHANGED, by, endpoint, detail)
    db.session.commit()
    forget_subscriptions()


def rotate_secret(endpoint: WebhookEndpoint, by: User) -> str:
    """A new secret, in force for every delivery from now on (retries too); the old one
    stops at once. Committed, audited; returns the new one, to show once."""
    endpoint.secret = new_secret()
    endpoint.secret_rotated_at = utcnow()
    record(WebhookAction.SECRET_ROTATED, by, endpoint)
    db.session.commit()
    return endpoint.secret


def pause(endpoint: WebhookEndpoint, by: User) -> None:
    """No event is written for it, and its waiting deliveries wait, until resumed."""
    if endpoint.paused_at is None:
        endpoint.paused_at = utcnow()
        endpoint.paused_reason = f"Paused by {by.display_name}."
        record(WebhookAction.PAUSED, by, endpoint)
        db.session.commit()
    forget_subscriptions()


def resume(endpoint: WebhookEndpoint, by: User) -> None:
    """Active again: new events, and the deliveries that waited, go out."""
    if endpoint.paused_at is not None:
        endpoint.paused_at = endpoint.paused_reason = endpoint.failing_since = None
        record(WebhookAction.RESUMED, by, endpoint)
        db.session.commit()
    forget_subscriptions()


def remove(endpoint: WebhookEndpoint, by: User) -> None:
    """The endpoint and its log are deleted (the audit log keeps that it was)."""
    record(WebhookAction.REMOVED, by, endpoint)
    db.session.execute(sa.delete(WebhookMessage).where(WebhookMessage.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.commit()
    forget_subscriptions()


def send_test(endpoint: WebhookEndpoint, by: User) -> WebhookMessage:
    """A "ping" event for this endpoint alone, sent now (a paused one too, to try it
    before resuming); the row, with its answer, or its error to retry like any event."""
    payload = payloads.as_json(payloads.ping(by))
    (row,) = queue(WebhookEvent.PING, payload, endpoints=[endpoint.id])
    db.session.commit()
    outbox("webhooks").drain(limit=1, ids={row.id})
    db.session.refresh(row)
    return row


def delivery_log(endpoint_id: int | None) -> sa.Select:
    """An endpoint's deliveries (None: RESPONSE_WEBHOOK_URL's), newest first."""
    if endpoint_id is None:
        which = WebhookMessage.endpoint_id.is_(None)
    else:
        which = WebhookMessage.endpoint_id == endpoint_id
    return sa.select(WebhookMessage).where(which).order_by(WebhookMessage.id.desc())


def endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(sa.select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def last_deliveries() -> dict[int | None, WebhookMessage]:
    """Each endpoint's newest delivery, by endpoint id."""
    newest = (
        sa.select(sa.func.max(WebhookMessage.id))
        .group_by(WebhookMessage.endpoint_id)
        .scalar_subquery()
    )
    rows = db.session.scalars(sa.select(WebhookMessage).where(WebhookMessage.id.in_(newest)))
    return {row.endpoint_id: row for row in rows}


def pretty(payload: str) -> str:
    return json.dumps(json.loads(payload), indent=2)
