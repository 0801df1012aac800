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
    """The last ``weeks`` weeks, oldest first."""
    now = now or utcnow()
    first = _monday(now) - timedelta(weeks=weeks - 1)
    start = datetime.combine(first, datetime.min.time())
    rows = db.session.execute(
        sa.select(Comment.created_at, Acknowledgement.created_at)
        .outerjoin(Acknowledgement, Acknowledgement.standing_comment_id == Comment.id)
        .where(
            Comment.status == CommentStatus.PUBLISHED.value,
            customer_clause(),
            sa.or_(
                Comment.created_at >= start,
                Acknowledgement.id.is_(None),
                Acknowledgement.created_at >= start,
            ),
        )
    ).all()
    sla = clock()
    result = []
    for n in range(weeks):
        week_start = start + timedelta(weeks=n)
        week_end = min(week_start + timedelta(weeks=1), now)
        asked = [(c, a) for c, a in rows if week_start <= c < week_start + timedelta(weeks=1)]
        waits = [(a - c).total_seconds() / 3600 for c, a in asked if a is not None]
        in_time = [1 for c, a in asked if a is not None and a <= sla.due_at(c)]
        backlog = sum(1 for c, a in rows if c < week_end and (a is None or a >= week_end))
        result.append(
            Week(
                start=week_start.date(),
                asked=len(asked),
                acknowledged=len(waits),
                median_hours=round(statistics.median(waits), 1) if waits else None,
                p90_hours=round(_percentile(waits, 0.9), 1) if waits else None,
                within_sla=round(len(in_time) / len(waits), 3) if waits else None,
                backlog=backlog,
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
