"""Log in, log out, register, and the account's security page."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from blogapp.accounts import recovery, security, services, sessions, throttle
from blogapp.accounts.account_views import bp as account_bp
from blogapp.accounts.forms import LoginForm, LogoutForm, RegisterForm
from blogapp.accounts.guest_views import bp as guests_bp
from blogapp.accounts.recovery_views import bp as recovery_bp
from blogapp.accounts.security_forms import ChangePasswordForm, ConfirmForm
from blogapp.extensions import db, limiter

bp = Blueprint("accounts", __name__, url_prefix="/account")
bp.register_blueprint(recovery_bp)
bp.register_blueprint(account_bp)
bp.register_blueprint(guests_bp)


def _next_url(form) -> str:
    target = form.next.data or request.args.get("next")
    return services.safe_next(target, request.host) or url_for("blog.index")


def _too_many_attempts(body: str, error: throttle.TooManyAttempts):
    return body, 429, {"Retry-After": str(error.retry_after)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password; the error never says which one was wrong."""
    if current_user.is_authenticated:
        return redirect(url_for("blog.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = security.log_in(form.email.data, form.password.data, request.remote_addr)
        except throttle.TooManyAttempts as error:
            # Refused without checking the password, known account or not.
            form.form_errors.append(f"Too many attempts to log in. Try again in {error.wait}.")
            form.form_errors.append(
                "Not sure of the password? Use “Forgot your password?” below: we mail you "
                "a link to choose a new one, and it works at once."
            )
            return _too_many_attempts(render_template("accounts/login.html", form=form), error)
        except services.AccountError as error:
            errors = getattr(form, error.field).errors if error.field else form.form_errors
            errors.append(str(error))
        else:
            sessions.start_session(user, form.remember.data, request.user_agent.string)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.display_name}.", "success")
            if recovery.needs_verification(user):
                flash(_unverified_notice(user), "warning")
            return redirect(_next_url(form))
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


def _unverified_notice(user) -> str:
    held = (
        " Until you do, your comments wait for a moderator."
        if recovery.holds_comments_of(user)
        else ""
    )
    return (
        f"Your email address {user.email} is not verified yet: open the link we mailed "
        f"you.{held} Lost it? Ask for a new one on your account page."
    )


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT_IP"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    """Create a reader account; the answer is the same when the address is taken."""
    if current_user.is_authenticated:
        return redirect(url_for("blog.index"))
    form = RegisterForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            services.register_reader(form.email.data, form.password.data, form.display_name.data)
        except services.AccountError as error:
            getattr(form, error.field or "email").errors.append(str(error))
        else:
            session["registered"] = {
                "email": services.normalize_email(form.email.data),
                "next": services.safe_next(form.next.data, request.host),
            }
            return redirect(url_for("accounts.registered"), 303)
    status = 400 if form.errors else 200
    return render_template("accounts/register.html", form=form), status


@bp.get("/register/sent")
def registered():
    """Registration's answer, the same for a new address and a taken one: check your inbox."""
    registered = session.get("registered")
    if not isinstance(registered, dict) or not registered.get("email"):
        return redirect(url_for("accounts.register"))
    return render_template("accounts/registered.html", **registered)


@bp.post("/logout")
@login_required
def logout():
    """Log out this browser (a POST with a CSRF token); its cookies stop working."""
    form = LogoutForm()
    if form.validate_on_submit():
        sessions.end_session(current_user)
        db.session.commit()
        logout_user()
        flash("You are logged out.", "info")
    else:
        flash("Logging out needs a fresh page; please try again.", "warning")
    return redirect(url_for("blog.index"))


def _security_page(password_form=None, status: int = 200):
    body = render_template(
        "accounts/security.html",
        password_form=password_form or ChangePasswordForm(formdata=None),
        everywhere_form=ConfirmForm(formdata=None),
        browsers=sessions.signed_in_browsers(current_user),
        this_browser=current_user.login_session,
    )
    return body, status


@bp.get("/security")
@login_required
def security_page():
    """Where you are signed in, log out everywhere, change the password."""
    return _security_page()


@bp.post("/security/password")
@login_required
def change_password():
    """Change the password (the current one required); every other browser is logged out."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _security_page(form, 400)
    try:
        ended = security.change_password(
            current_user, form.current_password.data, form.new_password.data, request.remote_addr
        )
    except throttle.TooManyAttempts as error:
        form.form_errors.append(f"Too many attempts. Try again in {error.wait}.")
        return _too_many_attempts(_security_page(form)[0], error)
    except services.AccountError as error:
        getattr(form, error.field or "current_password").errors.append(str(error))
        return _security_page(form, 400)
    others = f" {ended} other sign-in{'s' if ended != 1 else ''} ended." if ended else ""
    flash(f"Your password is changed.{others}", "success")
    return redirect(url_for("accounts.security_page"), 303)


@bp.post("/security/logout-everywhere")
@login_required
def logout_everywhere():
    """End every sign-in of this account, this browser's included."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("That button needs a fresh page; please try again.", "warning")
        return redirect(url_for("accounts.security_page"), 303)
    sessions.end_sessions(current_user)
    db.session.commit()
    logout_user()
    flash("You are logged out everywhere, this browser included.", "info")
    return redirect(url_for("accounts.login"), 303)
