"""Webhook events as pydantic models: each embeds the API's own resources (a comment is
CommentOut, a post PostSummary, an employee Employee), so a receiver reads one set of
shapes. The OpenAPI document lists them under its top-level ``webhooks`` (api/openapi.py).

``event``, ``at`` and the ids are the envelope every event has always had."""

from typing import Literal

from blogapp.api.schemas import CommentOut, Instant, PostSummary, Resource
from blogapp.api.staff_schemas import Employee
from blogapp.models import AckKind, WebhookEvent


class TrackerItem(Resource):
    """The owed item as the response queue has it: when it falls due, and whose it is."""

    due_at: Instant
    overdue: bool
    assignee: Employee


class TrackerEvent(Resource):
    """owed, overdue, due_soon and acknowledged: one comment of the response tracker."""

    event: Literal["owed", "overdue", "due_soon", "acknowledged"]
    at: Instant
    comment_id: int
    post_id: int
    comment: CommentOut
    post: PostSummary
    item: TrackerItem
    # acknowledged: who answered and how; due_soon: the assignee warned.
    employee: Employee | None = None
    kind: Literal[tuple(k.value for k in AckKind)] | None = None


class CommentPublishedEvent(Resource):
    event: Literal["comment_published"]
    at: Instant
    comment_id: int
    post_id: int
    comment: CommentOut
    post: PostSummary


class PostPublishedEvent(Resource):
    event: Literal["post_published"]
    at: Instant
    post_id: int
    post: PostSummary


class PingEvent(Resource):
    event: Literal["ping"]
    at: Instant
    message: str


EVENT_SCHEMAS: dict[WebhookEvent, type[Resource]] = {
    WebhookEvent.OWED: TrackerEvent,
    WebhookEvent.OVERDUE: TrackerEvent,
    WebhookEvent.DUE_SOON: TrackerEvent,
    WebhookEvent.ACKNOWLEDGED: TrackerEvent,
    WebhookEvent.COMMENT_PUBLISHED: CommentPublishedEvent,
    WebhookEvent.POST_PUBLISHED: PostPublishedEvent,
    WebhookEvent.PING: PingEvent,
}
