"""The metrics page's tables as CSV downloads (responses/pages.py): a row a week, a row an
employee, the same figures the page shows (metrics.py works them out), with the column
names a spreadsheet gets.
"""

import csv
import io

from blogapp.responses.metrics import EmployeeCount, Week

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
EMPLOYEE_COLUMNS = ("employee", "replies", "acknowledged", "closed_no_response", "taken_private")


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
    rows = ((e.name, e.replies, e.acknowledged, e.closed, e.taken_private) for e in employees)
    return _csv(EMPLOYEE_COLUMNS, rows)
