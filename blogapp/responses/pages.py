"""The metrics page (charts and CSV) and the audit log, on the responses blueprint."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Response, render_template, request
from sqlalchemy.orm import joinedload

from blogapp.accounts.permissions import admin_required, employee_required
from blogapp.extensions import db
from blogapp.models import AuditEvent, User
from blogapp.responses import charts
from blogapp.responses import metrics as figures
from blogapp.responses.audit import Action
from blogapp.responses.views import bp

AUDIT_PER_PAGE = 50


def _weeks() -> int:
    return min(max(request.args.get("weeks", 12, type=int) or 12, 1), 104)


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
    return _csv(figures.weeks_csv(figures.weekly(_weeks())), "response-metrics-weekly.csv")


@bp.get("/metrics-employees.csv")
@employee_required
def metrics_employees_csv():
    """The metrics page's per-employee table as CSV."""
    return _csv(
        figures.employees_csv(figures.per_employee(_weeks())), "response-metrics-employees.csv"
    )


def _day(name: str) -> datetime | None:
    try:
        return datetime.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/audit")
@admin_required
def audit():
    """The audit log, newest first by when each thing happened (an action recorded with
    the time it took effect sorts there, not by when the row was written)."""
    query = sa.select(AuditEvent).options(
        joinedload(AuditEvent.actor), joinedload(AuditEvent.subject)
    )
    action = request.args.get("action", "")
    actor = request.args.get("actor", type=int)
    comment = request.args.get("comment", type=int)
    since, until = _day("since"), _day("until")
    if action in Action.ALL:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.where(AuditEvent.actor_id == actor)
    if comment:
        query = query.where(AuditEvent.comment_id == comment)
    if since:
        query = query.where(AuditEvent.created_at >= since)
    if until:
        query = query.where(AuditEvent.created_at < until + timedelta(days=1))
    page = db.paginate(
        query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()),
        per_page=AUDIT_PER_PAGE,
        error_out=False,
    )
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
        filter_args={k: v for k, v in request.args.items() if k != "page" and v},
        chosen={
            "action": action,
            "actor": actor,
            "comment": comment,
            "since": request.args.get("since", ""),
            "until": request.args.get("until", ""),
        },
    )
