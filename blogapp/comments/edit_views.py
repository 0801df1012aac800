"""A comment's author edits it within the edit window, or deletes it (the edit page
carries the delete button). Routes on the comments blueprint, so their endpoints stay
``comments.edit`` and ``comments.delete``; the rules are in comments/services.py and
comments/viewer.py (who owns a comment, by account or guest cookie)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blogapp.comments import services
from blogapp.comments.forms import DeleteForm, EditForm
from blogapp.comments.rules import CommentRejected
from blogapp.comments.viewer import current_viewer
from blogapp.comments.views import bp, comment_location, comment_or_404


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id: int):
    """The author edits their comment within the edit window, or deletes it."""
    comment = comment_or_404(comment_id)
    viewer = current_viewer()
    if not viewer.owns(comment) or comment.status not in ("published", "held"):
        abort(403)
    form = EditForm(data={"body": comment.body_source} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.edit_comment(comment, form.body.data, may_edit=viewer.can_edit(comment))
        except CommentRejected as error:
            form.body.errors.append(str(error))
        else:
            flash("Your comment is updated.", "success")
            return redirect(comment_location(comment), 303)
    status = 400 if form.errors else 200
    return render_template(
        "comments/edit.html",
        comment=comment,
        form=form,
        delete_form=DeleteForm(formdata=None),
        can_edit=viewer.can_edit(comment),
    ), status


@bp.post("/comments/<int:comment_id>/delete")
def delete(comment_id: int):
    """The author deletes their comment; a placeholder keeps the replies in place."""
    comment = comment_or_404(comment_id)
    viewer = current_viewer()
    form = DeleteForm()
    if not viewer.can_delete(comment):
        abort(403)
    if not form.validate_on_submit():
        flash(form.csrf_token.errors[0], "error")
        return redirect(url_for("comments.edit", comment_id=comment.id))
    author = current_user if current_user.is_authenticated else None
    services.delete_own_comment(comment, author, may_delete=True)
    flash("Your comment is deleted.", "success")
    return redirect(url_for("blog.post", slug=comment.post.slug) + "#comments", 303)
