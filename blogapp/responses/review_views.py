"""The review page (/responses/reviews) and its actions, and the switches that ask for
review (the author's, on the studio profile and the People page; a post's, in the editor).
On the responses blueprint."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length, Optional

from blogapp.accounts.forms import ParleyForm
from blogapp.accounts.permissions import employee_required
from blogapp.accounts.services import safe_next
from blogapp.comments.rules import CommentRejected
from blogapp.extensions import db
from blogapp.models import Post, ProposedReply, User
from blogapp.responses import review_lists, reviews
from blogapp.responses.services import ResponseError
from blogapp.responses.views import bp


class ReviewForm(ParleyForm):
    """Every review action's fields; each action reads the ones it needs."""

    body = TextAreaField("Answer", validators=[Optional(), Length(max=5000)])
    note = TextAreaField("Note", validators=[Optional(), Length(max=1000)])


class SwitchForm(ParleyForm):
    on = HiddenField()
    next = HiddenField()


def _page(errors=None, kept=None, status: int = 200):
    body = render_template(
        "responses/reviews.html",
        to_review=review_lists.to_review(current_user),
        mine=review_lists.written_by(current_user),
        errors=errors or {},
        kept=kept or {},
    )
    return body, status


@bp.get("/reviews", endpoint="reviews")
@employee_required
def reviews_page():
    """Answers waiting for your review, and your own answers waiting or sent back."""
    return _page()


def _proposal(proposal_id: int) -> ProposedReply:
    proposal = db.get_or_404(ProposedReply, proposal_id)
    return proposal


_DONE = {
    "approve": "Approved: the answer is published under {writer}'s name.",
    "send-back": "Sent back to {writer} with your note.",
    "send-again": "Sent again for review.",
    "withdraw": "Withdrawn.",
}


@bp.post("/reviews/<int:proposal_id>/<any(approve, 'send-back', 'send-again', withdraw):action>")
@employee_required
def review_act(proposal_id: int, action: str):
    """One review action; back to the review page, or the page again with the text kept."""
    proposal = _proposal(proposal_id)
    reviewing = action in ("approve", "send-back")
    if reviewing and not reviews.may_review(current_user, proposal):
        abort(403)  # only the post's author reviews
    if not reviewing and proposal.author_id != current_user.id:
        abort(403)  # only its writer sends it again or withdraws it
    form = ReviewForm()
    message = _DONE[action].format(writer=proposal.author.display_name)
    try:
        if not form.validate():
            raise ResponseError(" ".join(e for errs in form.errors.values() for e in errs))
        if action == "approve":
            reviews.approve(proposal, current_user, form.body.data)
        elif action == "send-back":
            reviews.send_back(proposal, current_user, form.note.data)
        elif action == "send-again":
            result = reviews.send_again(proposal, current_user, form.body.data)
            if not getattr(result, "awaits_review", False):
                message = "Published: this post no longer asks for review."
        else:
            reviews.withdraw(proposal, current_user)
    except (ResponseError, CommentRejected) as error:
        db.session.rollback()
        kept = {proposal_id: {"body": form.body.data, "note": form.note.data}}
        return _page({proposal_id: str(error)}, kept, status=400)
    flash(message, "success")
    return redirect(url_for("responses.reviews"), 303)


def _switch(default_back: str, change, turned_on: str, turned_off: str):
    """A review switch's form: ``change(on)`` says whether anything changed; the page goes
    back where the button was (a path on this site only: accounts' ``safe_next``)."""
    form = SwitchForm()
    back = safe_next(form.next.data, request.host) or default_back
    if not form.validate():
        flash("That button needs a fresh page; nothing was changed. Please try again.", "error")
        return redirect(back, 303)
    on = form.on.data == "1"
    try:
        changed = change(on)
    except ResponseError as error:
        db.session.rollback()
        abort(403, str(error))
    if changed:
        flash(turned_on if on else turned_off, "success")
    return redirect(back, 303)


@bp.post("/reviews/authors/<int:user_id>")
@employee_required
def require_for_author(user_id: int):
    """Ask (or stop asking) for review of answers on all of this author's posts."""
    author = db.get_or_404(User, user_id)
    whose = "your" if author.id == current_user.id else f"{author.display_name}'s"
    return _switch(
        url_for("studio.profile.edit"),
        lambda on: reviews.require_review(author, on, current_user),
        f"Employees' answers on {whose} posts now wait for review.",
        f"Employees' answers on {whose} posts are published at once again.",
    )


@bp.post("/reviews/posts/<int:post_id>")
@employee_required
def require_for_post(post_id: int):
    """Ask (or stop asking) for review of answers on one post: its author's switch."""
    post = db.get_or_404(Post, post_id)
    return _switch(
        url_for("studio.edit", post_id=post.id),
        lambda on: reviews.require_review_on_post(post, on, current_user),
        "Employees' answers on this post now wait for your review.",
        "Employees' answers on this post are published at once again.",
    )
