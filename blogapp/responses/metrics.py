"""Response metrics per week and per employee, by the definitions the metrics page states
under "How we count" (ARCHITECTURE.md, "The rules the code keeps"):

- a comment belongs to the week it was posted;
- met: its standing reply or acknowledgement came by its due time; missed: it came late,
  or the comment is still owed past its due time; share within the SLA = met / (met +
  missed), with comments still owed and not yet due shown apart;
- waits (median, 90th percentile) are over replies and acknowledgements only, in the SLA
  clock's hours; "no response needed" closes have their own column;
- an undone acknowledgement counts for nothing: the comment is owed again;
- but an answer the customer said did not help (responses/helped.py) answered its round:
  that round (from the comment's posting, or its previous reopening, to the answer) is
  an item of its own, and the reopened round another, from the "No" (Comment.owed_since).
- a comment taken to private support is answered by the first private message of staff
  (met or missed by that time, its wait up to it); until then it counts as still owed.
"""

import statistics
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import AckKind, Acknowledgement, AnswerFeedback, Comment, User
from blogapp.models.base import utcnow
from blogapp.models.private import private_answer_time
from blogapp.responses.services import clock
from blogapp.responses.sla import Clock
from blogapp.responses.tracker_cache import driver_time, kept


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
    # Comments they took to private support (answered there, not on the thread).
    taken_private: int = 0

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


@dataclass(frozen=True)
class _Settled:
    """A week's figures that no longer move with the clock, worked out once per stamp."""

    start: datetime
    rows: list  # (created, kind, acknowledged at) of the week's items
    newest: datetime | None  # the latest creation time among them
    met: int  # answered by the due time
    late: int  # answered after it
    closed: int
    waits: int
    median_hours: float | None
    p90_hours: float | None
    owed_due: list[datetime]  # due times of the week's owed items, soonest first


@dataclass(frozen=True)
class _Period:
    weeks: list[_Settled]
    created: list[datetime]  # every item's creation time, in order
    settled: list[datetime]  # when each answered item was both posted and answered, in order

    def backlog(self, end: datetime) -> int:
        """Items posted before ``end`` and not answered before it."""
        return bisect_left(self.created, end) - bisect_left(self.settled, end)


def _settle(start: datetime, rows: list, sla: Clock) -> _Settled:
    met = late = closed = 0
    waits, owed_due = [], []
    for created, kind, at in rows:
        if kind is None:
            owed_due.append(sla.due_at(created))
        elif kind == AckKind.NO_RESPONSE_NEEDED:
            closed += 1
        else:
            waits.append(sla.hours_between(created, at))
            if at <= sla.due_at(created):
                met += 1
            else:
                late += 1
    return _Settled(
        start=start,
        rows=rows,
        newest=max((r[0] for r in rows), default=None),
        met=met,
        late=late,
        closed=closed,
        waits=len(waits),
        median_hours=round(statistics.median(waits), 1) if waits else None,
        p90_hours=round(_percentile(waits, 0.9), 1) if waits else None,
        owed_due=sorted(owed_due),
    )


def _reopened_rounds(as_given) -> sa.Select:
    """The rounds that ended in an answer the customer said did not help: (when the round
    started, the answer's kind, when it came)."""
    return (
        sa.select(
            sa.type_coerce(AnswerFeedback.round_started_at, as_given),
            Acknowledgement.kind,
            sa.type_coerce(Acknowledgement.created_at, as_given),
        )
        .join(Acknowledgement, Acknowledgement.id == AnswerFeedback.acknowledgement_id)
        .join(Comment, Comment.id == AnswerFeedback.comment_id)
        .where(AnswerFeedback.reopened_at.is_not(None), Comment.tracked_clause())
    )


def _period(start: datetime, weeks: int, sla: Clock) -> _Period:
    """Every item with its standing acknowledgement, in one query: the period's items by
    week, and every item's times for the backlogs."""
    # Plain rows, times as the driver gives them (see owed_list.owed_items: the ORM's loading
    # and the DateTime type cost more than the query).
    as_given = sa.String
    found = db.session.connection().execute(
        sa.select(
            sa.type_coerce(Comment.owed_since, as_given),
            Acknowledgement.kind,
            sa.type_coerce(
                sa.case(
                    (
                        Acknowledgement.kind == AckKind.PRIVATE.value,
                        private_answer_time(),
                    ),
                    else_=Acknowledgement.created_at,
                ),
                as_given,
            ),
        )
        .outerjoin(Acknowledgement, Acknowledgement.standing_comment_id == Comment.id)
        .where(Comment.tracked_clause())
        .union_all(_reopened_rounds(as_given))
    )
    rows = [
        # Taken private and not yet answered there: still owed, for the figures.
        (
            driver_time(created),
            None if at is None else kind,
            None if at is None else driver_time(at),
        )
        for created, kind, at in found
    ]
    by_week: list[list] = [[] for _ in range(weeks)]
    for row in rows:
        if row[0] >= start:
            index = (row[0] - start) // timedelta(weeks=1)
            if index < weeks:
                by_week[index].append(row)
    return _Period(
        weeks=[_settle(start + timedelta(weeks=n), by_week[n], sla) for n in range(weeks)],
        created=sorted(r[0] for r in rows),
        settled=sorted(max(r[0], r[2]) for r in rows if r[2] is not None),
    )


def _week(settled: _Settled, sla: Clock, now: datetime, backlog: int) -> Week:
    if settled.newest is not None and settled.newest >= now:
        # Only when asked about a moment before some of the week's comments (a test's
        # clock): work the week out from its rows, as they stood then.
        settled = _settle(settled.start, [r for r in settled.rows if r[0] < now], sla)
    # Due by now: missed (the queue calls an item overdue from its due time on).
    missed_open = bisect_right(settled.owed_due, now)
    return Week(
        start=settled.start.date(),
        asked=len(settled.rows),
        met=settled.met,
        missed=settled.late + missed_open,
        missed_open=missed_open,
        open_not_due=len(settled.owed_due) - missed_open,
        closed=settled.closed,
        answered=settled.waits,
        median_hours=settled.median_hours,
        p90_hours=settled.p90_hours,
        backlog=backlog,
    )


def weekly(weeks: int = 12, now: datetime | None = None) -> list[Week]:
    """The last ``weeks`` weeks, oldest first. What does not move with the clock (each
    week's answers, waits and due times, every item's times) is worked out in one query
    and kept under the tracker's change stamp (tracker_cache.py); the rest is counted
    here: the owed items past their due time, and the backlog at each week's end."""
    now = now or utcnow()
    first = _monday(now) - timedelta(weeks=weeks - 1)
    start = datetime.combine(first, datetime.min.time())
    sla = clock()
    period = kept("metrics", (start, weeks, sla), lambda: _period(start, weeks, sla))
    ends = [min(start + timedelta(weeks=n + 1), now) for n in range(weeks)]
    return [_week(period.weeks[n], sla, now, period.backlog(ends[n])) for n in range(weeks)]


def per_employee(weeks: int = 12, now: datetime | None = None) -> list[EmployeeCount]:
    """Standing acknowledgements per employee over the period (and answers a customer said
    did not help: they answered their round), busiest first."""
    since = (now or utcnow()) - timedelta(weeks=weeks)
    count = sa.func.count(Acknowledgement.id)
    reopened = sa.select(AnswerFeedback.acknowledgement_id).where(
        AnswerFeedback.reopened_at.is_not(None)
    )
    rows = db.session.execute(
        sa.select(User.display_name, Acknowledgement.kind, count)
        .join(User, User.id == Acknowledgement.employee_id)
        .where(
            Acknowledgement.standing_comment_id.is_not(None) | Acknowledgement.id.in_(reopened),
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
            kinds.get(AckKind.PRIVATE.value, 0),
        )
        for name, kinds in people.items()
    ]
    return sorted(counts, key=lambda c: (-c.answers, -c.closed, c.name))
