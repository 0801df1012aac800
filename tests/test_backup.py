"""`flask backup` then `flask restore` into an empty database gives back every row."""

import tarfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from blogapp import create_app
from blogapp.contentio.demo import load_demo
from blogapp.extensions import db
from config import TestingConfig
from tests.conftest import ON_POSTGRES, _postgres_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def empty_database(tmp_path):
    """A second, empty database of the same kind as the one under test."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    base = sa.make_url(_postgres_url())
    name = f"parley_restore_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def every_row(engine) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, by table name."""
    meta = sa.MetaData()
    meta.reflect(bind=engine)
    rows = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            rows[table.name] = sorted((tuple(r) for r in conn.execute(sa.select(table))), key=repr)
    return rows


def make_site(url: str, instance: Path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, INSTANCE_DIR=str(instance))
    return app


def test_backup_and_restore_round_trip_every_row(tmp_path, empty_database):
    source_url = f"sqlite:///{tmp_path / 'source.db'}" if not ON_POSTGRES else None
    if ON_POSTGRES:
        # The source is a fresh database too, so nothing else in the run is touched.
        base = sa.make_url(_postgres_url())
        source_name = f"parley_source_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{source_name}"'))
        source_url = base.set(database=source_name).render_as_string(hide_password=False)
    try:
        source = make_site(source_url, tmp_path / "source-instance")
        runner = source.test_cli_runner()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with source.app_context():
            load_demo(ROOT / "content")
            uploads = Path(source.instance_path) / "uploads"
            uploads.mkdir(parents=True)
            (uploads / "photo.png").write_bytes(b"\x89PNG fake bytes")
            original = every_row(db.engine)
        result = runner.invoke(args=["backup", "--dir", str(tmp_path / "backups")])
        assert result.exit_code == 0, result.output
        archive = next((tmp_path / "backups").glob("parley-*.tar.gz"))
        with tarfile.open(archive) as tar:
            names = set(tar.getnames())
        assert {"manifest.json", "content", "uploads"} <= names
        assert any(n.startswith("content/posts/") and n.endswith(".md") for n in names)

        target = make_site(empty_database, tmp_path / "target-instance")
        target_runner = target.test_cli_runner()
        assert target_runner.invoke(args=["db", "upgrade"]).exit_code == 0
        result = target_runner.invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert "Restored" in result.output
        with target.app_context():
            restored = every_row(db.engine)
        assert restored == original
        assert sum(len(rows) for rows in original.values()) > 50
        assert (
            Path(target.instance_path) / "uploads" / "photo.png"
        ).read_bytes() == b"\x89PNG fake bytes"

        again = target_runner.invoke(args=["restore", str(archive)])
        assert again.exit_code != 0 and "not empty" in again.output
        for app in (source, target):
            with app.app_context():
                db.engine.dispose()
    finally:
        if ON_POSTGRES:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{source_name}" WITH (FORCE)'))
            admin.dispose()


def test_restore_refuses_something_that_is_not_a_backup(runner, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tarball")
    result = runner.invoke(args=["restore", str(bogus)])
    assert result.exit_code != 0 and "is not a Parley backup" in result.output
