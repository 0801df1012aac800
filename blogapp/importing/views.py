"""The admin import page (/admin/import): upload an export, read its dry run, import it.

The rules live in jobs.py, the checks of the uploaded files in uploads.py; these views
parse the form, call them and show the job.
"""

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from blogapp.accounts.permissions import admin_required
from blogapp.extensions import db
from blogapp.importing import jobs, uploads, wxr_export
from blogapp.importing.forms import JobForm, UploadForm
from blogapp.importing.readers import READERS
from blogapp.models import ImportJob

bp = Blueprint("imports", __name__, url_prefix="/admin/import")

# Room for the multipart envelope around the file itself.
ENVELOPE_BYTES = 64 * 1024


def _job(job_id: int) -> ImportJob:
    job = db.get_or_404(ImportJob, job_id)
    return job


def _upload_page(form: UploadForm, status: int = 200):
    body = render_template("importing/upload.html", form=form, jobs=jobs.recent_jobs(),
                           max_size=uploads.size_label(uploads.max_bytes()))  # fmt: skip
    return body, status


def _read_and_close(upload, limit: int) -> bytes:
    """At most ``limit`` bytes of an optional uploaded file (its spool file closed now)."""
    if not upload:
        return b""
    with upload.stream as stream:
        return stream.read(limit)


@bp.get("")
@admin_required
def upload_page():
    """The upload form and the imports run so far."""
    return _upload_page(UploadForm(formdata=None))


@bp.post("")
@admin_required
def upload():
    """Keep the uploaded export and start its dry run."""
    request.max_content_length = uploads.max_bytes() + ENVELOPE_BYTES
    try:
        form = UploadForm()
    except RequestEntityTooLarge:
        form = UploadForm(formdata=None)
        form.export.errors = [uploads.too_big_message()]
        return _upload_page(form, 413)
    if form.validate_on_submit():
        day = form.cutoff.data
        cutoff = datetime.combine(day, datetime.min.time()) if day else None
        try:
            rules = _read_and_close(form.rules.data, uploads.RULES_MAX_BYTES + 1)
            job = jobs.start_dry_run(form.export.data.stream, form.export.data.filename or "",
                                     form.source.data, cutoff, form.with_pingbacks.data,
                                     current_user, rules)  # fmt: skip
        except uploads.ImportRefused as error:
            getattr(form, error.field or "export").errors = [str(error)]
        else:
            return redirect(url_for("imports.job", job_id=job.id), 303)
    return _upload_page(form, 400)


@bp.get("/<int:job_id>")
@admin_required
def job(job_id: int):
    """One import: its progress while it runs (the page refreshes itself), then its report."""
    found = _job(job_id)
    return render_template(
        "importing/job.html",
        job=found,
        kind=READERS[found.source].name if found.source in READERS else found.source,
        report=jobs.report_of(found),
        running=jobs.is_running(found),
        stalled=jobs.is_stalled(found),
        progress=jobs.live_progress(found),
        can_import=jobs.can_import(found),
        button=JobForm(formdata=None),
    )


def _act(job_id: int, action, done: str):
    found = _job(job_id)
    if not JobForm().validate_on_submit():
        flash("That button needs a fresh page; nothing was changed. Please try again.", "warning")
    else:
        try:
            action(found, current_user)
        except uploads.ImportRefused as error:
            flash(str(error), "warning")
        else:
            flash(done, "success")
    return redirect(url_for("imports.job", job_id=job_id), 303)


@bp.post("/<int:job_id>/import")
@admin_required
def run(job_id: int):
    """Import the file this dry run checked."""
    return _act(job_id, jobs.start_import, "The import has started.")


@bp.post("/<int:job_id>/discard")
@admin_required
def discard(job_id: int):
    """Throw away the checked file without importing it."""
    return _act(job_id, jobs.discard, "The uploaded file was removed; nothing was imported.")


@bp.get("/export.xml")
@admin_required
def export():
    """Everything on the site as a WordPress export (WXR 1.2), streamed as it is written."""
    return wxr_export.wxr_response()
