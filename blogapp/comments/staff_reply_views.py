"""The routes of an employee's reply on the post page that only employees use (on the
comments blueprint; the rules are in comments/staff_reply.py)."""

from flask import abort
from flask_login import current_user, login_required

from blogapp.comments import staff_reply
from blogapp.comments.forms import CommentForm
from blogapp.comments.views import bp, comment_or_404, render_form_again


@bp.post("/comments/<int:comment_id>/reply")
@login_required
def reply_insert(comment_id: int):
    """An employee's reply page without JavaScript: the form again with the chosen saved
    reply added to the text (nothing is posted)."""
    parent = comment_or_404(comment_id)
    if not parent.is_public or not current_user.is_employee:
        abort(404)
    form = CommentForm()
    staff_reply.insert_saved(form, parent)
    form.parent_id.data = str(parent.id)
    return render_form_again(parent.post, form, 400 if form.errors else 200)
