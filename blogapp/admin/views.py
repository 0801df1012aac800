"""Admin pages."""

import sqlalchemy as sa
from flask import Blueprint, render_template

from blogapp.accounts.permissions import admin_required
from blogapp.extensions import db
from blogapp.models import User
from blogapp.query_args import arg_page

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@admin_required
def users():
    """Every account, newest first."""
    page = db.paginate(
        sa.select(User).order_by(User.created_at.desc(), User.id.desc()),
        page=arg_page(),
        per_page=50,
        error_out=False,
    )
    return render_template("admin/users.html", page=page)
