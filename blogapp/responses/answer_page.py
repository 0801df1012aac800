"""The page of one reply box: "Answering Alex" (the queue's reply box without JavaScript,
with similar earlier answers), the same box again when someone else answered since it was
opened ("Send mine anyway"), and after a saved reply was inserted without JavaScript."""

from flask import current_app, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from blogapp.models import Comment
from blogapp.responses import replying, saved
from blogapp.responses.replying import OtherAnswer, opened_stamp
from blogapp.search.services import similar_answers


def act_url(comment_id: int, action: str) -> str:
    return url_for("responses.act", comment_id=comment_id, action=action)


def permalink(comment_id: int) -> str:
    return url_for("comments.permalink", comment_id=comment_id)


def similar_to(comment: Comment):
    """Similar earlier answers, or None when the index can't say."""
    try:
        return similar_answers(comment)
    except Exception:  # a broken index must not stand between an employee and a reply
        current_app.logger.exception("Similar answers for comment %s failed", comment.id)
        return None


def saved_options(user, comment: Comment | None = None) -> Markup:
    """The saved-reply menu's options for ``user``, drawn once a page: each carries its text,
    filled in for ``comment`` when there is one (a queue page leaves {name} and {post} for
    each reply box's script to fill)."""
    options = [Markup('<option value="">Insert a saved reply…</option>')]
    for s in saved.visible_to(user):
        whose = "" if s.owner_id == user.id else f" (shared by {s.owner.display_name})"
        text = saved.filled(s.body, comment) if comment is not None else s.body
        options.append(
            Markup('<option value="{}" data-text="{}">{}{}</option>').format(
                s.id, text, s.title, whose
            )
        )
    return Markup("").join(options) if len(options) > 1 else Markup("")


def _others(comment: Comment) -> list[str]:
    return replying.replying_on([comment.id], current_user).get(comment.id, [])


def render_answer_page(
    comment: Comment,
    *,
    body: str = "",
    opened: str | None = None,
    conflict: OtherAnswer | None = None,
    confirmed: bool = False,
    error: str | None = None,
    status: int = 200,
):
    """The one-reply-box page, with what was typed kept."""
    html = render_template(
        "responses/similar.html",
        comment=comment,
        answers=similar_to(comment),
        body=body,
        opened=opened or opened_stamp(),
        conflict=conflict,
        confirm=conflict is not None or confirmed,
        error=error,
        saved_options=saved_options(current_user),
        others=replying.describe(found) if (found := _others(comment)) else "",
        permalink=permalink,
        act=act_url,
    )
    return html, status
