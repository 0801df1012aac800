"""The migrations build exactly the schema the models describe."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from blogapp import create_app
from blogapp.extensions import db
from config import TestingConfig
from tests.conftest import ON_POSTGRES, _postgres_url


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    base = sa.make_url(_postgres_url())
    name = f"parley_mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_on_empty_database_matches_models(empty_database_url, tmp_path):
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url, INSTANCE_DIR=str(tmp_path)
    )
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
            tables = set(sa.inspect(conn).get_table_names())
        db.engine.dispose()
    assert {"users", "posts", "tags", "post_tags", "comments", "alembic_version"} <= tables


def test_downgrade_to_base_and_back(empty_database_url, tmp_path):
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url, INSTANCE_DIR=str(tmp_path)
    )
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    with app.app_context():
        assert "posts" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
