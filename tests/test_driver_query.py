"""DriverQuery (blogapp/driver_query.py) runs its statement below SQLAlchemy's public API.
These tests check each piece it relies on, so an upgrade that changes one fails here,
by name, rather than as a wrong page."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from blogapp.driver_query import DriverQuery
from blogapp.extensions import db

STATEMENT = sa.text("SELECT :a AS a, :b AS b, :when AS happened").columns(
    sa.column("a", sa.Integer), sa.column("b", sa.String), sa.column("happened", sa.DateTime)
)


def test_it_was_checked_against_this_sqlalchemy_series():
    assert sa.__version__.startswith("2.0."), (
        f"SQLAlchemy {sa.__version__}: re-check what driver_query.py relies on, then "
        "update this series"
    )


def test_the_compiled_statement_says_its_parameter_order(app):
    compiled = STATEMENT.compile(dialect=db.engine.dialect)
    assert isinstance(compiled.positional, bool)
    if compiled.positional:
        assert list(compiled.positiontup) == ["a", "b", "when"]
    assert isinstance(compiled.string, str)


def test_each_column_type_gives_its_result_processor(app):
    dialect = db.engine.dialect
    for column in STATEMENT.selected_columns:
        processor = column.type.dialect_impl(dialect).result_processor(dialect, None)
        assert processor is None or callable(processor)
    if dialect.name == "sqlite":
        when = sa.DateTime().dialect_impl(dialect).result_processor(dialect, None)
        assert when("2026-11-29 12:00:00.000000") == datetime(2026, 11, 29, 12)


def test_a_driver_error_becomes_sqlalchemys(app):
    dbapi = db.engine.dialect.loaded_dbapi
    error = sa.exc.DBAPIError.instance("SELECT", {}, dbapi.OperationalError("gone"), dbapi.Error)
    assert isinstance(error, sa.exc.OperationalError)


def test_the_raw_connection_goes_back_to_the_pool(app):
    pool = db.engine.pool
    before = pool.checkedout()
    connection = db.engine.raw_connection()
    assert pool.checkedout() == before + 1 and callable(connection.cursor)
    connection.close()
    assert pool.checkedout() == before


def test_it_gives_what_sqlalchemy_gives(app):
    query, params = DriverQuery(STATEMENT), {"a": 7, "b": "x", "when": datetime(2026, 1, 2, 3)}
    with db.engine.connect() as connection:
        expected = connection.execute(STATEMENT, params).one()
    assert tuple(query.one_or_none(db.engine, params)) == tuple(expected)
    with pytest.raises(sa.exc.DBAPIError):
        DriverQuery(sa.text("SELECT nope FROM nowhere").columns(sa.column("nope"))).one_or_none(
            db.engine, {}
        )
