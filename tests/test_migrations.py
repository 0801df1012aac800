"""The migrations build exactly the schema the models describe."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from blogapp import create_app
from blogapp.extensions import db
from config import TestingConfig


@pytest.fixture
def empty_database_url(new_database) -> str:
    return new_database("migrations")


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
