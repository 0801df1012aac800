"""`flask backup` then `flask restore` into an empty database gives back every row."""

import tarfile
from pathlib import Path

import sqlalchemy as sa

from blogapp import create_app
from blogapp.contentio.demo import load_demo
from blogapp.extensions import db
from config import TestingConfig

ROOT = Path(__file__).resolve().parent.parent


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


def test_backup_and_restore_round_trip_every_row(tmp_path, new_database):
    source = make_site(new_database("source"), tmp_path / "source-instance")
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

    target = make_site(new_database("restore"), tmp_path / "target-instance")
    target_runner = target.test_cli_runner()
    assert target_runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = target_runner.invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    with target.app_context():
        restored = every_row(db.engine)
    assert restored == original
    assert sum(len(rows) for rows in original.values()) > 50
    photo = Path(target.instance_path) / "uploads" / "photo.png"
    assert photo.read_bytes() == b"\x89PNG fake bytes"

    again = target_runner.invoke(args=["restore", str(archive)])
    assert again.exit_code != 0 and "not empty" in again.output
    for app in (source, target):
        with app.app_context():
            db.engine.dispose()


def test_restore_refuses_something_that_is_not_a_backup(runner, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tarball")
    result = runner.invoke(args=["restore", str(bogus)])
    assert result.exit_code != 0 and "is not a Parley backup" in result.output
