"""Each webhook event's payload (webhooks/ sends them), built by the API's own
serializers (api/present.py) into its model (api/event_schemas.py): a comment in an
event is the comment GET /api/v1/comments/{id} answers, a post the posts list's
PostSummary."""

from __future__ import annotations

from datetime import datetime

from blogapp.api import event_schemas as e
from blogapp.api import present
from blogapp.models import Comment, Post, User, WebhookEvent
from blogapp.models.base import utcnow
from blogapp.responses.public import public_answers
from blogapp.responses.services import clock, current_assignee


def _comment(comment: Comment):
    """The comment as GET /api/v1/comments/{id} shows it, "Answered by" included."""
    answer = public_answers([comment.id]).get(comment.id)
    return present.comment(comment, comment.post.slug, None, answer)


def tracker_event(
    event: WebhookEvent,
    comment: Comment,
    *,
    employee: User | None = None,
    kind: str | None = None,
    at: datetime | None = None,
) -> e.TrackerEvent:
    """owed, overdue, due_soon or acknowledged, about ``comment``."""
    at = at or utcnow()
    due_at = clock().due_at(comment.owed_since)
    return e.TrackerEvent(
        event=event.value,
        at=at,
        comment_id=comment.id,
        post_id=comment.post_id,
        comment=_comment(comment),
        post=present.post_summary(comment.post),
        item=e.TrackerItem(
            due_at=due_at,
            overdue=due_at <= at,
            assignee=present.employee(current_assignee(comment)),
        ),
        employee=present.employee(employee) if employee is not None else None,
        kind=str(kind) if kind is not None else None,
    )


def comment_published(comment: Comment) -> e.CommentPublishedEvent:
    return e.CommentPublishedEvent(
        event=WebhookEvent.COMMENT_PUBLISHED.value,
        at=comment.created_at,
        comment_id=comment.id,
        post_id=comment.post_id,
        # Just published: no answer yet, and asking would cost a statement a comment.
        comment=present.comment(comment, comment.post.slug, None),
        post=present.post_summary(comment.post),
    )


def post_published(post: Post) -> e.PostPublishedEvent:
    return e.PostPublishedEvent(
        event=WebhookEvent.POST_PUBLISHED.value,
        at=post.published_at or utcnow(),
        post_id=post.id,
        post=present.post_summary(post),
    )


def ping(by: User) -> e.PingEvent:
    message = f"A test event sent by {by.display_name}."
    return e.PingEvent(event=WebhookEvent.PING.value, at=utcnow(), message=message)


def as_json(event: e.Resource) -> dict:
    return event.model_dump(mode="json")
