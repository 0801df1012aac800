"""Imports started from the admin page (/admin/import): the uploaded file, its dry run,
then the import, each run on a thread of the web process.

The state lives in ``import_jobs`` so the page shows the same thing after a reload: a
job is ``waiting``, ``running``, ``done`` or ``failed``, with its report once done. A
dry run keeps the file (under the instance folder, never served) for the "Import"
button; the import, a failure or "Discard" removes it, and an upload removes files of
dry runs nobody imported for a day. While a job runs, the number of records read is
kept in this process (``live_progress``) and, on PostgreSQL, also written to the row
through a connection of its own: SQLite's one writer is the import's long transaction.
One import (not dry run) runs at a time.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask, current_app

from blogapp.extensions import db
from blogapp.importing import links
from blogapp.importing.readers import READERS
from blogapp.importing.report import ImportReport
from blogapp.importing.uploads import ImportRefused, read_rules, store_upload
from blogapp.importing.writer import ImportOptions, import_file
from blogapp.models import ImportJob, User
from blogapp.models.base import utcnow
from blogapp.responses.audit import Action, record
from blogapp.sitesettings.store import site_settings

KEEP_UNIMPORTED = timedelta(days=1)
# A job still "running" this long after it started lost its process (a restart): nothing
# of it was written (one transaction), it is shown as stalled and holds nothing back.
STALLED_AFTER = timedelta(hours=6)
EXTENSION_KEY = "parley_imports"


def start_dry_run(stream: BinaryIO, filename: str, source: str, cutoff: datetime | None,
                  with_pingbacks: bool, admin: User, rules: bytes = b"") -> ImportJob:  # fmt: skip
    """Keep the uploaded export and check it: what an import would do, nothing written.
    ``rules``: a Disqus rules file's bytes (links.parse_rules), checked here."""
    if source not in READERS:
        raise ImportRefused("Choose the kind of export.", "source")
    rules_text = read_rules(rules) if source == "disqus" else None
    _forget_unimported_files()
    path = store_upload(stream)
    job = ImportJob(
        source=source,
        filename=(filename or "export.xml")[-200:],
        stored_path=str(path),
        dry_run=True,
        state="waiting",
        started_by_id=admin.id,
        cutoff=cutoff,
        with_pingbacks=with_pingbacks,
        rules_text=rules_text,
    )
    db.session.add(job)
    db.session.flush()
    record(Action.IMPORT_CHECKED, admin, detail=f"import {job.id}: {source} {job.filename}")
    db.session.commit()
    launch(job.id)
    return job


def start_import(job: ImportJob, admin: User) -> None:
    """Import for real the file a finished dry run checked."""
    if not can_import(job):
        raise ImportRefused("This file cannot be imported now: upload it again.")
    if _import_running():
        raise ImportRefused("Another import is running; wait for it to finish.")
    job.dry_run = False
    job.state = "waiting"
    job.report_json = None
    job.records_read = 0
    job.started_at = utcnow()
    job.finished_at = None
    record(Action.IMPORT_STARTED, admin, detail=f"import {job.id}: {job.source} {job.filename}")
    db.session.commit()
    launch(job.id)


def discard(job: ImportJob, admin: User) -> None:
    """Remove a checked file nobody wants imported."""
    if not can_import(job):
        raise ImportRefused("Nothing to discard: the file is already gone.")
    _remove_file(job)
    record(Action.IMPORT_DISCARDED, admin, detail=f"import {job.id}: {job.filename}")
    db.session.commit()


def can_import(job: ImportJob) -> bool:
    return job.dry_run and job.state == "done" and bool(job.stored_path)


def is_running(job: ImportJob) -> bool:
    return job.state in ("waiting", "running") and not is_stalled(job)


def is_stalled(job: ImportJob) -> bool:
    return job.state in ("waiting", "running") and job.started_at < utcnow() - STALLED_AFTER


def report_of(job: ImportJob) -> ImportReport | None:
    return ImportReport.from_json(job.report_json) if job.report_json else None


def live_progress(job: ImportJob) -> int:
    """Records read so far: this process's count when it runs the job, else the row's."""
    live = current_app.extensions[EXTENSION_KEY]["progress"].get(job.id, 0)
    return max(live, job.records_read)


def recent_jobs(limit: int = 20) -> list[ImportJob]:
    return list(db.session.scalars(sa.select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))


def launch(job_id: int) -> None:
    """Run the job on a thread of this process, or here and now (IMPORT_IN_BACKGROUND=0)."""
    app = current_app._get_current_object()
    if not app.config["IMPORT_IN_BACKGROUND"]:
        run_job(app, job_id)
        db.session.expire_all()  # the job wrote through a session of its own
        return
    thread = threading.Thread(target=run_job, args=(app, job_id), name=f"import-{job_id}",
                              daemon=True)  # fmt: skip
    app.extensions[EXTENSION_KEY]["threads"][job_id] = thread
    thread.start()


def wait_for(app: Flask, job_id: int, timeout: float = 60) -> None:
    """Wait for a job's thread, if this process runs one (tests, shutdown)."""
    thread = app.extensions[EXTENSION_KEY]["threads"].get(job_id)
    if thread is not None:
        thread.join(timeout)


def run_job(app: Flask, job_id: int) -> None:
    """The job's thread: run the import, then keep its report or its error on the row."""
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        job.state = "running"
        db.session.commit()
        report = None
        try:
            report = _run(job)
        except Exception as error:  # a broken file or bug must not leave the job "running"
            db.session.rollback()
            app.logger.exception("Import %s failed", job_id)
            job = db.session.get(ImportJob, job_id)
            job.state, job.error = "failed", f"{type(error).__name__}: {error}"[:1000]
            _remove_file(job)
        else:
            job = db.session.get(ImportJob, job_id)
            job.state, job.report_json = "done", report.to_json()
            job.records_read = report.records_read
            if not job.dry_run:
                _remove_file(job)
        job.finished_at = utcnow()
        if not job.dry_run or job.state == "failed":
            summary = job.error or (_summary(report) if report else "")
            record(Action.IMPORT_FINISHED, db.session.get(User, job.started_by_id),
                   detail=f"import {job.id} {job.state}: {summary}")  # fmt: skip
        db.session.commit()
        app.extensions[EXTENSION_KEY]["progress"].pop(job_id, None)
        app.extensions[EXTENSION_KEY]["threads"].pop(job_id, None)


def _run(job: ImportJob) -> ImportReport:
    actor = db.session.get(User, job.started_by_id)
    read = READERS[job.source].read
    zone = ZoneInfo(site_settings()["SITE_TIMEZONE"])

    def reader(stream, skipped):
        return read(stream, skipped, zone)

    options = ImportOptions(dry_run=job.dry_run, cutoff=job.cutoff,
                            with_pingbacks=job.with_pingbacks,
                            rules=links.parse_rules(job.rules_text or ""),
                            progress=_progress_of(job.id))  # fmt: skip
    with open(job.stored_path, "rb") as stream:
        return import_file(reader, stream, job.source, actor, options)


def _progress_of(job_id: int):
    app = current_app._get_current_object()
    progress = app.extensions[EXTENSION_KEY]["progress"]
    shared = db.engine.dialect.name != "sqlite"
    table = ImportJob.__table__

    def note(records_read: int) -> None:
        progress[job_id] = records_read
        if shared:
            with db.engine.begin() as connection:
                connection.execute(sa.update(table).where(table.c.id == job_id)
                                   .values(records_read=records_read))  # fmt: skip

    return note


def _summary(report: ImportReport) -> str:
    return ", ".join(f"{key}: {n}" for key, n in sorted(report.counts.items()))


def _remove_file(job: ImportJob) -> None:
    if job.stored_path:
        Path(job.stored_path).unlink(missing_ok=True)
        job.stored_path = ""


def _import_running() -> bool:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ImportJob).where(
            ImportJob.dry_run.is_(False), ImportJob.state.in_(("waiting", "running")),
            ImportJob.started_at >= utcnow() - STALLED_AFTER)
    ) > 0  # fmt: skip


def _forget_unimported_files() -> None:
    old = utcnow() - KEEP_UNIMPORTED
    for job in db.session.scalars(
        sa.select(ImportJob).where(ImportJob.stored_path != "", ImportJob.state == "done",
                                   ImportJob.finished_at < old)  # fmt: skip
    ):
        _remove_file(job)


def register(app: Flask) -> None:
    """Room for this process's running jobs and their progress."""
    app.extensions[EXTENSION_KEY] = {"threads": {}, "progress": {}}
