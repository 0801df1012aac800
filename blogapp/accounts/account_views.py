"""A person's own account: name, address, notifications, comments, export, deletion."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from blogapp.accounts import leaving, profile, recovery, throttle, tokens
from blogapp.accounts.account_forms import (
    ChangeEmailForm,
    DeleteAccountForm,
    DisplayNameForm,
    NotificationsForm,
)
from blogapp.accounts.security_forms import ConfirmForm
from blogapp.accounts.services import AccountError
from blogapp.extensions import db
from blogapp.follows.services import followed_threads
from blogapp.models import Comment
from blogapp.query_args import arg_page
from blogapp.sitesettings.store import site_settings

bp = Blueprint("me", __name__)
COMMENTS_PER_PAGE = 20


def _too_many(form, error: throttle.TooManyAttempts) -> None:
    form.form_errors.append(f"Too many attempts. Try again in {error.wait}.")


def _home(name_form=None, email_form=None, notify_form=None, status: int = 200):
    user = current_user
    followed, followed_count = followed_threads(user)
    body = render_template(
        "accounts/account.html",
        name_form=name_form or DisplayNameForm(formdata=None, obj=user, owner=user),
        email_form=email_form or ChangeEmailForm(formdata=None),
        notify_form=notify_form or NotificationsForm(formdata=None, obj=user),
        resend_form=ConfirmForm(formdata=None),
        needs_verification=recovery.needs_verification(user),
        followed=followed,
        followed_count=followed_count,
        comment_count=db.session.scalar(
            sa.select(sa.func.count(Comment.id)).where(Comment.author_id == user.id)
        ),
    )
    return body, status


@bp.get("")
@login_required
def home():
    """Your account: name, address, notifications, and links to the rest."""
    return _home()


@bp.post("/name")
@login_required
def change_name():
    """Change the name shown next to your comments."""
    form = DisplayNameForm(owner=current_user)
    if form.validate_on_submit():
        try:
            profile.rename(current_user, form.display_name.data)
        except AccountError as error:
            getattr(form, error.field or "display_name").errors.append(str(error))
        else:
            flash("Your name is changed.", "success")
            return redirect(url_for("accounts.me.home"), 303)
    return _home(name_form=form, status=400)


@bp.post("/email")
@login_required
def change_email():
    """Ask to move the account to a new address; a link mailed there completes it."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            profile.request_email_change(
                current_user, form.new_email.data, form.password.data, request.remote_addr
            )
        except throttle.TooManyAttempts as error:
            _too_many(form, error)
            body, _ = _home(email_form=form)
            return body, 429, {"Retry-After": str(error.retry_after)}
        except AccountError as error:
            getattr(form, error.field or "new_email").errors.append(str(error))
        else:
            flash(
                f"We've sent a link to {form.new_email.data.strip().lower()}. Open it within "
                "an hour to make it your address; until then, nothing changes.",
                "success",
            )
            return redirect(url_for("accounts.me.home"), 303)
    return _home(email_form=form, status=400)


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Confirm a new address from the link mailed to it (opening it changes nothing)."""
    found = tokens.email_change_for(token)
    if found is None:
        return render_template("accounts/link_invalid.html", what="email"), 404
    user, new_email = found
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            profile.change_email(user, new_email)
        except AccountError as error:
            form.form_errors.append(str(error))
        else:
            flash(f"Your address is now {new_email}.", "success")
            target = "accounts.me.home" if current_user == user else "accounts.login"
            return redirect(url_for(target), 303)
    status = 400 if form.errors else 200
    return render_template(
        "accounts/confirm_email.html", form=form, user=user, new_email=new_email, token=token
    ), status


@bp.post("/notifications")
@login_required
def change_notifications():
    """Choose which notification mails you get."""
    form = NotificationsForm()
    if not form.validate_on_submit():
        return _home(notify_form=form, status=400)
    choices = {
        "replies": form.notify_replies.data,
        "acknowledged": form.notify_acknowledged.data,
        "follows": form.notify_follows.data,
    }
    if not current_user.is_employee:  # employees follow by hand (follows/services.py)
        choices["follow_on_comment"] = form.follow_on_comment.data
    profile.set_notifications(current_user, **choices)
    flash("Your notification choices are saved.", "success")
    return redirect(url_for("accounts.me.home"), 303)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Turn off the notification a mail's link names: a button on GET (a scanner that
    follows the link changes nothing), or a mail client's one-click POST."""
    found = tokens.unsubscribe_for(token)
    if found is None:
        abort(404)
    user, choice = found
    done = request.method == "POST"
    if done:  # the signed token is the credential, as for blogapp/mail/views.py
        profile.unsubscribe(user, choice)
    return render_template(
        "accounts/unsubscribe.html", user=user, choice=choice, token=token, done=done
    )


@bp.get("/comments")
@login_required
def comments():
    """The comments you wrote, newest first, with links to them."""
    page = db.paginate(
        sa.select(Comment)
        .where(Comment.author_id == current_user.id)
        .order_by(Comment.created_at.desc(), Comment.id.desc()),
        page=arg_page(),
        per_page=COMMENTS_PER_PAGE,
        error_out=False,
    )
    if page.page > 1 and not page.items:
        abort(404)
    return render_template("accounts/comments.html", page=page)


@bp.get("/export.zip")
@login_required
def export():
    """Download your profile and comments as JSON and Markdown in a zip."""
    data = leaving.export_zip(current_user)
    name = f"{site_settings()['SITE_NAME']}-my-data.zip".replace(" ", "-").lower()
    return (
        data,
        200,
        {
            "Content-Type": "application/zip",
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    """Delete your account, keeping or removing your comments."""
    if current_user.is_employee:
        abort(403)
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            leaving.delete_account(
                current_user,
                form.comments.data == "keep",
                form.password.data,
                request.remote_addr,
            )
        except throttle.TooManyAttempts as error:
            _too_many(form, error)
            body = render_template("accounts/delete.html", form=form)
            return body, 429, {"Retry-After": str(error.retry_after)}
        except AccountError as error:
            getattr(form, error.field or "password").errors.append(str(error))
        else:
            logout_user()
            flash("Your account is deleted. Thank you for the conversations.", "info")
            return redirect(url_for("blog.index"), 303)
    status = 400 if form.errors else 200
    return render_template("accounts/delete.html", form=form), status
