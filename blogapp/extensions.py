"""Every Flask extension object, created unbound; create_app() binds them."""

import functools
import sqlite3

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase

# Named constraints: Alembic needs them, and SQLite batch migrations break without.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Counters live where RATELIMIT_STORAGE_URI says: memory:// by default, redis://... to share.
limiter = Limiter(key_func=get_remote_address)

SQLITE_BUSY_TIMEOUT_MS = 20_000


def _tune_sqlite(dbapi_connection, connection_record, busy_timeout_ms: int) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # Readers no longer block the writer, and a writer waits its turn instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL syncs the log at checkpoints rather than on every commit: a
    # commit stays atomic and the database consistent after a crash; a power cut may
    # lose the last commits, not corrupt the file. (SQLite's recommended WAL setting.)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.close()


def setup_sqlite_for_concurrent_writes(app: Flask) -> None:
    """On SQLite, let many requests write to one file at once (WAL, busy timeout)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        timeout = app.config.get("SQLITE_BUSY_TIMEOUT_MS", SQLITE_BUSY_TIMEOUT_MS)
        event.listen(engine, "connect", functools.partial(_tune_sqlite, busy_timeout_ms=timeout))
