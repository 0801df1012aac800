"""The metrics page (charts and CSV) and the audit log, on the responses blueprint."""

import sqlalchemy as sa
from flask import Response, render_template
from sqlalchemy.orm import joinedload

from blogapp.accounts.permissions import admin_required, employee_required
from blogapp.extensions import db
from blogapp.models import AuditEvent, User
from blogapp.query_args import arg_choice, arg_date, arg_id, arg_int, arg_page, day_range
from blogapp.responses import charts, satisfaction
from blogapp.responses import metrics as figures
from blogapp.responses.audit import Action
from blogapp.responses.metrics_csv import employees_csv, weeks_csv
from blogapp.responses.views import bp

AUDIT_PER_PAGE = 50


def _weeks() -> int:
    return arg_int("weeks", 12, low=1, high=104)


@bp.get("/metrics")
@employee_required
def metrics():
    """Weekly response times, SLA share, backlog and answers per employee, as SVG charts."""
    weeks = figures.weekly(_weeks())
    people = figures.per_employee(_weeks())
    labels = [w.label for w in weeks]
    sla_share = [None if w.within_sla is None else round(w.within_sla * 100) for w in weeks]
    return render_template(
        "responses/metrics.html",
        weeks=weeks,
        people=people,
        weeks_shown=_weeks(),
        times_chart=charts.bar_chart(
            "Hours to first acknowledgement: median and 90th percentile, per week",
            labels,
            [
                ("Median", [w.median_hours for w in weeks]),
                ("90th percentile", [w.p90_hours for w in weeks]),
            ],
            " h",
        ),
        times_legend=charts.legend(["Median", "90th percentile"]),
        sla_chart=charts.bar_chart(
            "Share that met the SLA (met ÷ (met + missed)), per week",
            labels,
            [("Met the SLA", sla_share)],
            "%",
        ),
        backlog_chart=charts.line_chart(
            "Comments owed at the end of each week", labels, [w.backlog for w in weeks]
        ),
        people_chart=charts.bar_chart(
            "Answers per employee: replies and acknowledgements",
            [p.name.split(" ")[0] for p in people],
            [
                ("Replies", [p.replies for p in people]),
                ("Acknowledged", [p.acknowledged for p in people]),
            ],
        ),
        people_legend=charts.legend(["Replies", "Acknowledged"]),
        sla=figures.clock(),
        satisfied_weeks=satisfaction.weekly(_weeks()),
        satisfied_people=satisfaction.per_employee(_weeks()),
    )


def _csv(body: str, name: str) -> Response:
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/metrics.csv")
@employee_required
def metrics_csv():
    """The metrics page's weekly table as CSV."""
    return _csv(weeks_csv(figures.weekly(_weeks())), "response-metrics-weekly.csv")


@bp.get("/metrics-employees.csv")
@employee_required
def metrics_employees_csv():
    """The metrics page's per-employee table as CSV."""
    return _csv(employees_csv(figures.per_employee(_weeks())), "response-metrics-employees.csv")


@bp.get("/metrics-satisfaction.csv")
@employee_required
def metrics_satisfaction_csv():
    """The metrics page's "Did it help?" tables (per week, per employee) as CSV."""
    weeks, people = satisfaction.weekly(_weeks()), satisfaction.per_employee(_weeks())
    return _csv(satisfaction.satisfaction_csv(weeks, people), "response-satisfaction.csv")


@bp.get("/audit")
@admin_required
def audit():
    """The audit log, newest first by when each thing happened (an action recorded with
    the time it took effect sorts there, not by when the row was written)."""
    query = sa.select(AuditEvent).options(
        joinedload(AuditEvent.actor), joinedload(AuditEvent.subject)
    )
    action = arg_choice("action", Action.ALL, "")
    actor, comment = arg_id("actor"), arg_id("comment")
    first_day, last_day = arg_date("since"), arg_date("until")
    since, until = day_range(first_day, last_day)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.where(AuditEvent.actor_id == actor)
    if comment:
        query = query.where(AuditEvent.comment_id == comment)
    if since:
        query = query.where(AuditEvent.created_at >= since)
    if until:
        query = query.where(AuditEvent.created_at < until)
    page = db.paginate(
        query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()),
        page=arg_page(),
        per_page=AUDIT_PER_PAGE,
        error_out=False,
    )
    chosen = {
        "action": action,
        "actor": actor,
        "comment": comment,
        "since": first_day.isoformat() if first_day else "",
        "until": last_day.isoformat() if last_day else "",
    }
    people = db.session.scalars(
        sa.select(User)
        .where(sa.exists().where(AuditEvent.actor_id == User.id))
        .order_by(User.display_name)
    ).all()
    return render_template(
        "responses/audit.html",
        page=page,
        actions=Action.ALL,
        people=people,
        filter_args={k: v for k, v in chosen.items() if v},
        chosen=chosen,
    )
