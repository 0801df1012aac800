"""A comment's response state in one query: for the queue, for search (issue 6), for anyone
who needs to know whether a comment is owed, by whom it was answered, and who has it."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from blogapp.extensions import db
from blogapp.models import Acknowledgement, Assignment, Comment, Post, User, owed_clause
from blogapp.models.base import utcnow
from blogapp.responses.services import clock


@dataclass(frozen=True)
class ResponseState:
    owed: bool
    kind: str | None  # the standing acknowledgement's kind
    by_id: int | None
    by_name: str | None
    at: datetime | None
    due_at: datetime | None
    overdue: bool
    assignee_id: int | None
    assignee_name: str | None
    # Owed again since its author said an answer did not help (due_at runs from then).
    reopened: bool = False


def response_state(
    comment_ids, now: datetime | None = None, session: Session | None = None
) -> dict[int, ResponseState]:
    """Response state of each comment (owed, by whom, overdue, assignee), in one query."""
    ids = list(comment_ids)
    if not ids:
        return {}
    now = now or utcnow()
    sla = clock()
    by, assignee, writer = (aliased(User) for _ in range(3))
    rows = (session or db.session).execute(
        sa.select(
            Comment.id,
            Comment.owed_since,
            Comment.reopened_at,
            owed_clause(),
            Acknowledgement.kind,
            Acknowledgement.created_at,
            by.id,
            by.display_name,
            sa.func.coalesce(assignee.id, Post.author_id),
            sa.func.coalesce(assignee.display_name, writer.display_name),
        )
        .join(Post, Post.id == Comment.post_id)
        .join(writer, writer.id == Post.author_id)
        # A follow-up that joined an item shares the item's answer.
        .outerjoin(
            Acknowledgement,
            Acknowledgement.standing_comment_id == sa.func.coalesce(Comment.joins_id, Comment.id),
        )
        .outerjoin(by, by.id == Acknowledgement.employee_id)
        .outerjoin(Assignment, Assignment.current_comment_id == Comment.id)
        .outerjoin(assignee, assignee.id == Assignment.assignee_id)
        .where(Comment.id.in_(ids))
    ).all()
    states = {}
    for cid, created, reopened_at, owed, kind, at, by_id, by_name, a_id, a_name in rows:
        owed = bool(owed)
        due = sla.due_at(created) if owed else None
        states[cid] = ResponseState(
            owed=owed,
            kind=kind,
            by_id=by_id,
            by_name=by_name,
            at=at,
            due_at=due,
            overdue=bool(due and due <= now),
            assignee_id=a_id if owed else None,
            assignee_name=a_name if owed else None,
            reopened=reopened_at is not None,
        )
    return states
