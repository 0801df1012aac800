"""Studio pages, for employees only: the list of posts and the editor."""

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from blogapp.extensions import db
from blogapp.markup import RenderRefused, make_excerpt, render_post
from blogapp.models import Post
from blogapp.models.base import utcnow
from blogapp.query_args import arg_choice, arg_id, arg_page
from blogapp.sitesettings.store import site_settings
from blogapp.studio import drafts, editing, services
from blogapp.studio.access import editable_post_or_abort, employees_only
from blogapp.studio.autosave import autosave_draft, pending_revision
from blogapp.studio.forms import PostForm, PreviewForm
from blogapp.studio.history_views import bp as history_bp
from blogapp.studio.media_views import bp as media_bp
from blogapp.studio.profile_views import bp as profile_bp
from blogapp.studio.revisions import diff_texts
from blogapp.templating import local_time

bp = Blueprint("studio", __name__, url_prefix="/studio")
bp.before_request(employees_only)
bp.register_blueprint(history_bp)
bp.register_blueprint(media_bp)
bp.register_blueprint(profile_bp)


@bp.get("/")
def home():
    """The posts this employee may edit, filtered by status and author."""
    status = arg_choice("status", services.STATUS_FILTERS, "") or None
    author_id = arg_id("author")
    page = db.paginate(
        services.editable_posts(current_user, status, author_id),
        page=arg_page(),
        per_page=25,
        error_out=False,
    )
    return render_template(
        "studio/home.html",
        page=page,
        status=status,
        author_id=author_id,
        statuses=services.STATUS_FILTERS,
        authors=services.authors_for_filter(current_user),
        counts=services.comment_counts([p.id for p in page.items]),
        effective_status=services.effective_status,
    )


def _zone() -> str:
    return site_settings()["SITE_TIMEZONE"]


def _render_editor(form: PostForm, post: Post | None, status: int = 200):
    body = form.body.data or ""
    preview_html = excerpt_placeholder = ""
    if not form.body.errors:  # a body refused as too long or too complex is not tried again
        try:
            preview_html, excerpt_placeholder = render_post(body), make_excerpt(body)
        except RenderRefused as error:
            form.body.errors = [*form.body.errors, str(error)]
            status = 400 if request.method == "POST" else status
    return (
        render_template(
            "studio/editor.html",
            form=form,
            post=post,
            preview_html=preview_html,
            excerpt_placeholder=excerpt_placeholder,
            zone=_zone(),
            state=services.effective_status(post) if post else "draft",
            pending=pending_revision(post, current_user) if post else None,
        ),
        status,
    )


def _flash_saved(post: Post, action: str) -> None:
    if action == "publish":
        flash("Published. It is live on the blog now.", "success")
    elif action == "schedule":
        when = local_time(post.published_at)
        flash(f"Scheduled for {when:%B} {when.day}, {when:%Y at %H:%M} ({_zone()}).", "success")
    elif action == "unpublish":
        flash("Unpublished: the post is a draft again and readers no longer see it.", "info")
    else:
        flash("Saved.", "success")


def _submit(form: PostForm, post: Post | None):
    """Handle the editor's buttons: preview, save, publish, schedule, unpublish."""
    action = request.form.get("action", "save")
    if action == "preview" or not form.validate():
        return _render_editor(form, post, 200 if action == "preview" else 400)
    try:
        post = editing.save_post(
            post,
            form.draft(),
            current_user,
            form.base_version(),
            action=action,
            publish_at=services.site_time_to_utc(form.publish_at.data, _zone()),
        )
    except editing.EditConflict as conflict:
        return _render_conflict(form, conflict)
    except drafts.StudioError as error:
        field = getattr(form, error.field, None) if error.field else None
        (field.errors if field is not None else form.form_errors).append(str(error))
        return _render_editor(form, post, 400)
    _flash_saved(post, action)
    return redirect(url_for("studio.edit", post_id=post.id))


def _render_conflict(form: PostForm, conflict: editing.EditConflict):
    """Both texts side by side; the submitted one stays in a form to merge and save."""
    post = conflict.post
    form.version.data = str(post.version)
    mine = conflict.draft
    diff = diff_texts(post.title, post.body_source, mine.title, mine.body)
    return (
        render_template(
            "studio/conflict.html",
            form=form,
            post=post,
            diff=diff,
            last_editor=services.last_editor(post),
        ),
        409,
    )


@bp.route("/posts/new", methods=["GET", "POST"])
def new_post():
    """Write a new post."""
    form = PostForm()
    if request.method == "POST":
        return _submit(form, None)
    form.version.data = ""
    return _render_editor(form, None)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit(post_id: int):
    """Edit a post; a save based on an old version shows both texts instead."""
    post = editable_post_or_abort(post_id)
    form = PostForm()
    if request.method == "POST":
        return _submit(form, post)
    form.fill(drafts.draft_from_post(post))
    form.version.data = str(post.version)
    form.publish_at.data = services.utc_to_site_time(post.published_at, _zone())
    from_revision = arg_id("from_revision")
    pending = pending_revision(post, current_user)
    if from_revision and pending is not None and pending.id == from_revision:
        form.title.data, form.body.data = pending.title, pending.body_source
        form.version.data = str(pending.version)
    return _render_editor(form, post)


def _json_errors(form: PostForm, status: int = 400):
    messages = [e for errors in form.errors.values() for e in errors]
    return jsonify(error=" ".join(messages) or "Not saved.", fields=form.errors), status


@bp.post("/posts/autosave", defaults={"post_id": None})
@bp.post("/posts/<int:post_id>/autosave")
def autosave(post_id: int | None):
    """Save the draft in the background (JSON); a live post's changes are kept aside."""
    post = editable_post_or_abort(post_id) if post_id else None
    form = PostForm()
    if not form.validate():
        return _json_errors(form)
    try:
        post, kept_aside = autosave_draft(post, form.draft(), current_user, form.base_version())
    except editing.EditConflict:
        return jsonify(
            error="Someone else saved this post since you opened it. "
            "Your text is still here: press Save to compare the two."
        ), 409
    except drafts.StudioError as error:
        return jsonify(error=str(error), fields={error.field or "form": [str(error)]}), 400
    saved = local_time(utcnow())
    return jsonify(
        post_id=post.id,
        version=post.version,
        slug=post.slug,
        kept_aside=kept_aside,
        saved_at=f"{saved:%H:%M}",
        edit_url=url_for("studio.edit", post_id=post.id),
        autosave_url=url_for("studio.autosave", post_id=post.id),
        history_url=url_for("studio.history.revisions_list", post_id=post.id),
    )


@bp.post("/preview")
def preview():
    """The body rendered exactly as readers will get it (JSON), for the live preview."""
    form = PreviewForm()
    if not form.validate():
        return _json_errors(form)
    try:
        return jsonify(html=render_post(form.body.data or ""))
    except RenderRefused as error:
        return jsonify(error=str(error), fields={"body": [str(error)]}), 400
