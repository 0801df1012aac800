"""The page an invitation links to: choose a password, and you are logged in."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from blogapp.accounts import sessions
from blogapp.accounts.services import AccountError
from blogapp.admin import invites, services
from blogapp.admin.forms import SetPasswordForm
from blogapp.extensions import db

bp = Blueprint("welcome", __name__, url_prefix="/welcome")


@bp.route("/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Choose the password of an invited account; its link then stops working."""
    invited = invites.user_for_token(token)
    if invited is None:
        return render_template("admin/welcome.html", form=None, dead=invites.DEAD_LINK), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.password.data)
        except AccountError as error:
            form.form_errors.append(str(error))
        else:
            if current_user.is_authenticated:  # someone else was signed in on this browser
                sessions.end_session(current_user)
                logout_user()
            sessions.start_session(user, False, request.user_agent.string)
            db.session.commit()
            login_user(user)
            flash(f"Welcome, {user.display_name}. Your password is set.", "success")
            return redirect(url_for("studio.home"), 303)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("admin/welcome.html", form=form, person=invited), status
