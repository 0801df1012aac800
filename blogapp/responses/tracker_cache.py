"""What the queue, the staff navigation and the metrics keep per process, keyed on the
response tracker's change stamp.

With 10,000 owed comments, deciding which comments are owed reads every published
comment with its author's role and its acknowledgement (12-25 ms on SQLite), and the
metrics work out a due time for each of the period's comments (120 ms). Neither result
changes until the tracker's data does, so each is kept under the stamp read when it was
worked out, and reused while a request reads the same stamp.

The stamp (one statement, index reads and counts of small columns) moves with everything
that decides whether a comment is owed or how it was answered:

- a comment written or deleted (count and newest id of comments), published, held,
  removed or marked spam (count of published comments; changed_at, which every ORM update
  and every acknowledgement and undo bumps);
- an acknowledgement made or undone (newest id, count of standing ones, newest undone_at);
- an account made or moved between customer and employee (count of employees, newest id).

Entries also expire after a minute (``RenderCache``), and ``RESPONSES_CACHE = False`` turns
the cache off: every figure is then worked out from the database on each request.
"""

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from blogapp.comments.cache import cache
from blogapp.extensions import db
from blogapp.models import CommentStatus, User

T = TypeVar("T")
_STAMP_KEY = "parley.tracker_stamp"


def tracker_stamp() -> tuple:
    """The tracker's change stamp: equal stamps, equal owed comments and answers. Read
    once in a GET request (which writes nothing), on each call otherwise."""
    # Kept in the request's environ, not in g: g lives as long as the app context, which
    # requests share when one is already pushed (the test client's).
    reading = has_request_context() and request.method in ("GET", "HEAD")
    if reading and _STAMP_KEY in request.environ:
        return request.environ[_STAMP_KEY]
    stamp = _read_stamp()
    if reading:
        request.environ[_STAMP_KEY] = stamp
    return stamp


# Who is an employee is User.employee_clause()'s to say; written out once, here.
_EMPLOYEES = (
    sa.select(sa.func.count())
    .select_from(User)
    .where(User.employee_clause())
    .compile(compile_kwargs={"literal_binds": True})
)
# Plain SQL: built with the expression language, the statement's nine subqueries cost
# more to key SQLAlchemy's statement cache (about 2 ms) than to run (0.5 ms).
_STAMP = sa.text(
    "SELECT (SELECT count(*) FROM comments), (SELECT max(id) FROM comments), "
    "(SELECT max(changed_at) FROM comments), "
    "(SELECT count(*) FROM comments WHERE status = :published), "
    "(SELECT max(id) FROM acknowledgements), "
    "(SELECT count(standing_comment_id) FROM acknowledgements), "
    "(SELECT max(undone_at) FROM acknowledgements), "
    f"({_EMPLOYEES}), (SELECT max(id) FROM users)"
).bindparams(published=CommentStatus.PUBLISHED.value)


def _read_stamp() -> tuple:
    return tuple(db.session.execute(_STAMP).one())


def kept(name: str, key: Hashable, work: Callable[[], T]) -> T:
    """``work()``'s result, kept under the tracker's stamp and ``key``."""
    if not current_app.config.get("RESPONSES_CACHE", True):
        return work()
    full_key = (tracker_stamp(), key)
    store = cache(f"responses.{name}")
    found = store.get(full_key)
    if found is None:
        found = work()
        store.put(full_key, found)
    return found


def driver_time(value: datetime | str) -> datetime:
    """A naive UTC time as the driver returns it for a column read with ``type_coerce(…,
    String)``: SQLite's text, PostgreSQL's datetime. Parsing it here is several times
    cheaper than SQLAlchemy's DateTime type on ten thousand rows."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
