"""What search asks of the features built on it, kept on the app.

The direction is one way: the response tracker (``blogapp/responses``) imports
search, and search never imports the tracker (tests/test_layout.py holds it to
that). Search indexes and filters comments by where they stand in the tracker
(owed, overdue, answered by, assigned to), so the tracker's ``register(app)``
installs its answers here, in ``app.extensions["parley_search_hooks"]``; nothing
is kept in a module global, and two apps in one process each have their own.
Without the tracker search still works: every state is unknown, nothing is
overdue, and the employee filters offer no one.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from blogapp.search.documents import ResponseState

KEY = "parley_search_hooks"

# An index change: (outbox kind, object id).
Change = tuple[str, int]
# (instance, "new" | "dirty" | "deleted") -> the index changes its flush makes.
ChangesOf = Callable[[Any, str], Iterable[Change]]
# (session, comment ids) -> {comment id: the state the index stores}.
ResponseStates = Callable[[Session, Sequence[int]], Mapping[int, "ResponseState"]]
# now -> the latest creation time of a comment overdue at ``now`` (the SLA clock run
# backwards): the Whoosh index filters "overdue" on creation times, which it has anyway.
OverdueCutoff = Callable[[datetime], datetime | None]


def _no_states(session: Session, comment_ids: Sequence[int]) -> Mapping[int, "ResponseState"]:
    return {}


def _no_cutoff(now: datetime) -> datetime | None:
    return None


def _no_one() -> list:
    return []


def _no_marks(comment_ids: Sequence[int]) -> Mapping[int, Any]:
    return {}


@dataclass
class SearchHooks:
    """Everything search asks of the features above it, with answers for "no tracker"."""

    # Models whose flushes reach the index (search/outbox.py listens for them).
    watched: dict[type, ChangesOf] = field(default_factory=dict)
    # Each comment's response state, stored in its document.
    response_states: ResponseStates = _no_states
    overdue_cutoff: OverdueCutoff = _no_cutoff
    # The employees' search page: who the "answered by" and "assigned to" filters offer,
    # and where each comment on the page stands (shown beside it).
    employees: Callable[[], list] = _no_one
    result_marks: Callable[[Sequence[int]], Mapping[int, Any]] = _no_marks


def init_app(app: Flask) -> SearchHooks:
    """Give ``app`` its hooks, answering for "no tracker" until one installs its own."""
    return app.extensions.setdefault(KEY, SearchHooks())


def hooks_of(app: Flask | None = None) -> SearchHooks:
    """``app``'s hooks (the current app's by default)."""
    return (app or current_app).extensions[KEY]
