"""Running one hot, typed SQL statement without SQLAlchemy's Connection and Result.

What it relies on beyond SQLAlchemy's documented API, checked by
tests/test_driver_query.py (which fails, naming the piece, if an upgrade changes it):
- ``SQLCompiler.positional`` and ``.positiontup``: for a driver with positional
  parameters (SQLite's ``?``) the order the named parameters go in;
- ``TypeEngine.dialect_impl(dialect).result_processor(dialect, None)``: the function
  SQLAlchemy's Result applies to a column (SQLite's text into a datetime), or None;
- ``DBAPIError.instance(statement, params, error, dbapi_error_class)``: a driver's
  error as SQLAlchemy would raise it (OperationalError, IntegrityError, ...);
- ``Engine.raw_connection()`` giving the pool's connection proxy, whose ``close()``
  rolls back and returns it to the pool.
Verified with SQLAlchemy 2.0 (the test names the series; a new one needs a look).
"""

from collections import namedtuple

import sqlalchemy as sa


class DriverQuery:
    """A typed ``text()`` statement run straight on a pooled DBAPI connection.

    For an anonymous reader's stored page this statement is the request's work, and
    SQLAlchemy's Connection and Result cost twice what the statement does. It is
    compiled once for each dialect and driver; each column's own result processor turns
    what the driver returns into what the typed statement gives (datetimes from SQLite's
    text), and a driver's error is raised as SQLAlchemy's. What it skips: the engine's
    events (query counters, echo, instrumentation) never see the statement, and a
    dropped connection is not invalidated in the pool (the pool's pre-ping catches it).
    """

    def __init__(self, statement: sa.TextClause):
        self.statement = statement
        self.row = namedtuple("Row", [c.name for c in statement.selected_columns])
        self._compiled: dict = {}

    def _for(self, dialect):
        key = (dialect.name, dialect.driver)  # drivers differ in their parameter style
        compiled = self._compiled.get(key)
        if compiled is None:
            sql = self.statement.compile(dialect=dialect)
            order = tuple(sql.positiontup) if sql.positional else None
            processors = [
                c.type.dialect_impl(dialect).result_processor(dialect, None)
                for c in self.statement.selected_columns
            ]
            compiled = self._compiled[key] = (sql.string, order, processors)
        return compiled

    def one_or_none(self, engine: sa.Engine, params: dict) -> tuple | None:
        sql, order, processors = self._for(engine.dialect)
        driver_error = engine.dialect.loaded_dbapi.Error
        try:
            connection = engine.raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute(sql, [params[name] for name in order] if order else params)
                found = cursor.fetchone()
                cursor.close()
            finally:
                connection.close()  # back to the pool, rolled back
        except driver_error as error:
            # As SQLAlchemy would raise it, for the app's page for a database in trouble.
            raise sa.exc.DBAPIError.instance(sql, params, error, driver_error) from error
        if found is None:
            return None
        return self.row(*(p(v) if p else v for p, v in zip(processors, found, strict=True)))
