"""A post's history in the studio: the list of revisions, a diff, and restoring one."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from blogapp.query_args import parse_id
from blogapp.studio import drafts, editing, revisions
from blogapp.studio.access import editable_post_or_abort
from blogapp.studio.forms import RestoreForm
from blogapp.templating import format_datetime

bp = Blueprint("history", __name__, url_prefix="/posts/<int:post_id>")


@bp.get("/history")
def revisions_list(post_id: int):
    """Every revision of a post, newest first, with who saved it and when."""
    post = editable_post_or_abort(post_id)
    return render_template(
        "studio/history.html",
        post=post,
        revisions=revisions.revisions_of(post),
        labels=revisions.KIND_LABELS,
    )


def _revision_or_404(post, revision_id: int):
    revision = revisions.revision_of(post, revision_id)
    if revision is None:
        abort(404)
    return revision


@bp.get("/revisions/<int:revision_id>")
def revision(post_id: int, revision_id: int):
    """One revision and what changed from it to the current text."""
    post = editable_post_or_abort(post_id)
    revision = _revision_or_404(post, revision_id)
    form = RestoreForm(version=str(post.version))
    return render_template(
        "studio/revision.html",
        post=post,
        revision=revision,
        diff=revisions.diff_with_current(revision, post),
        form=form,
        labels=revisions.KIND_LABELS,
    )


@bp.post("/revisions/<int:revision_id>/restore")
def restore(post_id: int, revision_id: int):
    """Bring a revision's text back; the restore is itself a new revision."""
    post = editable_post_or_abort(post_id)
    revision = _revision_or_404(post, revision_id)
    form = RestoreForm()
    back = url_for("studio.history.revision", post_id=post.id, revision_id=revision.id)
    if not form.validate():
        flash("That page had expired; please press Restore again.", "warning")
        return redirect(back)
    version = parse_id(form.version.data) or 0
    try:
        revisions.restore_revision(post, revision, current_user, version)
    except editing.EditConflict:
        flash("Someone saved this post while you were looking; compare again below.", "warning")
        return redirect(back)
    except drafts.StudioError as error:
        flash(str(error), "info")
        return redirect(back)
    flash(f"Restored the text saved on {format_datetime(revision.created_at)}.", "success")
    return redirect(url_for("studio.edit", post_id=post.id))
