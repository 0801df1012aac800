"""Writing the audit log, in the transaction of the change it records."""

from contextlib import contextmanager

from blogapp.extensions import db
from blogapp.models import AuditEvent, Comment, User
from blogapp.webhooks.audit import WebhookAction


class Action:
    ACKNOWLEDGED = "acknowledged"
    REPLIED = "replied"
    CLOSED = "closed_no_response"
    UNDONE = "undone"
    ASSIGNED = "assigned"
    CLAIMED = "claimed"
    APPROVED = "approved"
    SPAM = "marked_spam"
    REMOVED = "removed"
    DELETED = "deleted_by_author"
    ACCOUNT_DISABLED = "account_disabled"
    ACCOUNT_ENABLED = "account_enabled"
    ACCOUNT_DELETED = "account_deleted"
    INVITED = "invited"
    INVITE_RESENT = "invite_resent"
    INVITE_ACCEPTED = "invite_accepted"
    ROLE_CHANGED = "role_changed"
    SETTING_CHANGED = "setting_changed"
    # The admin import page (importing/jobs.py): a file checked, imported, done, thrown away.
    IMPORT_CHECKED = "import_dry_run"
    IMPORT_STARTED = "import_started"
    IMPORT_FINISHED = "import_finished"
    IMPORT_DISCARDED = "import_discarded"
    # "Did this answer your question?" (responses/helped.py): a customer's verdict, the
    # reopening a "No" makes, and its withdrawal when they change their mind to "Yes".
    ANSWER_RATED = "answer_rated"
    REOPENED = "reopened_didnt_help"
    REOPEN_WITHDRAWN = "reopen_withdrawn"
    # Private support (blogapp/private): moved, answered privately, resolved.
    TAKEN_PRIVATE = "taken_private"
    PRIVATE_ANSWERED = "private_answered"
    PRIVATE_RESOLVED = "private_resolved"
    # Replies that wait for the post author's review (responses/review_gate.py, reviews.py).
    REVIEW_ASKED = "review_asked"
    REVIEW_APPROVED = "review_approved"
    REVIEW_RETURNED = "review_returned"
    REVIEW_WITHDRAWN = "review_withdrawn"
    REVIEW_SETTING = "review_setting_changed"

    ALL = (
        ACKNOWLEDGED,
        REPLIED,
        CLOSED,
        UNDONE,
        ASSIGNED,
        CLAIMED,
        APPROVED,
        SPAM,
        REMOVED,
        DELETED,
        ACCOUNT_DISABLED,
        ACCOUNT_ENABLED,
        ACCOUNT_DELETED,
        INVITED,
        INVITE_RESENT,
        INVITE_ACCEPTED,
        ROLE_CHANGED,
        SETTING_CHANGED,
        *WebhookAction.ALL,
        IMPORT_CHECKED,
        IMPORT_STARTED,
        IMPORT_FINISHED,
        IMPORT_DISCARDED,
        ANSWER_RATED,
        REOPENED,
        REOPEN_WITHDRAWN,
        TAKEN_PRIVATE,
        PRIVATE_ANSWERED,
        PRIVATE_RESOLVED,
        REVIEW_ASKED,
        REVIEW_APPROVED,
        REVIEW_RETURNED,
        REVIEW_WITHDRAWN,
        REVIEW_SETTING,
    )


def record(
    action: str,
    actor: User | None,
    comment: Comment | None = None,
    *,
    subject: User | None = None,
    reason: str | None = None,
    detail: str | None = None,
    at=None,
) -> AuditEvent:
    """Add one audit event to the session; the caller's commit keeps it."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        comment_id=comment.id if comment is not None else None,
        post_id=comment.post_id if comment is not None else None,
        subject_id=subject.id if subject is not None else None,
        reason=reason,
        detail=(detail or None) and detail[:1000],
    )
    if at is not None:
        event.created_at = at
    db.session.add(event)
    return event


_CHANNEL = "parley_reply_channel"


@contextmanager
def replying_by(channel: str):
    """Replies written inside the block came by ``channel`` ("mail"): their "replied"
    audit events say so (services.record_reply)."""
    db.session.info[_CHANNEL] = channel
    try:
        yield
    finally:
        db.session.info.pop(_CHANNEL, None)


def channel_note() -> str:
    """ " by mail" while a reply by mail is being written, else ""."""
    channel = db.session.info.get(_CHANNEL)
    return f" by {channel}" if channel else ""
