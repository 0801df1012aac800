"""Response metrics per week and per employee, by the definitions the metrics page states
under "How we count" (DESIGN.md, "Measuring answers honestly"):

- a comment belongs to the week it was posted;
- met: its standing reply or acknowledgement came by its due time; missed: it came late,
  or the comment is still owed past its due time; share within the SLA = met / (met +
  missed), with comments still owed and not yet due shown apart;
- waits (median, 90th percentile) are over replies and acknowledgements only, in the SLA
  clock's hours; "no response needed" closes have their own column;
- an undone acknowledgement counts for nothing: the comment is owed again.
"""

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
from blogapp.responses.sla import Clock


@dataclass(frozen=True)
class Week:
    """One week's customer comments, by the week they were posted; see "How we count"."""

    start: date
    asked: int  # published customer comments posted this week
    met: int  # first standing reply or acknowledgement came by the due time
    missed: int  # answered late, or still owed past the due time
    missed_open: int  # of those, still owed past the due time (the queue's overdue items)
    open_not_due: int  # still owed, due time not reached: neither met nor missed yet
    closed: int  # closed as "no response needed": never an answer, never a wait
    answered: int  # met or missed with an answer (the waits below are theirs)
    median_hours: float | None  # in the SLA clock's hours, over replies and acknowledgements
    p90_hours: float | None
    backlog: int  # owed at the end of the week

    @property
    def label(self) -> str:
        return f"{self.start:%b} {self.start.day}"

    @property
    def within_sla(self) -> float | None:
        """met / (met + missed); None while nothing is decided."""
        decided = self.met + self.missed
        return round(self.met / decided, 3) if decided else None


@dataclass(frozen=True)
class EmployeeCount:
    name: str
    replies: int
    acknowledged: int
    closed: int

    @property
    def answers(self) -> int:
        """Replies and acknowledgements: closes are not answers."""
        return self.replies + self.acknowledged


def _monday(moment: datetime) -> date:
    return (moment - timedelta(days=moment.weekday())).date()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def _items():
    """Published customer comments that are queue items (follow-ups that joined an item
    are part of it: one conversation, one item)."""
    return (
        Comment.status == CommentStatus.PUBLISHED.value,
        Comment.joins_id.is_(None),
        customer_clause(),
    )


def _backlogs(ends: list[datetime]) -> list[int]:
    """How many comments were owed at each moment of ``ends``, in one aggregate query."""
    ack_at = Acknowledgement.created_at
    counted = [
        sa.func.sum(
            sa.case(
                (sa.and_(Comment.created_at < end, sa.or_(ack_at.is_(None), ack_at >= end)), 1),
                else_=0,
            )
        )
        for end in ends
    ]
    totals = db.session.execute(
        sa.select(*counted)
        .select_from(Comment)
        .outerjoin(Acknowledgement, Acknowledgement.standing_comment_id == Comment.id)
        .where(*_items())
    ).one()
    return [int(n or 0) for n in totals]


def _week(start: datetime, rows, sla: Clock, now: datetime, backlog: int) -> Week:
    met = missed = missed_open = open_not_due = closed = 0
    waits = []
    for created, kind, at in rows:
        due = sla.due_at(created)
        if kind is None:
            if now >= due:
                missed += 1
                missed_open += 1
            else:
                open_not_due += 1
        elif kind == AckKind.NO_RESPONSE_NEEDED:
            closed += 1
        else:
            waits.append(sla.hours_between(created, at))
            if at <= due:
                met += 1
            else:
                missed += 1
    return Week(
        start=start.date(),
        asked=len(rows),
        met=met,
        missed=missed,
        missed_open=missed_open,
        open_not_due=open_not_due,
        closed=closed,
        answered=len(waits),
        median_hours=round(statistics.median(waits), 1) if waits else None,
        p90_hours=round(_percentile(waits, 0.9), 1) if waits else None,
        backlog=backlog,
    )


def weekly(weeks: int = 12, now: datetime | None = None) -> list[Week]:
    """The last ``weeks`` weeks, oldest first: the period's comments with their standing
    acknowledgement in one query, the backlog at each week's end in a second."""
    now = now or utcnow()
    first = _monday(now) - timedelta(weeks=weeks - 1)
    start = datetime.combine(first, datetime.min.time())
    bounds = [start + timedelta(weeks=n) for n in range(weeks + 1)]
    rows = db.session.execute(
        sa.select(Comment.created_at, Acknowledgement.kind, Acknowledgement.created_at)
        .outerjoin(Acknowledgement, Acknowledgement.standing_comment_id == Comment.id)
        .where(
            *_items(),
            Comment.created_at >= start,
            Comment.created_at < now,
        )
    ).all()
    by_week: list[list] = [[] for _ in range(weeks)]
    for row in rows:
        index = (row[0] - start) // timedelta(weeks=1)
        if 0 <= index < weeks:
            by_week[index].append(row)
    backlogs = _backlogs([min(b, now) for b in bounds[1:]])
    sla = clock()
    return [_week(bounds[n], by_week[n], sla, now, backlogs[n]) for n in range(weeks)]


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
    return sorted(counts, key=lambda c: (-c.answers, -c.closed, c.name))


WEEK_COLUMNS = (
    "week_start",
    "asked",
    "met_sla",
    "missed_sla",
    "open_not_due",
    "closed_no_response",
    "share_within_sla",
    "median_hours",
    "p90_hours",
    "backlog_at_end",
)
EMPLOYEE_COLUMNS = ("employee", "replies", "acknowledged", "closed_no_response")


def _csv(header, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def weeks_csv(weeks: list[Week]) -> str:
    """The weekly table, as CSV."""
    return _csv(
        WEEK_COLUMNS,
        (
            (
                w.start.isoformat(),
                w.asked,
                w.met,
                w.missed,
                w.open_not_due,
                w.closed,
                w.within_sla,
                w.median_hours,
                w.p90_hours,
                w.backlog,
            )
            for w in weeks
        ),
    )


def employees_csv(employees: list[EmployeeCount]) -> str:
    """The per-employee table, as CSV."""
    rows = ((e.name, e.replies, e.acknowledged, e.closed) for e in employees)
    return _csv(EMPLOYEE_COLUMNS, rows)
