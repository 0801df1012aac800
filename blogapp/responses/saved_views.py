"""The saved replies page (/responses/saved): list, add, change and delete snippets."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blogapp.accounts.permissions import employee_required
from blogapp.extensions import db
from blogapp.models.replying import SAVED_BODY_MAX, SAVED_TITLE_MAX, SavedReply
from blogapp.responses import saved
from blogapp.responses.forms import SavedReplyForm
from blogapp.responses.views import bp


def _render(form: SavedReplyForm, editing: SavedReply | None = None, status: int = 200):
    return render_template(
        "responses/saved.html",
        replies=saved.visible_to(current_user),
        form=form,
        editing=editing,
        can_change=lambda s: saved.can_change(current_user, s),
        placeholders=saved.PLACEHOLDERS,
        title_max=SAVED_TITLE_MAX,
        body_max=SAVED_BODY_MAX,
    ), status


def _saved_or_404(saved_id: int) -> SavedReply:
    found = db.session.get(SavedReply, saved_id)
    if found is None or not saved.can_see(current_user, found):
        abort(404)  # someone else's personal snippet is not there for you
    return found


def _failed(form: SavedReplyForm, error: saved.SavedReplyError, editing=None):
    db.session.rollback()
    getattr(form, error.field, form.body).errors.append(str(error))
    return _render(form, editing, status=400)


@bp.route("/saved", methods=["GET", "POST"])
@employee_required
def saved_replies():
    """Your saved replies and the shared ones; the form adds one."""
    form = SavedReplyForm()
    if request.method == "GET":
        return _render(SavedReplyForm(formdata=None))
    if not form.validate():
        return _render(form, status=400)
    try:
        created = saved.create(current_user, form.title.data, form.body.data, form.shared.data)
    except saved.SavedReplyError as error:
        return _failed(form, error)
    flash(f"Saved “{created.title}”.", "success")
    return redirect(url_for("responses.saved_replies"), 303)


@bp.route("/saved/<int:saved_id>", methods=["GET", "POST"])
@employee_required
def saved_reply(saved_id: int):
    """Change one saved reply (its owner; a shared one, a moderator too)."""
    found = _saved_or_404(saved_id)
    if not saved.can_change(current_user, found):
        abort(403)
    if request.method == "GET":
        data = {"title": found.title, "body": found.body, "shared": found.shared}
        return _render(SavedReplyForm(formdata=None, data=data), editing=found)
    form = SavedReplyForm()
    if not form.validate():
        return _render(form, found, status=400)
    try:
        saved.update(found, current_user, form.title.data, form.body.data, form.shared.data)
    except saved.SavedReplyError as error:
        return _failed(form, error, found)
    flash(f"Saved “{found.title}”.", "success")
    return redirect(url_for("responses.saved_replies"), 303)


@bp.post("/saved/<int:saved_id>/delete")
@employee_required
def saved_delete(saved_id: int):
    """Delete one saved reply."""
    found = _saved_or_404(saved_id)
    if not saved.can_change(current_user, found):
        abort(403)
    form = SavedReplyForm()
    form.validate()
    if form.csrf_token.errors:
        flash(form.csrf_token.errors[0], "error")
    else:
        title = found.title
        saved.delete(found, current_user)
        flash(f"Deleted “{title}”.", "success")
    return redirect(url_for("responses.saved_replies"), 303)
