"""The "Did this answer your question?" pages: the mailed links' confirmation page and its
POST, and the signed-in reader's buttons under an answer on the post page.

Following a mailed link changes nothing (mail scanners and link previews fetch links):
the GET shows the choice preselected, with room to say what is missing, and only the
POST of that form records it (responses/helped.py).
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from blogapp.accounts.forms import ParleyForm
from blogapp.extensions import db, limiter
from blogapp.models import Acknowledgement
from blogapp.responses import helped as services
from blogapp.responses.helped_links import CHOICES, LinkRefused, read_token

bp = Blueprint("helped", __name__, url_prefix="/answers")

THANKS = {
    True: "Thank you — glad it helped.",
    False: "Thank you — we've told the team it didn't help, and they will answer again.",
}


class HelpedForm(ParleyForm):
    choice = RadioField(
        "Did this answer your question?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[InputRequired(message="Please choose Yes or No.")],
    )
    note = TextAreaField(
        "What's missing? (optional)",
        validators=[
            Optional(),
            Length(max=services.NOTE_LENGTH, message="Please keep it under 1,000 characters."),
        ],
    )


def _refused(error: LinkRefused):
    status = 410 if "no longer works" in str(error) else 404
    return render_template("responses/helped_refused.html", message=str(error)), status


def _page(form: HelpedForm, token: str, ack: Acknowledgement, status: int = 200):
    feedback = services.feedback_of(ack)
    return (
        render_template(
            "responses/helped.html", form=form, token=token, ack=ack, item=ack.comment,
            feedback=feedback,
        ),
        status,
    )  # fmt: skip


@bp.get("/helped/<token>/<choice>")
def confirm(token: str, choice: str):
    """The mailed Yes/No link: a page with the choice preselected; nothing recorded yet."""
    if choice not in CHOICES:
        abort(404)
    try:
        ack = services.answer_of(read_token(token))
    except LinkRefused as error:
        return _refused(error)
    form = HelpedForm(formdata=None, choice=choice)
    return _page(form, token, ack)


@bp.post("/helped/<token>")
@limiter.limit("20 per minute")
def record(token: str):
    """The confirmation page's POST: record the verdict (a "No" reopens the comment)."""
    try:
        ack = services.answer_of(read_token(token))
    except LinkRefused as error:
        return _refused(error)
    form = HelpedForm()
    if not form.validate():
        return _page(form, token, ack, 400)
    return _rate(ack, form, ack.comment.author)


@bp.post("/<int:ack_id>/helped")
@login_required
@limiter.limit("20 per minute")
def from_page(ack_id: int):
    """A signed-in reader's Yes/No under the answer to their comment on the post page."""
    ack = db.session.get(Acknowledgement, ack_id)
    if ack is None or not services.may_rate(ack, current_user):
        abort(404)
    form = HelpedForm()
    if not form.validate():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(url_for("comments.permalink", comment_id=ack.comment_id), 303)
    return _rate(ack, form, current_user)


def _rate(ack: Acknowledgement, form: HelpedForm, by):
    helped = form.choice.data == "yes"
    try:
        services.rate_answer(ack, helped, form.note.data, by)
    except services.FeedbackError as error:
        db.session.rollback()
        if request.endpoint == "helped.record":
            form.form_errors.append(str(error))
            return _page(form, request.view_args["token"], ack, 409)
        flash(str(error), "error")
    else:
        flash(THANKS[helped], "success")
    return redirect(url_for("comments.permalink", comment_id=ack.comment_id), 303)
