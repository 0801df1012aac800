"""Forgot your password, reset it from a mailed link, verify an email address."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from blogapp.accounts import recovery, services, sessions, tokens
from blogapp.accounts.security_forms import ConfirmForm, ForgotPasswordForm, ResetPasswordForm
from blogapp.extensions import db, limiter

bp = Blueprint("recovery", __name__)


def _forgot_limit() -> str:
    return current_app.config["FORGOT_RATE_LIMIT_IP"]


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_forgot_limit, methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if request.method == "GET" and request.args.get("email"):
        form.email.data = request.args["email"][:254]
    if form.validate_on_submit():
        recovery.request_password_reset(form.email.data)
        return redirect(url_for("accounts.recovery.reset_sent"), 303)
    status = 400 if form.errors else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.get("/password/forgot/sent")
def reset_sent():
    """The one answer to every "forgot your password" request."""
    return render_template("accounts/reset_sent.html")


def _link_invalid(what: str):
    return render_template("accounts/link_invalid.html", what=what), 404


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from a mailed link; it logs this browser in and every other out.

    Opening the link changes nothing (a mail scanner may follow it); the form's POST does.
    """
    user = tokens.user_for_reset(token)
    if user is None:
        return _link_invalid("reset")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            recovery.reset_password(user, form.new_password.data)
        except services.AccountError as error:
            form.form_errors.append(str(error))
        else:
            if current_user.is_authenticated:
                logout_user()
            sessions.start_session(user, False, request.user_agent.string)
            db.session.commit()
            login_user(user)
            flash(
                "Your password is changed, and you are logged in. "
                "Every other browser was logged out.",
                "success",
            )
            return redirect(url_for("blog.index"), 303)
    status = 400 if form.errors else 200
    return render_template("accounts/reset.html", form=form, user=user, token=token), status


@bp.get("/verify/<token>")
def verify_email(token: str):
    """Follow the verification link: the address is proved, whoever's browser this is."""
    user = tokens.user_for_verify(token)
    if user is None:
        return _link_invalid("verify")
    if recovery.verify_email(user):
        flash(f"Thank you: {user.email} is verified.", "success")
    else:
        flash(f"{user.email} was already verified.", "info")
    if current_user.is_authenticated:
        return redirect(url_for("accounts.me.home"), 303)
    return redirect(url_for("accounts.login"), 303)


@bp.post("/verify/resend")
@login_required
def resend_verification():
    """Mail a new verification link to the signed-in account's address."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("That button needs a fresh page; please try again.", "warning")
    elif not recovery.needs_verification(current_user):
        flash("Your address is already verified.", "info")
    elif recovery.resend_verification(current_user):
        flash(f"We've sent a new link to {current_user.email}.", "success")
    else:
        flash(
            "We've sent several links in the last hour; please look for those, or try again later.",
            "warning",
        )
    return redirect(url_for("accounts.me.home"), 303)
