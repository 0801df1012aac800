"""Log in, log out, register."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from blogapp.accounts import services
from blogapp.accounts.forms import LoginForm, LogoutForm, RegisterForm

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _next_url(form) -> str:
    target = form.next.data or request.args.get("next")
    return services.safe_next(target, request.host) or url_for("blog.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password; the error never says which one was wrong."""
    if current_user.is_authenticated:
        return redirect(url_for("blog.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.display_name}.", "success")
            return redirect(_next_url(form))
        form.password.errors.append("Email or password is incorrect.")
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create a reader account and log it in."""
    if current_user.is_authenticated:
        return redirect(url_for("blog.index"))
    form = RegisterForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = services.register_reader(
                form.email.data, form.password.data, form.display_name.data
            )
        except services.AccountError as error:
            getattr(form, error.field or "email").errors.append(str(error))
        else:
            login_user(user)
            flash("Your account is ready. Welcome!", "success")
            return redirect(_next_url(form))
    status = 400 if form.errors else 200
    return render_template("accounts/register.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Log out (a POST with a CSRF token)."""
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    else:
        flash("Logging out needs a fresh page; please try again.", "warning")
    return redirect(url_for("blog.index"))
