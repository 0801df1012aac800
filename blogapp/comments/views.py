"""Posting, previewing, replying and reporting comments; permalinks; feed. (The author's
edit and delete are in edit_views.py, an employee's reply page's "Insert" in
staff_reply_views.py: both on this blueprint.)

Views parse the request, call comments.services, and render or redirect. A
rejected comment comes back on its form with the reason and the typed text.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_required

from blogapp.blog.services import visible_post
from blogapp.comments import services, staff_reply
from blogapp.comments.forms import CommentForm, FlagForm, start_form_clock
from blogapp.comments.guests import guest_identity, remember_guest_comment
from blogapp.comments.moderation import flag_comment
from blogapp.comments.rules import CommentRejected, preview_html
from blogapp.comments.section import render_post_page
from blogapp.comments.threads import page_of
from blogapp.comments.viewer import current_viewer
from blogapp.errors import render_error
from blogapp.extensions import db, limiter
from blogapp.models import Comment, CommentStatus, Post
from blogapp.responses import replying
from blogapp.responses.review_gate import review_held_message

bp = Blueprint("comments", __name__)


def _ip_limit() -> str:
    return current_app.config["COMMENT_RATE_LIMIT_IP"]


def _account_limit() -> str:
    return current_app.config["COMMENT_RATE_LIMIT_ACCOUNT"]


def _account_key() -> str:
    return f"account:{current_user.id}"


def _post_or_404(slug: str) -> Post:
    post = visible_post(slug)
    if post is None:
        abort(404)
    return post


def comment_or_404(comment_id: int) -> Comment:
    """The comment, if its post is one the reader may see; else a 404 (each route of this
    blueprint that names a comment by id starts here)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or not comment.post.is_visible():
        abort(404)
    return comment


def comment_location(comment: Comment) -> str:
    """The post page (on the right page of threads) scrolled to the comment."""
    per_page = current_app.config["COMMENT_THREADS_PER_PAGE"]
    page = page_of(comment, per_page)
    url = url_for("blog.post", slug=comment.post.slug, cpage=page if page > 1 else None)
    return f"{url}#c{comment.id}"


def render_form_again(post: Post, form: CommentForm, status: int, preview=None, conflict=None):
    """The form with its errors (or the ``preview`` HTML) where it was: under the parent, or
    on the post. ``conflict``: someone else answered the parent since the form was drawn."""
    parent = db.session.get(Comment, form.parent) if form.parent else None
    if parent is not None and parent.post_id == post.id and parent.is_public:
        body = render_template(
            "comments/reply.html",
            post=post,
            parent=parent,
            form=form,
            preview=preview or None,
            viewer=current_viewer(),
            **staff_reply.form_context(conflict),
        )
        return body, status
    form.parent_id.data = ""
    return render_post_page(post, form=form, preview=preview, status=status)


@bp.post("/posts/<slug>/comments")
@limiter.limit(_ip_limit)
@limiter.limit(
    _account_limit, key_func=_account_key, exempt_when=lambda: not current_user.is_authenticated
)
def create(slug: str):
    """Post a comment or a reply."""
    post = _post_or_404(slug)
    form = CommentForm()
    if not form.validate_on_submit():
        return render_form_again(post, form, 400)
    author = current_user if current_user.is_authenticated else None
    try:
        staff_reply.check_answered_since(author, form)
        comment = services.post_comment(
            post,
            form.body.data,
            author=author,
            guest_name=form.name.data,
            guest_email=form.email.data,
            parent_id=form.parent,
            ip=request.remote_addr,
        )
    except replying.AnsweredSince as conflict:
        return render_form_again(post, form, 409, conflict=conflict.answer)
    except CommentRejected as error:
        getattr(form, error.field, form.body).errors.append(str(error))
        status = 403 if isinstance(error, services.CommentsClosed) else 400
        return render_form_again(post, form, status)
    if staff_reply.is_staff_reply(author, form):
        replying.stop_replying(form.parent, author)
    if getattr(comment, "awaits_review", False):  # responses/review_gate.py
        flash(review_held_message(post), "info")
        return redirect(comment_location(comment.comment), 303)
    if comment.status == CommentStatus.HELD:
        flash(
            "Thanks! Your comment is awaiting moderation: you can see it, "
            "and everyone else will once a moderator approves it.",
            "info",
        )
    else:
        flash("Thanks — your comment is posted.", "success")
    response = redirect(comment_location(comment), 303)
    if author is None:
        remember_guest_comment(
            response, guest_identity(request), comment.id, form.name.data, form.email.data
        )
    return response


@bp.errorhandler(RateLimitExceeded)
def too_many_comments(error: RateLimitExceeded):
    """Over the rate limit: the form comes back with the reason and the typed text."""
    slug = (request.view_args or {}).get("slug")
    post = visible_post(slug) if slug else None
    if post is None or request.endpoint != "comments.create":
        return render_template(
            "errors/error.html",
            code=429,
            title="Slow down a little",
            hint="Too many requests in a short time; try again in a minute.",
        ), 429
    form = CommentForm()
    form.body.errors = list(form.body.errors) + [
        f"You're commenting faster than this site allows ({error.description}). "
        "Your text is kept — please wait a minute and send it again."
    ]
    body, status = render_form_again(post, form, 429)
    return body, status


# A transparent pixel: what the guest form's clock image shows (nothing).
_PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


@bp.get("/posts/<slug>/comments/clock")
def form_clock(slug: str):
    """Start the guest form's clock: its lazy image, fetched when the form is first used."""
    response = make_response(_PIXEL, {"Content-Type": "image/gif", "Cache-Control": "no-store"})
    return start_form_clock(response, slug)


@bp.post("/posts/<slug>/comments/preview")
@limiter.limit("60 per minute")
def preview(slug: str):
    """Show the comment as it will look, without posting it (JSON for the in-place preview)."""
    post = _post_or_404(slug)
    form = CommentForm()
    wants_json = request.headers.get("X-Requested-With") == "parley-preview"
    form.validate_on_submit()
    csrf_errors = form.csrf_token.errors
    if wants_json and csrf_errors:
        return jsonify(error=csrf_errors[0]), 400
    for field in (form.website, form.shown, form.name, form.email):
        field.errors = []  # a preview is not a submission: only the token matters
    if csrf_errors:
        return render_form_again(post, form, 400)
    try:
        html = preview_html(form.body.data or "")
    except CommentRejected as error:
        if wants_json:
            return jsonify(error=str(error)), 400
        form.body.errors = [str(error)]
        return render_form_again(post, form, 400)
    if wants_json:
        return jsonify(html=html)
    return render_form_again(post, form, 200, preview=html)


@bp.get("/comments/<int:comment_id>/reply")
def reply(comment_id: int):
    """The reply form under one comment (the page used when JavaScript is off)."""
    parent = comment_or_404(comment_id)
    if not parent.is_public:
        abort(404)
    viewer = current_viewer()
    staff_reply.note_reply_page(parent)  # without JavaScript, this page is the reply box
    form = CommentForm(formdata=None)
    form.set_shown_now()
    form.parent_id.data = str(parent.id)
    if viewer.guest.name:
        form.name.data, form.email.data = viewer.guest.name, viewer.guest.email
    return render_template(
        "comments/reply.html", post=parent.post, parent=parent, form=form, viewer=viewer
    )


@bp.get("/c/<int:comment_id>")
def permalink(comment_id: int):
    """A comment's permanent address: the post page, scrolled to it."""
    comment = comment_or_404(comment_id)
    if not current_viewer().can_see(comment):
        abort(404)
    return redirect(comment_location(comment))


@bp.route("/comments/<int:comment_id>/flag", methods=["GET", "POST"])
@login_required
def flag(comment_id: int):
    """A reader reports a comment to the moderators."""
    comment = comment_or_404(comment_id)
    if not comment.is_public:
        abort(404)
    if not current_viewer().can_flag(comment):  # one's own comment, kept by account or cookie
        return render_error(403, "You can't report your own comment; edit or delete it instead.")
    form = FlagForm()
    if form.validate_on_submit():
        try:
            flag_comment(comment, current_user, form.reason.data, form.note.data)
        except CommentRejected as error:
            getattr(form, error.field, form.reason).errors.append(str(error))
        else:
            flash("Thanks for telling us. A moderator will look at it.", "success")
            return redirect(comment_location(comment), 303)
    status = 400 if form.errors else 200
    return render_template("comments/flag.html", comment=comment, form=form), status


@bp.get("/p/<slug>/comments.atom")
def feed(slug: str):
    """Atom feed of a post's newest published comments."""
    post = _post_or_404(slug)
    comments = db.session.scalars(
        db.select(Comment)
        .where(Comment.post_id == post.id, Comment.status == CommentStatus.PUBLISHED.value)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(50)
    ).all()
    updated = max([c.edited_at or c.created_at for c in comments] or [post.published_at])
    response = make_response(
        render_template("comments/feed.xml", post=post, comments=comments, updated=updated)
    )
    response.mimetype = "application/atom+xml"
    return response
