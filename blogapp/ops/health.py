"""/healthz (the process answers) and /readyz (it can serve: database, schema, backlogs)."""

from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify

from blogapp.extensions import db
from blogapp.ops.outbox import outboxes

bp = Blueprint("ops", __name__)


def migration_heads() -> set[str]:
    directory = Path(current_app.root_path).parent / "migrations"
    return set(ScriptDirectory(str(directory)).get_heads())


def applied_revisions() -> set[str]:
    rows = db.session.execute(sa.text("SELECT version_num FROM alembic_version"))
    return {row[0] for row in rows}


def readiness() -> tuple[bool, dict]:
    """Each check's result; ready only when all pass."""
    checks: dict[str, dict] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = {"ok": True}
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        checks["database"] = {"ok": False, "error": type(error).__name__}
        return False, checks
    try:
        heads, applied = migration_heads(), applied_revisions()
        checks["migrations"] = {
            "ok": heads == applied,
            "head": sorted(heads),
            "applied": sorted(applied),
        }
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        checks["migrations"] = {"ok": False, "error": type(error).__name__}
    limit = current_app.config["READY_MAX_OUTBOX_BACKLOG"]
    for outbox in outboxes().values():
        name = outbox.model.__tablename__
        try:
            waiting, dead = outbox.backlog()
        except sa.exc.SQLAlchemyError as error:
            # Before the migrations have made the table; the migrations check says why.
            db.session.rollback()
            checks[name] = {"ok": False, "error": type(error).__name__}
            continue
        # Dead letters count too: each needs someone to look at it (`flask outbox dead`).
        backlog = waiting + dead
        checks[name] = {"ok": backlog <= limit, "waiting": waiting, "dead": dead, "limit": limit}
    return all(c["ok"] for c in checks.values()), checks


@bp.get("/healthz")
def healthz():
    """The process is up (no database call)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready to serve: database reachable, migrations current, outboxes within bounds."""
    ready, checks = readiness()
    return jsonify(status="ready" if ready else "unavailable", checks=checks), 200 if ready else 503
