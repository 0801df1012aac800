"""Following a thread: one form on the post page (signed in) and on /account."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required
from wtforms import HiddenField
from wtforms.validators import AnyOf

from blogapp.accounts.forms import ParleyForm
from blogapp.blog.services import visible_post
from blogapp.follows import services

bp = Blueprint("follows", __name__)


class FollowForm(ParleyForm):
    follow = HiddenField(validators=[AnyOf(["1", "0"])])
    # Where to go back to: the post page, or the list on /account (never a URL).
    back = HiddenField(default="post", validators=[AnyOf(["post", "account"])])


@bp.post("/posts/<slug>/follow")
@login_required
def follow(slug: str):
    """Follow (follow=1) or stop following (follow=0) the thread under a post."""
    post = visible_post(slug)
    if post is None:
        abort(404)
    form = FollowForm()
    back = (
        url_for("accounts.me.home") + "#following"
        if form.back.data == "account"
        else url_for("blog.post", slug=post.slug) + "#comments"
    )
    if not form.validate_on_submit():
        errors = form.csrf_token.errors or ["Something in that request was not right; try again."]
        flash(errors[0], "error")
        return redirect(back, 303)
    if form.follow.data == "1":
        services.follow(current_user, post)
        flash(f"You follow “{post.title}”: we'll mail you about new comments.", "success")
    else:
        services.unfollow(current_user, post)
        flash(f"You no longer follow “{post.title}”.", "success")
    return redirect(back, 303)
