"""A small moderator page for held and flagged comments (until the response queue exists)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blogapp.accounts.permissions import moderator_required
from blogapp.comments import moderation
from blogapp.comments.forms import ModerationForm, RemoveForm
from blogapp.comments.rules import CommentRejected
from blogapp.extensions import db
from blogapp.models import Comment, Post
from blogapp.responses.actions import MODERATION, Given, offered
from blogapp.responses.services import ResponseError

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


def _back() -> str:
    return url_for("moderation.queue")


@bp.get("")
@moderator_required
def queue():
    """Held comments waiting for approval and comments readers reported."""
    return render_template(
        "comments/moderation.html",
        held=moderation.held_comments(),
        flagged=moderation.flagged_comments(),
        form=ModerationForm(formdata=None),
    )


@bp.post("/comments/<int:comment_id>/<action>")
@moderator_required
def act(comment_id: int, action: str):
    """Approve a held comment, mark one as spam, or keep a reported one."""
    chosen = offered(MODERATION, action)
    comment = db.session.get(Comment, comment_id)
    if comment is None or chosen is None:
        abort(404)
    if not chosen.permission(current_user):
        abort(403)
    form = ModerationForm()
    if not form.validate_on_submit():
        flash(form.csrf_token.errors[0], "error")
        return redirect(_back())
    given = Given()
    try:
        chosen.service(comment, current_user, given)
    except (CommentRejected, ResponseError) as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(chosen.done(given), "success")
    return redirect(_back(), 303)


@bp.route("/comments/<int:comment_id>/remove", methods=["GET", "POST"])
@moderator_required
def remove(comment_id: int):
    """Remove a comment with a reason; the page shows a placeholder in its place."""
    comment = db.get_or_404(Comment, comment_id)
    remove = offered(MODERATION, "remove")
    if not remove.permission(current_user):
        abort(403)
    form = RemoveForm()
    if form.validate_on_submit():
        given = Given(note=form.reason.data)
        try:
            remove.service(comment, current_user, given)
        except CommentRejected as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            flash(remove.done(given), "success")
            return redirect(_back(), 303)
    status = 400 if form.errors else 200
    return render_template("comments/remove.html", comment=comment, form=form), status


@bp.post("/posts/<int:post_id>/comments-open")
@moderator_required
def toggle_open(post_id: int):
    """Open or close a post's comments."""
    post = db.get_or_404(Post, post_id)
    form = ModerationForm()
    if form.validate_on_submit():
        is_open = request.form.get("open") == "1"
        moderation.set_comments_open(post, is_open)
        flash("Comments are open." if is_open else "Comments are closed.", "success")
    else:
        flash(form.csrf_token.errors[0], "error")
    return redirect(url_for("blog.post", slug=post.slug) + "#comments", 303)
