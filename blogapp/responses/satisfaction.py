"""The "Did this answer your question?" figures: the share of answers customers said
helped, per week, per employee, and for the whole site (the post page's line).

An answer's verdict counts in the week the answer was given, for the employee who gave
it; a changed mind counts once, as it stands now. share = yes ÷ (yes + no), never shown
without its counts. Worked out from one query kept under the tracker's change stamp
(tracker_cache.py): a verdict touches its comment, which moves the stamp.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from blogapp.comments.cache import cache
from blogapp.extensions import db
from blogapp.models import Acknowledgement, AnswerFeedback, User
from blogapp.models.base import utcnow
from blogapp.responses.tracker_cache import driver_time, kept
from blogapp.sitesettings.store import site_settings


@dataclass(frozen=True)
class Satisfaction:
    yes: int = 0
    no: int = 0

    @property
    def answers(self) -> int:
        return self.yes + self.no

    @property
    def share(self) -> float | None:
        """yes ÷ (yes + no); None with no verdicts."""
        return round(self.yes / self.answers, 3) if self.answers else None

    def add(self, helped: bool) -> "Satisfaction":
        return Satisfaction(self.yes + helped, self.no + (not helped))


def _verdicts() -> list[tuple[datetime, str, bool]]:
    """Every verdict: (when the answer was given, who gave it, whether it helped)."""

    def work():
        rows = db.session.connection().execute(
            sa.select(
                sa.type_coerce(Acknowledgement.created_at, sa.String),
                User.display_name,
                AnswerFeedback.helped,
            )
            .join(Acknowledgement, Acknowledgement.id == AnswerFeedback.acknowledgement_id)
            .join(User, User.id == Acknowledgement.employee_id)
        )
        return [(driver_time(at), name, bool(helped)) for at, name, helped in rows]

    return kept("satisfaction", "verdicts", work)


def _start(weeks: int, now: datetime) -> datetime:
    monday = (now - timedelta(days=now.weekday())).date() - timedelta(weeks=weeks - 1)
    return datetime.combine(monday, datetime.min.time())


def weekly(weeks: int = 12, now: datetime | None = None) -> list[tuple[date, Satisfaction]]:
    """The last ``weeks`` weeks (as the metrics page's), oldest first."""
    now = now or utcnow()
    start = _start(weeks, now)
    counts = [Satisfaction() for _ in range(weeks)]
    for at, _name, helped in _verdicts():
        index = (at - start) // timedelta(weeks=1) if at >= start else -1
        if 0 <= index < weeks and at <= now:
            counts[index] = counts[index].add(helped)
    return [((start + timedelta(weeks=n)).date(), counts[n]) for n in range(weeks)]


def per_employee(weeks: int = 12, now: datetime | None = None) -> list[tuple[str, Satisfaction]]:
    """Each employee's answers rated in the period (as the metrics page's), most rated first."""
    now = now or utcnow()
    since = now - timedelta(weeks=weeks)
    people: dict[str, Satisfaction] = {}
    for at, name, helped in _verdicts():
        if since <= at <= now:
            people[name] = people.get(name, Satisfaction()).add(helped)
    return sorted(people.items(), key=lambda p: (-p[1].answers, p[0]))


def site_figure() -> Satisfaction | None:
    """The whole site's verdicts for the post page, when HELPED_FIGURE_SHOWN is on and
    there are at least HELPED_FIGURE_MINIMUM; else None. Kept a minute a process like the
    site's typical wait (comments/section.response_figures), so the post page reads no
    tracker stamp: a verdict shows there within cache.TTL."""
    settings = site_settings()
    if not settings["HELPED_FIGURE_SHOWN"]:
        return None
    minimum = max(1, int(settings["HELPED_FIGURE_MINIMUM"]))
    store = cache("response_figures")
    figure = store.get("helped")
    if figure is None:
        yes, no = db.session.execute(
            sa.select(
                sa.func.count().filter(AnswerFeedback.helped.is_(True)),
                sa.func.count().filter(AnswerFeedback.helped.is_(False)),
            )
        ).one()
        figure = Satisfaction(yes, no)
        store.put("helped", figure)
    return figure if figure.answers >= minimum else None


COLUMNS = ("scope", "name", "helped_yes", "helped_no", "helped_share")


def satisfaction_csv(weeks: list, people: list) -> str:
    """Both tables in one CSV: a row a week (scope "week", its Monday), then a row an
    employee."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for start, s in weeks:
        writer.writerow(("week", start.isoformat(), s.yes, s.no, s.share))
    for name, s in people:
        writer.writerow(("employee", name, s.yes, s.no, s.share))
    return out.getvalue()
