"""Admin pages."""

import sqlalchemy as sa
from flask import Blueprint, render_template, request

from blogapp.accounts.permissions import admin_required
from blogapp.extensions import db
from blogapp.models import User

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@admin_required
def users():
    """Every account, newest first."""
    page = db.paginate(
        sa.select(User).order_by(User.created_at.desc(), User.id.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=50,
        error_out=False,
    )
    return render_template("admin/users.html", page=page)
