"""An employee's reply on the post page: what the views ask before publishing it (did
someone else answer since the form was drawn?) and the saved reply inserted without
JavaScript. The rules themselves are the tracker's (responses/replying.py, saved.py)."""

from flask import request
from flask_login import current_user

from blogapp.comments.forms import CommentForm
from blogapp.extensions import db
from blogapp.models import Comment
from blogapp.models.replying import SavedReply
from blogapp.query_args import parse_id
from blogapp.responses import replying
from blogapp.responses import saved as saved_replies


def is_staff_reply(author, form: CommentForm) -> bool:
    return author is not None and author.is_employee and form.parent is not None


def confirmed() -> bool:
    """ "Send mine anyway": the employee saw the other answer and sends theirs too."""
    return request.form.get("confirm") == "yes"


def opened_kept() -> dict:
    """The reply form's "opened" stamp as it came, when it is one."""
    value = request.form.get("opened")
    return {"opened": value} if replying.read_opened(value) is not None else {}


def form_context(conflict: replying.OtherAnswer | None) -> dict:
    """What the reply page's form shows of it: the other answer and "Send mine anyway",
    and the stamp the form came with (a fresh one once the other answer is shown)."""
    kept = {} if conflict else opened_kept()
    return {"conflict": conflict, "confirm_answered": conflict is not None or confirmed()} | kept


def note_reply_page(parent: Comment) -> None:
    """An employee opened the reply page: the team sees them replying."""
    if current_user.is_authenticated and current_user.is_employee:
        replying.note_replying(parent, current_user)


def check_answered_since(author, form: CommentForm) -> None:
    """Raise replying.AnsweredSince when another employee answered the parent after the
    form was drawn, unless this is the confirmed send."""
    if not is_staff_reply(author, form) or confirmed():
        return
    parent = db.session.get(Comment, form.parent)
    if parent is not None:
        opened = replying.read_opened(request.form.get("opened"))
        replying.check_not_answered_since(parent, author, opened)


def insert_saved(form: CommentForm, parent: Comment) -> None:
    """Add the chosen saved reply (``saved`` in the form) to the form's text, filled in for
    ``parent``; or say why not on the body field. Nothing else of the form is judged."""
    form.validate()
    for name, field in form._fields.items():
        if name != "csrf_token":
            field.errors = []  # not a submission: only the token matters
    if form.csrf_token.errors:
        return
    chosen_id = parse_id(request.form.get("saved"))
    chosen = db.session.get(SavedReply, chosen_id) if chosen_id else None
    if chosen is None or not saved_replies.can_see(current_user, chosen):
        form.body.errors = ["Please choose a saved reply to insert."]
        return
    snippet = saved_replies.filled(chosen.body, parent)
    form.body.data = saved_replies.appended(form.body.data, snippet)
