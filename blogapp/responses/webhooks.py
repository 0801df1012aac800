"""The response tracker's webhook events: ``owed``, ``acknowledged``, ``due_soon`` and
``overdue``, each about one comment, written with the change that caused it. Where they
go and how they are signed and delivered is blogapp/webhooks/."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from blogapp.extensions import db
from blogapp.models import Comment, WebhookEvent, WebhookMessage, owed_clause
from blogapp.webhooks.events import queue, wanted


def queue_event(event: str, comment: Comment, *, employee=None, kind=None, at=None) -> None:
    """Write an event for ``comment`` for every endpoint that wants it, in the current
    transaction."""
    event = WebhookEvent(event)
    if not wanted(event):
        return
    # Here, not at the top: the API's serializers import this package's services.
    from blogapp.api import event_payloads as payloads

    payload = payloads.tracker_event(event, comment, employee=employee, kind=kind, at=at)
    queue(event, payloads.as_json(payload), comment_id=comment.id, post_id=comment.post_id)


def queue_overdue_events(now: datetime) -> int:
    """Write an "overdue" event for each owed comment past due that has not had one.

    Only comments that fell overdue while their events are still in the log (which
    remembers which had one) are looked at: an endpoint added today is not sent a
    month of old items."""
    if not wanted(WebhookEvent.OVERDUE):
        return 0
    from blogapp.responses.services import clock

    sla = clock()
    remembered = timedelta(days=current_app.config["WEBHOOK_LOG_DAYS"] - 1)
    already = sa.exists().where(
        WebhookMessage.comment_id == Comment.id, WebhookMessage.event == WebhookEvent.OVERDUE
    )
    comments = db.session.scalars(
        sa.select(Comment)
        .where(
            owed_clause(),
            Comment.owed_since <= sla.overdue_cutoff(now),
            Comment.owed_since > sla.overdue_cutoff(now - remembered),
            ~already,
        )
        .limit(500)
    ).all()
    for comment in comments:
        queue_event(WebhookEvent.OVERDUE, comment, at=now)
    db.session.commit()
    return len(comments)
