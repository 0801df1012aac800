"""Private support's pages: the staff list, one page per conversation (staff, and the
customer who wrote the comment), taking a comment private from the post page."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from blogapp.accounts.permissions import employee_required, moderator_required
from blogapp.extensions import db
from blogapp.models import Comment, PrivateConversation, PrivateStatus
from blogapp.private import services
from blogapp.private.forms import MessageForm, ResolveForm, TakeForm
from blogapp.query_args import arg_choice

bp = Blueprint("private", __name__, url_prefix="/private")


def _readable(conversation_id: int) -> PrivateConversation:
    """The conversation if this viewer may read it; otherwise 404, so a stranger cannot
    tell which conversations exist."""
    conversation = db.session.get(PrivateConversation, conversation_id)
    if conversation is None or not services.can_read(current_user, conversation):
        abort(404)
    return conversation


def _page(conversation, form=None, status: int = 200):
    return render_template(
        "private/conversation.html",
        conversation=conversation,
        comment=conversation.comment,
        messages=services.messages(conversation),
        form=form or MessageForm(),
        resolve_form=ResolveForm(),
        staff=current_user.is_employee,
    ), status


@bp.get("/")
@employee_required
def index():
    """Every private conversation, open ones first."""
    choices = [s.value for s in PrivateStatus]
    status = arg_choice("status", choices, "") or None
    return render_template(
        "private/index.html",
        conversations=services.conversations(status),
        status=status,
        statuses=choices,
    )


@bp.get("/<int:conversation_id>")
@login_required
def conversation(conversation_id: int):
    """One private conversation: the comment, the messages, the answer form."""
    return _page(_readable(conversation_id))


@bp.post("/<int:conversation_id>/messages")
@login_required
def write(conversation_id: int):
    """A private message: an employee's answer, or the customer's own."""
    conversation = _readable(conversation_id)
    form = MessageForm()
    try:
        if not form.validate():
            raise services.PrivateError(" ".join(e for errs in form.errors.values() for e in errs))
        if current_user.is_employee:
            services.answer(conversation, current_user, form.body.data)
        else:
            services.customer_writes(conversation, current_user, form.body.data)
    except services.PrivateError as error:
        db.session.rollback()
        form.body.errors = [str(error)]
        return _page(db.session.get(PrivateConversation, conversation_id), form, 400)
    flash("Sent privately.", "success")
    return redirect(url_for("private.conversation", conversation_id=conversation_id), 303)


@bp.post("/<int:conversation_id>/resolve")
@employee_required
def resolve(conversation_id: int):
    """Mark the conversation resolved."""
    conversation = _readable(conversation_id)
    form = ResolveForm()
    try:
        if not form.validate():
            raise services.PrivateError("The form expired; please try again.")
        services.resolve(conversation, current_user)
    except services.PrivateError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash("Resolved: the public comment says so.", "success")
    return redirect(url_for("private.conversation", conversation_id=conversation_id), 303)


@bp.route("/take/<int:comment_id>", methods=["GET", "POST"])
@moderator_required
def take(comment_id: int):
    """Take a comment to private support from the post page (the queue has its own form)."""
    comment = db.get_or_404(Comment, comment_id)
    form = TakeForm()
    if form.validate_on_submit():
        try:
            taken = services.take_private(comment, current_user, form.body.data)
        except services.PrivateError as error:
            db.session.rollback()
            comment = db.session.get(Comment, comment_id)
            form.body.errors = [*form.body.errors, str(error)]
        else:
            flash("Taken to private support: the customer has been mailed.", "success")
            return redirect(url_for("private.conversation", conversation_id=taken.id), 303)
    status = 400 if form.errors else 200
    return render_template("private/take.html", comment=comment, form=form), status
