"""The response tracker's resources in the API: queue items, actions, metrics."""

from datetime import date
from typing import Literal

from pydantic import Field

from blogapp.api.schemas import Instant, Query, Resource
from blogapp.models import CloseReason
from blogapp.query_args import MAX_ID

Id = Field(ge=1, le=MAX_ID)
# The reasons a moderator may give (CloseReason.chosen_by_moderators), as the queue offers.
Reason = Literal[tuple(r.value for r in CloseReason.chosen_by_moderators())]


class QueueQuery(Query):
    view: Literal["all", "mine", "unassigned", "overdue"] = "all"
    post: int | None = Field(default=None, ge=1, le=MAX_ID)
    author: int | None = Field(default=None, ge=1, le=MAX_ID)
    page: int = Field(default=1, ge=1, le=10_000)
    per_page: int = Field(default=50, ge=1, le=500)


class Employee(Resource):
    id: int
    name: str


class QueueItemOut(Resource):
    comment_id: int
    post_id: int
    post_title: str
    author_name: str
    body_html: str
    created_at: Instant
    assignee: Employee
    assigned: bool  # by a claim or a moderator, not by default
    due_at: Instant
    overdue: bool
    time_left: str
    follow_up_ids: list[int]
    url: str


class QueueOut(Resource):
    items: list[QueueItemOut]
    total: int
    page: int
    pages: int


class ReplyIn(Resource):
    body: str = Field(max_length=100_000)


class AcknowledgeIn(Resource):
    note: str | None = Field(default=None, max_length=100_000)


class AssignIn(Resource):
    assignee_id: int = Id


class CloseIn(Resource):
    reason: Reason
    note: str | None = Field(default=None, max_length=100_000)


class ActionDone(Resource):
    comment_id: int
    action: str
    message: str


class WeekOut(Resource):
    start: date
    asked: int
    met: int
    missed: int
    missed_open: int
    open_not_due: int
    closed: int
    answered: int
    median_hours: float | None
    p90_hours: float | None
    backlog: int
    within_sla: float | None


class EmployeeCountOut(Resource):
    name: str
    replies: int
    acknowledged: int
    closed: int
    taken_private: int


class MetricsQuery(Query):
    weeks: int = Field(default=12, ge=1, le=104)


class MetricsOut(Resource):
    weeks: list[WeekOut]
    employees: list[EmployeeCountOut]
