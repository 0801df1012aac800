"""Admin pages."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blogapp.accounts import security
from blogapp.accounts.permissions import admin_required
from blogapp.accounts.security_forms import ConfirmForm
from blogapp.accounts.services import AccountError, safe_next
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
    return render_template("admin/users.html", page=page, form=ConfirmForm(formdata=None))


def _change_account(user_id: int, change, done: str):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("That button needs a fresh page; please try again.", "warning")
    else:
        try:
            change(user, current_user)
        except AccountError as error:
            flash(str(error), "warning")
        else:
            flash(done.format(name=user.display_name, email=user.email), "success")
    back = safe_next(request.referrer, request.host)  # the page of People it was on
    return redirect(back or url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/disable")
@admin_required
def disable_user(user_id: int):
    """Disable an account: it can no longer log in, and every sign-in of it ends."""
    return _change_account(
        user_id, security.disable_account, "{name} <{email}> is disabled and logged out."
    )


@bp.post("/users/<int:user_id>/enable")
@admin_required
def enable_user(user_id: int):
    """Let a disabled account log in again."""
    return _change_account(user_id, security.enable_account, "{name} <{email}> can log in again.")
