"""Response metrics per week: time to first acknowledgement, share within the SLA, backlog,
and counts per employee. Two queries; the arithmetic is done in Python."""

import csv
import io
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import AckKind, Acknowledgement, Comment, CommentStatus, User
from blogapp.models.base import utcnow
from blogapp.responses.services import clock, customer_clause


@dataclass(frozen=True)
class Week:
    start: date
    asked: int
    acknowledged: int
    median_hours: float | None
    p90_hours: float | None
    within_sla: float | None  # share of the week's acknowledged comments answered in time
    backlog: int  # owed at the end of the week

    @property
    def label(self) -> str:
        return f"{self.start:%b} {self.start.day}"


@dataclass(frozen=True)
class EmployeeCount:
    name: str
    replies: int
    acknowledged: int
    closed: int

    @property
    def total(self) -> int:
        return self.replies + self.acknowledged + self.closed


def _monday(moment: datetime) -> date:
    return (moment - timedelta(days=moment.weekday())).date()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def weekly(weeks: int = 12, now: datetime | None = None) -> list[Week]:
    """The last ``weeks`` weeks, oldest first: counts in one aggregate query, the waits of
    the period's acknowledged comments in a second."""
    now = now or utcnow()
    first = _monday(now) - timedelta(weeks=weeks - 1)
    start = datetime.combine(first, datetime.min.time())
    bounds = [start + timedelta(weeks=n) for n in range(weeks + 1)]
    ends = [min(b, now) for b in bounds[1:]]
    ack_at = Acknowledgement.created_at
    counted = []
    for n in range(weeks):
        asked = sa.and_(Comment.created_at >= bounds[n], Comment.created_at < bounds[n + 1])
        counted.append(sa.func.sum(sa.case((asked, 1), else_=0)))
        # Owed at the week's end: posted before it, not acknowledged before it.
        open_then = sa.and_(
            Comment.created_at < ends[n], sa.or_(ack_at.is_(None), ack_at >= ends[n])
        )
        counted.append(sa.func.sum(sa.case((open_then, 1), else_=0)))
    published_customer = (Comment.status == CommentStatus.PUBLISHED.value, customer_clause())
    totals = db.session.execute(
        sa.select(*counted)
        .select_from(Comment)
        .outerjoin(Acknowledgement, Acknowledgement.standing_comment_id == Comment.id)
        .where(*published_customer)
    ).one()
    answered = db.session.execute(
        sa.select(Comment.created_at, ack_at)
        .join(Acknowledgement, Acknowledgement.standing_comment_id == Comment.id)
        .where(*published_customer, Comment.created_at >= start)
    ).all()
    by_week: list[list[tuple[datetime, datetime]]] = [[] for _ in range(weeks)]
    for created, at in answered:
        index = (created - start) // timedelta(weeks=1)
        if 0 <= index < weeks:
            by_week[index].append((created, at))
    sla = clock()
    result = []
    for n in range(weeks):
        waits = [(a - c).total_seconds() / 3600 for c, a in by_week[n]]
        in_time = sum(1 for c, a in by_week[n] if a <= sla.due_at(c))
        result.append(
            Week(
                start=bounds[n].date(),
                asked=int(totals[2 * n] or 0),
                acknowledged=len(waits),
                median_hours=round(statistics.median(waits), 1) if waits else None,
                p90_hours=round(_percentile(waits, 0.9), 1) if waits else None,
                within_sla=round(in_time / len(waits), 3) if waits else None,
                backlog=int(totals[2 * n + 1] or 0),
            )
        )
    return result


def per_employee(weeks: int = 12, now: datetime | None = None) -> list[EmployeeCount]:
    """Standing acknowledgements per employee over the period, busiest first."""
    since = (now or utcnow()) - timedelta(weeks=weeks)
    count = sa.func.count(Acknowledgement.id)
    rows = db.session.execute(
        sa.select(User.display_name, Acknowledgement.kind, count)
        .join(User, User.id == Acknowledgement.employee_id)
        .where(
            Acknowledgement.standing_comment_id.is_not(None),
            Acknowledgement.created_at >= since,
        )
        .group_by(User.display_name, Acknowledgement.kind)
    ).all()
    people: dict[str, dict[str, int]] = {}
    for name, kind, n in rows:
        people.setdefault(name, {})[kind] = n
    counts = [
        EmployeeCount(
            name,
            kinds.get(AckKind.REPLY.value, 0),
            kinds.get(AckKind.ACKNOWLEDGED.value, 0),
            kinds.get(AckKind.NO_RESPONSE_NEEDED.value, 0),
        )
        for name, kinds in people.items()
    ]
    return sorted(counts, key=lambda c: (-c.total, c.name))


def as_csv(weeks: list[Week], employees: list[EmployeeCount]) -> str:
    """The same numbers as the charts, in two tables of one CSV file."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "week_start",
            "asked",
            "acknowledged",
            "median_hours",
            "p90_hours",
            "share_within_sla",
            "backlog_at_end",
        ]
    )
    for w in weeks:
        writer.writerow(
            [
                w.start.isoformat(),
                w.asked,
                w.acknowledged,
                w.median_hours,
                w.p90_hours,
                w.within_sla,
                w.backlog,
            ]
        )
    writer.writerow([])
    writer.writerow(["employee", "replies", "acknowledged", "closed_no_response", "total"])
    for e in employees:
        writer.writerow([e.name, e.replies, e.acknowledged, e.closed, e.total])
    return out.getvalue()
