"""What search needs from the response tracker: each comment's response state for the
index and the results page, who the employee filters offer, and a re-index of a comment
whenever its acknowledgement or assignment changes. The tracker imports search, never
the other way: these are installed on the app's search hooks (blogapp/search/hooks.py).
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session, object_session

from blogapp.models import Acknowledgement, Assignment, Comment, OutboxKind
from blogapp.responses.assigning import employees
from blogapp.responses.services import clock
from blogapp.responses.state import response_state
from blogapp.search import documents, outbox
from blogapp.search.hooks import hooks_of


def states_for_index(
    session: Session, comment_ids: Sequence[int]
) -> Mapping[int, documents.ResponseState]:
    """The tracker's state of each comment, as the search index stores it. Overdue is not
    stored: the index keeps the due time and a search compares it with its own clock."""
    return {
        comment_id: documents.ResponseState(
            owed=state.owed,
            acknowledged_by_id=state.by_id,
            assigned_to_id=state.assignee_id,
            due_at=state.due_at,
            reopened=state.reopened,
        )
        for comment_id, state in response_state(comment_ids, session=session).items()
    }


def _comment_of(record: Acknowledgement | Assignment, state: str) -> Iterable[tuple[str, int]]:
    return [(OutboxKind.COMMENT, record.comment_id)]


def _conversation_of(record: Acknowledgement, state: str) -> Iterable[tuple[str, int]]:
    """An item's answer is its follow-ups' answer too (one conversation, one item): they
    are indexed again with it."""
    follow_ups = object_session(record).scalars(
        sa.select(Comment.id).where(Comment.joins_id == record.comment_id)
    )
    return [(OutboxKind.COMMENT, record.comment_id)] + [
        (OutboxKind.COMMENT, cid) for cid in follow_ups
    ]


def overdue_cutoff(now: datetime) -> datetime:
    return clock().overdue_if_created_by(now)


def register(app: Flask) -> None:
    """Install the tracker's answers on ``app``'s search hooks."""
    hooks = hooks_of(app)
    hooks.response_states = states_for_index
    hooks.overdue_cutoff = overdue_cutoff
    hooks.employees = employees
    hooks.result_marks = response_state
    outbox.watch(app, Acknowledgement, _conversation_of)
    outbox.watch(app, Assignment, _comment_of)
