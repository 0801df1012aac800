"""Webhooks: endpoints an admin adds at /admin/webhooks, the events they subscribe to, and
their delivery through the one outbox (blogapp/ops/outbox.py), signed and logged."""

from collections.abc import Callable
from datetime import datetime

from flask import Flask


def register(app: Flask) -> None:
    """The endpoints' pages, the outbox and what fills it, the log's pruning."""
    from blogapp.ops.outbox import register_outbox
    from blogapp.ops.worker import register_scheduled
    from blogapp.webhooks import events, listeners
    from blogapp.webhooks.delivery import LogPruning, WebhookOutbox
    from blogapp.webhooks.views import bp

    app.register_blueprint(bp)
    events.register(app)
    listeners.register()
    register_outbox(app, WebhookOutbox())
    add_producer(app, listeners.queue_scheduled_posts)
    register_scheduled(app, "webhook log", LogPruning())


def add_producer(app: Flask, produce: Callable[[datetime], int]) -> None:
    """Events that come with time (``produce(now)``), written before each drain of the
    webhook outbox: the tracker's overdue items, scheduled posts going live."""
    from blogapp.webhooks.delivery import PRODUCERS_KEY

    app.extensions.setdefault(PRODUCERS_KEY, []).append(produce)
