"""Uploading images from the studio: JSON for the editor's button, a page without JavaScript."""

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template, request, url_for
from flask_login import current_user

from blogapp.extensions import db
from blogapp.models import Upload
from blogapp.studio import uploads
from blogapp.studio.forms import UploadForm

bp = Blueprint("media", __name__, url_prefix="/uploads")


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _described(upload: Upload) -> dict:
    url = url_for("blog.upload", name=upload.stored_name)
    alt = uploads.alt_text(upload)
    return {"url": url, "alt": alt, "markdown": f"![{alt}]({url})", "upload": upload}


def _recent() -> list[dict]:
    rows = db.session.scalars(
        sa.select(Upload)
        .where(Upload.uploaded_by_id == current_user.id)
        .order_by(Upload.id.desc())
        .limit(12)
    )
    return [_described(u) for u in rows]


@bp.route("/", methods=["GET", "POST"])
def upload():
    """Upload a PNG, JPEG, GIF or WebP image; answers with the Markdown that shows it."""
    form = UploadForm()
    if request.method == "GET":
        return render_template("studio/uploads.html", form=form, recent=_recent(), added=None)
    error = None
    if form.validate():
        try:
            stored = uploads.store_image(
                form.image.data.stream, form.image.data.filename, current_user
            )
        except uploads.UploadError as problem:
            error = str(problem)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if _wants_json():
        if error:
            return jsonify(error=error), 400
        described = _described(stored)
        return jsonify({k: v for k, v in described.items() if k != "upload"}), 201
    if error:
        form.image.errors = [error]
        return render_template("studio/uploads.html", form=form, recent=_recent(), added=None), 400
    return render_template(
        "studio/uploads.html",
        form=UploadForm(formdata=None),
        recent=_recent(),
        added=_described(stored),
    ), 201
