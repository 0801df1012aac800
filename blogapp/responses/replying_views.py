"""One reply box's own page, a saved reply inserted without JavaScript, and the reply
boxes' presence: the heartbeat an open box sends and the poll of who is replying."""

from flask import jsonify, render_template, request
from flask_login import current_user

from blogapp.accounts.permissions import employee_required
from blogapp.extensions import csrf, db
from blogapp.models import Comment
from blogapp.models.replying import SavedReply
from blogapp.query_args import parse_id
from blogapp.responses import replying, saved
from blogapp.responses.answer_page import (
    act_url,
    permalink,
    render_answer_page,
    similar_to,
)
from blogapp.responses.forms import ActionForm
from blogapp.responses.views import bp


def _comment(comment_id: int) -> Comment:
    comment = db.get_or_404(Comment, comment_id)
    return comment


@bp.get("/<int:comment_id>/similar")
@employee_required
def similar(comment_id: int):
    """Staff answers to earlier comments like this one: a panel the queue fetches when a
    reply box opens, or (?panel absent, no JavaScript) a page with its own reply box,
    whose opening tells the team who is replying."""
    comment = _comment(comment_id)
    if request.args.get("panel"):
        return render_template(
            "responses/_similar.html",
            comment=comment,
            answers=similar_to(comment),
            permalink=permalink,
            act=act_url,
        )
    replying.note_replying(comment, current_user)
    return render_answer_page(comment)


@bp.post("/<int:comment_id>/insert")
@employee_required
def insert_saved(comment_id: int):
    """Without JavaScript: the reply box again, with the chosen saved reply added."""
    comment = _comment(comment_id)
    form = ActionForm()
    body = form.body.data or ""
    error = None
    if not form.validate():
        error = " ".join(e for errs in form.errors.values() for e in errs)
    else:
        chosen_id = parse_id(request.form.get("saved"))
        chosen = db.session.get(SavedReply, chosen_id) if chosen_id else None
        if chosen is None or not saved.can_see(current_user, chosen):
            error = "Please choose a saved reply to insert."
        else:
            body = saved.appended(body, saved.filled(chosen.body, comment))
    return render_answer_page(
        comment,
        body=body,
        opened=form.opened.data,
        confirmed=form.confirm.data == "yes",
        error=error,
        status=400 if error else 200,
    )


@bp.get("/saved.json")
@employee_required
def saved_for_comment():
    """The saved replies one may insert, filled in for ``?comment=ID`` (the post page's
    reply box asks when it opens): [{"id", "title", "text"}]."""
    comment = _comment(parse_id(request.args.get("comment")) or 0)
    response = jsonify(
        saved=[
            {"id": s.id, "title": s.title, "text": saved.filled(s.body, comment)}
            for s in saved.visible_to(current_user)
        ]
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/replying/<int:comment_id>")
@employee_required
def replying_heartbeat(comment_id: int):
    """An open reply box says it is still open (every half minute or so)."""
    csrf.protect()  # the X-CSRFToken header; forms check theirs themselves
    replying.note_replying(_comment(comment_id), current_user)
    return jsonify(ok=True)


@bp.post("/replying/<int:comment_id>/stop")
@employee_required
def replying_stop(comment_id: int):
    """The reply box was closed."""
    csrf.protect()
    replying.stop_replying(comment_id, current_user)
    return jsonify(ok=True)


def _ids(text: str) -> list[int]:
    parts = text.split(",", replying.MAX_POLLED)[: replying.MAX_POLLED]
    return [i for i in map(parse_id, parts) if i is not None]


@bp.get("/replying")
@employee_required
def replying_now():
    """Who else is replying to the comments ``?ids=1,2,3`` (or every comment of ``?post=``),
    as {"replying": {"<comment id>": "Priya is replying…"}}."""
    post_id = parse_id(request.args.get("post"))
    if post_id is not None:
        found = replying.replying_on_post(post_id, current_user)
    else:
        found = replying.replying_on(_ids(request.args.get("ids", "")[:8000]), current_user)
    response = jsonify(replying={str(k): replying.describe(v) for k, v in found.items()})
    response.headers["Cache-Control"] = "no-store"
    return response
