"""The response queue (/responses) and the actions on its items."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from blogapp.accounts.permissions import employee_required, moderator_required
from blogapp.comments import moderation
from blogapp.comments.rules import CommentRejected
from blogapp.extensions import db
from blogapp.models import Comment, User
from blogapp.query_args import arg_int, arg_page, parse_id
from blogapp.responses import assigning, drafts, replying
from blogapp.responses.actions import BULK, QUEUE, Given, offered
from blogapp.responses.answer_page import render_answer_page, saved_options
from blogapp.responses.drawn import ItemActions
from blogapp.responses.forms import BULK_CHOICES, REASON_CHOICES, ActionForm, BulkForm
from blogapp.responses.owed_list import posts_with_owed
from blogapp.responses.queue import VIEWS, QueueFilters, queue_page
from blogapp.responses.review_gate import review_held_message
from blogapp.responses.review_lists import waiting_marks
from blogapp.responses.services import ResponseError, can_moderate

bp = Blueprint("responses", __name__, url_prefix="/responses")
MAX_PER_PAGE = 500


def _back(form) -> str:
    target = (form.next.data or "") if form is not None else ""
    # Only back into the queue: never an open redirect.
    if target.startswith("/responses") and not target.startswith("//"):
        return target
    return url_for("responses.queue")


class _Links:
    """Item addresses from one url_for each, not one per item (a page draws hundreds)."""

    _MARK = 987654321

    def __init__(self):
        self._act = url_for("responses.act", comment_id=self._MARK, action="ACTION")
        self._permalink = url_for("comments.permalink", comment_id=self._MARK)

    def act(self, comment_id: int, action: str) -> str:
        return self._act.replace(str(self._MARK), str(comment_id)).replace("ACTION", action)

    def permalink(self, comment_id: int) -> str:
        return self._permalink.replace(str(self._MARK), str(comment_id))

    def similar(self, comment_id: int) -> str:
        return self.act(comment_id, "similar")


class _AssignMenu:
    """The assign menu's options, drawn once for each assignee on the page."""

    def __init__(self, employees: list[User]):
        self._employees = employees
        self._drawn: dict[int, Markup] = {}

    def options(self, selected_id: int) -> Markup:
        if selected_id not in self._drawn:
            self._drawn[selected_id] = Markup("").join(
                Markup('<option value="{}"{}>{}</option>').format(
                    e.id, Markup(" selected") if e.id == selected_id else "", e.display_name
                )
                for e in self._employees
            )
        return self._drawn[selected_id]


def _render_queue(errors=None, kept=None, status: int = 200):
    kept = dict(kept or {})
    filters = QueueFilters.from_args(request.args)
    page = queue_page(
        filters,
        current_user,
        arg_page(),
        arg_int("per_page", _per_page(), low=1, high=MAX_PER_PAGE),
    )
    moderator = can_moderate(current_user)
    # A reply kept from mail fills the reply box of its item, unless the form just sent is shown.
    own = drafts.drafts_of(current_user)
    kept = {**{d.comment_id: {"body": d.body} for d in own}, **(kept or {})}
    links = _Links()
    employees = assigning.employees()
    assign_options = _AssignMenu(employees).options
    here = request.full_path.rstrip("?")
    # Drawn once for the page, put in every item's forms (a page draws hundreds).
    hidden = Markup(
        '<input type="hidden" name="csrf_token" value="{}">'
        '<input type="hidden" name="next" value="{}">'
        '<input type="hidden" name="opened" value="{}">'
    ).format(generate_csrf(), here, replying.opened_stamp())
    replying_to = _open_reply_box(kept)
    saved_menu = saved_options(current_user)
    reason_options = Markup("").join(
        Markup('<option value="{}">{}</option>').format(value, label)
        for value, label in REASON_CHOICES
    )
    html = render_template(
        "responses/queue.html",
        page=page,
        filters=filters,
        views=VIEWS,
        posts=posts_with_owed(),
        employees=employees,
        assign_options=assign_options,
        item_actions=ItemActions(
            user_id=current_user.id,
            moderator=moderator,
            hidden=hidden,
            act=links.act,
            similar=links.similar,
            assign_options=assign_options,
            reason_options=reason_options,
            saved_options=saved_menu,
        ),
        saved_options=saved_menu,
        hidden=hidden,
        reason_options=reason_options,
        review_marks=waiting_marks(page.items),
        held=moderation.held_comments() if moderator else [],
        hold_reason=moderation.hold_reason,
        flagged=moderation.flagged_comments() if moderator else [],
        moderator=moderator,
        reason_choices=REASON_CHOICES,
        bulk_choices=BULK_CHOICES,
        here=here,
        act=links.act,
        permalink=links.permalink,
        similar=links.similar,
        errors=errors or {},
        drafts=own,
        kept=kept or {},
        replying=replying.replying_on([i.comment.id for i in page.items], current_user),
        replying_to=replying_to,
        describe=replying.describe,
    )
    return html, status


def _open_reply_box(kept: dict | None) -> int | None:
    """``?reply=ID``: the reply box opened without JavaScript, which the team sees."""
    comment_id = parse_id(request.args.get("reply"))
    comment = db.session.get(Comment, comment_id) if comment_id else None
    if comment is None:
        return None
    replying.note_replying(comment, current_user)
    if kept is not None:
        kept.setdefault(comment.id, {"body": "", "note": ""})
    return comment.id


def _per_page() -> int:
    return current_app.config["RESPONSES_PER_PAGE"]


@bp.get("")
@employee_required
def queue():
    """Owed comments, overdue first, with held and reported comments for moderators."""
    return _render_queue()


def _comment(comment_id: int) -> Comment:
    comment = db.get_or_404(Comment, comment_id)
    return comment


def _employee(value: str | None) -> User | None:
    if value == "me":
        return current_user
    if value and value.isdigit():
        return db.session.get(User, int(value))
    return None


@bp.post("/<int:comment_id>/<action>")
@employee_required
def act(comment_id: int, action: str):
    """One action on one queue item; back to the same place in the queue."""
    chosen = offered(QUEUE, action)
    if chosen is None:
        abort(404)
    if not chosen.permission(current_user):
        abort(403)
    comment = _comment(comment_id)
    form = ActionForm()
    try:
        if not form.validate():
            raise ResponseError(" ".join(e for errs in form.errors.values() for e in errs))
        given = Given(
            body=form.body.data,
            note=form.note.data,
            reason=form.reason.data,
            assignee=_employee(form.assignee.data),
            ip=request.remote_addr,
            opened=replying.read_opened(form.opened.data),
            confirmed=form.confirm.data == "yes",
        )
        result = chosen.service(comment, current_user, given)
        message = chosen.done(given)
        held = getattr(result, "awaits_review", False)  # responses/review_gate.py
        if held:
            message = review_held_message(comment.post)
    except replying.AnsweredSince as conflict:
        db.session.rollback()
        return render_answer_page(
            comment, body=form.body.data or "", conflict=conflict.answer, status=409
        )
    except (ResponseError, CommentRejected) as error:
        db.session.rollback()
        kept = {comment_id: {"body": form.body.data, "note": form.note.data}}
        if action == "private":  # private words never go back into the public reply box
            kept = {comment_id: {"private": form.body.data}}
        return _render_queue({comment_id: str(error)}, kept, status=400)
    if request.accept_mimetypes.best == "application/json":
        # A held answer leaves the item owed and in the queue: the page reloads to say so.
        if held:
            flash(message, "success")
        return {"ok": True, "message": message, "stays": held}
    flash(message, "success")
    return redirect(_back(form))


@bp.post("/bulk")
@moderator_required
def bulk():
    """A moderator's action on every selected comment."""
    form = BulkForm()
    # "Apply to all on this page" sends the page's ids, no ticking needed.
    field = "page_ids" if request.form.get("scope") == "page" else "ids"
    ids = [i for i in map(parse_id, request.form.getlist(field)) if i is not None]
    if not form.validate() or not ids:
        message = " ".join(e for errs in form.errors.values() for e in errs)
        flash(message or "Please select at least one comment.", "error")
        return redirect(_back(form))
    chosen = offered(BULK, form.action.data)
    if not chosen.permission(current_user):
        abort(403)
    given = Given(reason=form.reason.data, assignee=_employee(form.assignee.data))
    comments = db.session.scalars(sa.select(Comment).where(Comment.id.in_(ids))).all()
    done, failed = 0, []
    for comment in comments:
        try:
            chosen.service(comment, current_user, given)
            done += 1
        except (ResponseError, CommentRejected) as error:
            db.session.rollback()
            failed.append(f"#{comment.id}: {error}")
    flash(f"Done for {done} comment{'s' if done != 1 else ''}.", "success")
    if failed:
        flash("Not done — " + "; ".join(failed[:5]), "error")
    return redirect(_back(form))


@bp.post("/drafts/<int:comment_id>/discard")
@employee_required
def discard_draft(comment_id: int):
    """Forget one of your replies kept from mail."""
    form = ActionForm()
    if form.validate() and drafts.discard_draft(comment_id, current_user):
        db.session.commit()
        flash("Draft discarded.", "success")
    return redirect(_back(form))
