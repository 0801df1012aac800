"""Writing events: one webhook outbox row per endpoint that wants the event, in the
transaction of the change that caused it.

Which endpoints want what is kept per process (``Subscriptions``): asking costs no
statement, so a comment posted while no endpoint wants "comment_published" writes
nothing and reads nothing. The list is read again at most every
WEBHOOK_ENDPOINTS_REFRESH_SECONDS, and at once in the process that changed an endpoint
(services.py calls ``forget``); another process sees a new endpoint within that time. A
paused or deleted endpoint is checked again at delivery, so a stale list never sends
it anything.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask, current_app

from blogapp.extensions import db
from blogapp.models import WebhookEndpoint, WebhookEvent, WebhookMessage

EXTENSION_KEY = "parley_webhook_subscriptions"
# The environment's endpoint (RESPONSE_WEBHOOK_URL) in a list of endpoint ids.
DEFAULT_ENDPOINT = None


@dataclass
class Subscriptions:
    """The active endpoints' events, as this process last read them."""

    wanted: dict[int, frozenset[WebhookEvent]] = field(default_factory=dict)
    read_at: float | None = None

    def endpoints_for(self, event: WebhookEvent, max_age: float) -> list[int]:
        if self.read_at is None or time.monotonic() - self.read_at > max_age:
            self.read()
        return [endpoint for endpoint, events in self.wanted.items() if event in events]

    def read(self) -> None:
        # Asked from flush and commit listeners: a flush of its own would run them again.
        with db.session.no_autoflush:
            rows = db.session.execute(
                sa.select(WebhookEndpoint.id, WebhookEndpoint.events).where(
                    WebhookEndpoint.paused_at.is_(None)
                )
            ).all()
        self.wanted = {
            row.id: frozenset(WebhookEvent(value) for value in row.events.split()) for row in rows
        }
        self.read_at = time.monotonic()

    def forget(self) -> None:
        self.read_at = None


def register(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = Subscriptions()


def forget_subscriptions() -> None:
    """An endpoint changed: this process reads the list again before the next event."""
    current_app.extensions[EXTENSION_KEY].forget()


def endpoints_for(event: WebhookEvent) -> list[int | None]:
    """The endpoints that want ``event`` now (DEFAULT_ENDPOINT: RESPONSE_WEBHOOK_URL)."""
    config = current_app.config
    wanted: list[int | None] = []
    if config.get("RESPONSE_WEBHOOK_URL") and event in WebhookEvent.of_the_tracker():
        wanted.append(DEFAULT_ENDPOINT)
    subscriptions: Subscriptions = current_app.extensions[EXTENSION_KEY]
    wanted += subscriptions.endpoints_for(event, config["WEBHOOK_ENDPOINTS_REFRESH_SECONDS"])
    return wanted


def wanted(event: WebhookEvent) -> bool:
    return bool(endpoints_for(event))


def queue(
    event: WebhookEvent,
    payload: dict,
    *,
    comment_id: int | None = None,
    post_id: int | None = None,
    endpoints: list[int | None] | None = None,
) -> list[WebhookMessage]:
    """Add a row for each endpoint that wants ``event`` (or each of ``endpoints``) to the
    current transaction; the payload gets the event's name and is the same for all."""
    targets = endpoints_for(event) if endpoints is None else endpoints
    if not targets:
        return []
    body = json.dumps({"event": event.value} | payload)
    rows = [
        WebhookMessage(
            endpoint_id=endpoint,
            event=event.value,
            comment_id=comment_id,
            post_id=post_id,
            payload=body,
        )
        for endpoint in targets
    ]
    db.session.add_all(rows)
    return rows
