"""Webhook endpoints in the audit log (/responses/audit): an endpoint receives the site's
events, so who pointed one where, and when, is kept like any change of people."""

from sqlalchemy.orm import Session

from blogapp.extensions import db
from blogapp.models import AuditEvent, User, WebhookEndpoint


class WebhookAction:
    ADDED = "webhook_added"
    CHANGED = "webhook_changed"
    SECRET_ROTATED = "webhook_secret_rotated"
    PAUSED = "webhook_paused"
    RESUMED = "webhook_resumed"
    REMOVED = "webhook_removed"

    ALL = (ADDED, CHANGED, SECRET_ROTATED, PAUSED, RESUMED, REMOVED)


def record(
    action: str,
    by: User | None,
    endpoint: WebhookEndpoint,
    detail: str = "",
    session: Session | None = None,
) -> None:
    """Add the event to the session (the request's by default); the caller commits."""
    (session or db.session).add(
        AuditEvent(
            action=action,
            actor_id=by.id if by is not None else None,
            reason=f"endpoint {endpoint.id}",
            detail=(f"{endpoint.url} {detail}".strip())[:1000],
        )
    )
