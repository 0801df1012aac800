"""A guest asks, by a link mailed to the address they commented with, for those
comments to be removed."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from blogapp.accounts import leaving, tokens
from blogapp.accounts.account_forms import GuestRemovalForm
from blogapp.accounts.security_forms import ConfirmForm
from blogapp.extensions import limiter

bp = Blueprint("guests", __name__, url_prefix="/guest-comments")


def _limit() -> str:
    return current_app.config["GUEST_REMOVAL_RATE_LIMIT_IP"]


@bp.route("", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def ask_removal():
    """Type the address you commented with; a link to remove those comments is mailed."""
    form = GuestRemovalForm()
    if form.validate_on_submit():
        leaving.request_guest_removal(form.email.data)
        return redirect(url_for("accounts.guests.sent"), 303)
    status = 400 if form.errors else 200
    return render_template("accounts/guest_removal.html", form=form), status


@bp.get("/sent")
def sent():
    """The one answer to every removal request."""
    return render_template("accounts/guest_removal_sent.html")


@bp.route("/remove/<token>", methods=["GET", "POST"])
def confirm_removal(token: str):
    """List the address's guest comments and remove them on the button's POST."""
    email = tokens.guest_email_for(token)
    if email is None:
        return render_template("accounts/link_invalid.html", what="guest"), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        removed = leaving.remove_guest_comments(email)
        flash(
            f"{removed} comment{'s' if removed != 1 else ''} written with {email} "
            f"{'were' if removed != 1 else 'was'} removed.",
            "success",
        )
        return redirect(url_for("blog.index"), 303)
    comments = leaving.guest_comments(email)
    status = 400 if form.errors else 200
    return render_template(
        "accounts/guest_removal_confirm.html",
        form=form,
        email=email,
        comments=comments,
        token=token,
    ), status
