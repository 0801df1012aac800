"""The owed list: every owed comment in the queue's order, kept under the tracker's change
stamp (tracker_cache.py), and what is read from it without drawing a queue page: the staff
navigation's counts and the queue's post filter. The queue's whole and overdue views are
slices of it (queue.py). It lives apart from the queue page because every employee's
page asks it for the counts, and those need none of the page's loading.
Due times grow with creation times (see sla.Clock), so oldest-first is overdue-first.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import Comment, Post, owed_clause
from blogapp.models.base import utcnow
from blogapp.responses.services import clock
from blogapp.responses.tracker_cache import driver_time, kept


@dataclass(frozen=True)
class OwedItems:
    """Every owed comment's creation time and id in the queue's order (oldest first), and
    the posts they are on."""

    created: list[datetime]
    ids: list[int]
    post_ids: frozenset[int]

    def overdue(self, cutoff: datetime) -> int:
        """How many were created by ``cutoff``: they come first."""
        return bisect_right(self.created, cutoff)


def owed_items() -> OwedItems:
    """The owed comments in the queue's order: one query, or none while the tracker's
    stamp is unchanged."""

    def work() -> OwedItems:
        # Plain rows through the connection, times as the driver gives them, sorted here:
        # at 10,000 owed comments the ORM's row loading and the DateTime type's parsing
        # cost twice the query itself (about 45 ms of 65).
        rows = db.session.connection().execute(
            sa.select(
                sa.type_coerce(Comment.owed_since, sa.String), Comment.id, Comment.post_id
            ).where(owed_clause())
        )
        items = sorted((driver_time(created), cid, post_id) for created, cid, post_id in rows)
        return OwedItems(
            [r[0] for r in items], [r[1] for r in items], frozenset(r[2] for r in items)
        )

    return kept("owed", "items", work)


def owed_and_overdue(now: datetime | None = None) -> tuple[int, int]:
    """How many items are owed, and how many of those are overdue: one query, for the staff
    navigation on every employee's page."""
    owed = owed_items()
    return len(owed.ids), owed.overdue(clock().overdue_cutoff(now or utcnow()))


def posts_with_owed() -> list[tuple[int, str]]:
    """Posts that have owed comments, for the filter."""
    post_ids = owed_items().post_ids
    if not post_ids:
        return []
    # Every post's title, filtered here: binding a list of hundreds of ids cost more
    # (3-4 ms at 200) than reading a company blog's posts, and searching every post's
    # comments for an owed one far more.
    posts = db.session.execute(sa.select(Post.id, Post.title).order_by(Post.title))
    return [(post_id, title) for post_id, title in posts if post_id in post_ids]
