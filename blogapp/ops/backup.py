"""Backups: a consistent database snapshot plus a readable content export, in one archive.

SQLite uses its online backup API (a consistent copy while the site runs);
PostgreSQL uses pg_dump, which reads one snapshot. Restore only ever writes
into an empty database, and checks every table's row count against the
manifest afterwards.
"""

import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from blogapp.contentio.services import export_directory
from blogapp.extensions import db
from blogapp.models.base import utcnow

FORMAT_VERSION = 1


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message says why."""


@dataclass
class RestoreReport:
    tables: dict[str, int]
    revision: str | None


def _url() -> sa.URL:
    return db.engine.url


def _libpq_url(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def row_counts() -> dict[str, int]:
    """Rows in every table of the schema, by table name."""
    inspector = sa.inspect(db.engine)
    counts = {}
    with db.engine.connect() as conn:
        for name in sorted(inspector.get_table_names()):
            table = sa.table(name)
            counts[name] = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
    return counts


def _current_revision() -> str | None:
    try:
        with db.engine.connect() as conn:
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.SQLAlchemyError:
        return None


def _snapshot_sqlite(url: sa.URL, target: Path) -> None:
    source = sqlite3.connect(url.database)
    try:
        with sqlite3.connect(target) as copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _snapshot_postgres(url: sa.URL, target: Path) -> None:
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
            _libpq_url(url),
        ]
    )


def create_backup(directory: Path) -> Path:
    """Write parley-<time>.tar.gz into ``directory`` and return its path."""
    url = _url()
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    directory.mkdir(parents=True, exist_ok=True)
    archive = directory / f"parley-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        if url.get_backend_name() == "sqlite":
            _snapshot_sqlite(url, work / "database.sqlite3")
            database_file = "database.sqlite3"
        elif url.get_backend_name() == "postgresql":
            _snapshot_postgres(url, work / "database.pgdump")
            database_file = "database.pgdump"
        else:
            raise BackupError(
                f"backups support SQLite and PostgreSQL, not {url.get_backend_name()}"
            )
        export_directory(work / "content" / "posts")
        uploads = Path(current_app.instance_path) / "uploads"
        if uploads.is_dir():
            shutil.copytree(uploads, work / "uploads")
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": utcnow().isoformat() + "Z",
            "backend": url.get_backend_name(),
            "database_file": database_file,
            "revision": _current_revision(),
            "tables": row_counts(),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
        with tarfile.open(archive, "w:gz") as tar:
            for path in sorted(work.iterdir()):
                tar.add(path, arcname=path.name)
    return archive


def _require_empty() -> None:
    inspector = sa.inspect(db.engine)
    with db.engine.connect() as conn:
        for name in inspector.get_table_names():
            if name == "alembic_version":
                continue
            if conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar():
                raise BackupError(
                    f"the database is not empty (table {name} has rows); "
                    "restore only into a new, empty database"
                )


def _drop_empty_schema() -> None:
    # An empty schema from `flask db upgrade` is replaced by the snapshot's own.
    existing = sa.MetaData()
    existing.reflect(bind=db.engine)
    existing.drop_all(bind=db.engine)


def _restore_sqlite(url: sa.URL, snapshot: Path) -> None:
    db.engine.dispose()
    source = sqlite3.connect(snapshot)
    try:
        with sqlite3.connect(url.database) as target:
            source.backup(target)
        target.close()
    finally:
        source.close()


def _restore_postgres(url: sa.URL, snapshot: Path) -> None:
    db.engine.dispose()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={_libpq_url(url)}",
            str(snapshot),
        ]
    )


def restore_backup(archive: Path) -> RestoreReport:
    """Load ``archive`` into the (empty) configured database and verify the row counts."""
    url = _url()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(work, filter="data")
            manifest = json.loads((work / "manifest.json").read_text())
        except (OSError, tarfile.TarError, ValueError, KeyError) as error:
            raise BackupError(f"{archive} is not a Parley backup: {error}") from None
        if manifest.get("backend") != url.get_backend_name():
            raise BackupError(
                f"this backup is of a {manifest.get('backend')} database; "
                f"the configured database is {url.get_backend_name()}"
            )
        _require_empty()
        _drop_empty_schema()
        snapshot = work / manifest["database_file"]
        if url.get_backend_name() == "sqlite":
            _restore_sqlite(url, snapshot)
        else:
            _restore_postgres(url, snapshot)
        if (work / "uploads").is_dir():
            shutil.copytree(
                work / "uploads", Path(current_app.instance_path) / "uploads", dirs_exist_ok=True
            )
    counts = row_counts()
    if counts != manifest["tables"]:
        raise BackupError(f"restored row counts differ: {counts} != {manifest['tables']}")
    return RestoreReport(tables=counts, revision=manifest.get("revision"))
