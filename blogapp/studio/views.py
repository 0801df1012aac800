"""Studio pages, for employees only."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from blogapp.accounts.permissions import employee_required
from blogapp.extensions import db
from blogapp.models import PostStatus
from blogapp.studio import services

bp = Blueprint("studio", __name__, url_prefix="/studio")


@bp.get("/")
@employee_required
def home():
    """The posts this employee may edit, filtered by status."""
    status = request.args.get("status") or None
    page = db.paginate(
        services.editable_posts(current_user, status),
        page=request.args.get("page", 1, type=int),
        per_page=25,
        error_out=False,
    )
    return render_template(
        "studio/home.html", page=page, status=status, statuses=[s.value for s in PostStatus]
    )
