"""The database refuses a value an enum does not have (issue 14): every enum-valued column
has a CHECK written from its enum (models.base.enum_check), in a schema made from the models
and in one made by the migrations alike, on SQLite and PostgreSQL."""

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from blogapp import create_app
from blogapp.accounts.services import create_user
from blogapp.extensions import db
from blogapp.models import (
    ACCOUNT_ROLES,
    AckKind,
    Acknowledgement,
    CloseReason,
    Comment,
    CommentStatus,
    Flag,
    FlagReason,
    Post,
    PostStatus,
    PrivateStatus,
    PrivateVia,
    ProposalKind,
    ReviewState,
    Revision,
    RevisionKind,
    Role,
    WebhookFormat,
)
from blogapp.models.base import utcnow
from config import TestingConfig

# Every enum-valued column there is.
ENUM_COLUMNS = {
    ("users", "role"): tuple(r.value for r in ACCOUNT_ROLES),
    ("posts", "status"): tuple(PostStatus),
    ("comments", "status"): tuple(CommentStatus),
    ("acknowledgements", "kind"): tuple(AckKind),
    ("acknowledgements", "reason"): tuple(CloseReason),
    ("flags", "reason"): tuple(FlagReason),
    ("revisions", "kind"): tuple(RevisionKind),
    ("private_conversations", "status"): tuple(PrivateStatus),
    ("private_messages", "via"): tuple(PrivateVia),
    ("proposed_replies", "state"): tuple(ReviewState),
    ("proposed_replies", "kind"): tuple(ProposalKind),
    ("mail_outbox", "status"): None,
    ("webhook_outbox", "status"): None,
    ("webhook_endpoints", "format"): tuple(WebhookFormat),
    ("search_outbox", "kind"): None,
}


def enum_checks() -> dict[tuple[str, str], tuple[str, ...]]:
    """{(table, column): allowed values} of every CHECK the models write from an enum."""
    return {
        (table.name, check.info["enum_column"]): check.info["enum_values"]
        for table in db.metadata.tables.values()
        for check in table.constraints
        if isinstance(check, sa.CheckConstraint) and "enum_column" in check.info
    }


def test_every_enum_column_has_a_check_written_from_its_enum():
    checks = enum_checks()
    assert set(checks) == set(ENUM_COLUMNS)
    for column, values in ENUM_COLUMNS.items():
        assert values is None or checks[column] == values, column


@pytest.fixture(params=["models", "migrations"])
def schema(request, app, new_database, tmp_path) -> str:
    """The test's database made from the models, or a new one made by `flask db upgrade`
    (its app's context pushed for the test)."""
    if request.param == "models":
        yield request.param
        return
    migrated = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=new_database("checks"),
        INSTANCE_DIR=str(tmp_path / "migrated"),
        SEARCH_INDEX_DIR=str(tmp_path / "migrated-index"),
        MAIL_OUTBOX_DIR=str(tmp_path / "migrated-outbox"),
    )
    # Its context pushed over the test app's: the CLI runs in the current app context.
    with migrated.app_context():
        result = migrated.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        yield request.param
        db.session.remove()
        db.engine.dispose()


def test_the_database_checks_exactly_each_enums_values(schema):
    inspector = sa.inspect(db.engine)
    assert set(enum_checks()) == set(ENUM_COLUMNS)
    for (table, column), values in enum_checks().items():
        checks = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
        sql = checks[f"ck_{table}_{column}_valid"]
        # SQLite keeps the text as written; PostgreSQL rewrites it (= ANY (ARRAY[...])).
        assert column in sql and set(re.findall(r"'([^']*)'", sql)) == set(values), sql


def _one_row_each() -> dict[str, int]:
    """A row in each table whose enum column a test can set: {table: row id}."""
    staff = create_user("sam@example.com", "correct horse battery", "Sam Staff", Role.STAFF, "Ops")
    reader = create_user("rita@example.com", "correct horse battery", "Rita Reader")
    post = Post(
        slug="checked",
        title="Checked",
        author=staff,
        status=PostStatus.PUBLISHED.value,
        published_at=utcnow(),
    )
    comment = Comment(post=post, author=reader, body_source="Hi", body_html="<p>Hi</p>")
    db.session.add_all([post, comment])
    db.session.flush()
    ack = Acknowledgement(
        comment=comment,
        standing_comment_id=comment.id,
        kind=AckKind.NO_RESPONSE_NEEDED.value,
        reason=CloseReason.THANKS_ONLY.value,
        employee_id=staff.id,
    )
    flag = Flag(comment=comment, reporter=reader, reason=FlagReason.SPAM.value, note="")
    revision = Revision(post=post, author=staff, version=1, title="Checked", body_source="Hi")
    db.session.add_all([ack, flag, revision])
    db.session.commit()
    return {
        "users": reader.id,
        "posts": post.id,
        "comments": comment.id,
        "acknowledgements": ack.id,
        "flags": flag.id,
        "revisions": revision.id,
    }


def _set(table: str, row_id: int, column: str, value: str) -> None:
    """Write ``value`` straight into the row, past every check the app makes."""
    t = db.metadata.tables[table]
    db.session.execute(sa.update(t).where(t.c.id == row_id).values({column: value}))
    db.session.flush()


def test_the_database_refuses_a_value_its_enum_does_not_have(schema):
    rows = _one_row_each()
    tried = set()
    for (table, column), values in enum_checks().items():
        if table not in rows:
            continue  # the outboxes: their checks are compared above
        tried.add((table, column))
        t = db.metadata.tables[table]
        before = db.session.scalar(sa.select(t.c[column]).where(t.c.id == rows[table]))
        for value in values:  # every value the enum has is taken...
            _set(table, rows[table], column, value)
            db.session.rollback()
        # ...and nothing else: a stranger, a near miss, another enum's value.
        for bad in ("not-a-value", values[0].upper(), "guest", "published", "reply"):
            if bad in values:
                continue
            with pytest.raises(IntegrityError):
                _set(table, rows[table], column, bad)
            db.session.rollback()
        after = db.session.scalar(sa.select(t.c[column]).where(t.c.id == rows[table]))
        assert after == before
    assert tried == {column for column in ENUM_COLUMNS if column[0] in rows}


def test_migration_0010_stops_at_a_stored_reason_it_would_refuse_and_changes_nothing(
    new_database, tmp_path
):
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=new_database("reasons"),
        INSTANCE_DIR=str(tmp_path / "reasons"),
    )
    runner = app.test_cli_runner()
    with app.app_context():
        assert runner.invoke(args=["db", "upgrade", "0009"]).exit_code == 0
        now = utcnow()
        with db.engine.begin() as conn:
            tables = sa.MetaData()
            tables.reflect(conn, only=["users", "posts", "comments", "acknowledgements"])
            t = tables.tables
            conn.execute(
                t["users"].insert(),
                {"id": 1, "email": "s@example.com", "password_hash": "x", "role": "staff",
                 "display_name": "Sam", "slug": "sam", "created_at": now},
            )  # fmt: skip
            conn.execute(
                t["posts"].insert(),
                {"id": 1, "slug": "p", "title": "P", "body_source": "", "body_html": "",
                 "excerpt": "", "status": "published", "author_id": 1, "comments_open": True,
                 "version": 1, "created_at": now, "updated_at": now},
            )  # fmt: skip
            conn.execute(
                t["comments"].insert(),
                {"id": 1, "post_id": 1, "guest_name": "G", "guest_email": "g@example.com",
                 "body_source": "Hi", "body_html": "Hi", "status": "published",
                 "created_at": now, "changed_at": now},
            )  # fmt: skip
            conn.execute(
                t["acknowledgements"].insert(),
                {"id": 1, "comment_id": 1, "standing_comment_id": 1, "employee_id": 1,
                 "kind": "no_response_needed", "reason": "spam-ish", "created_at": now},
            )  # fmt: skip
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 1  # Flask-Migrate logs the error and exits
        assert "1 acknowledgement(s) have a reason that is not one of" in result.output
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == "0009"
            assert conn.scalar(sa.text("SELECT reason FROM acknowledgements")) == "spam-ish"
            conn.execute(sa.text("UPDATE acknowledgements SET reason = 'duplicate'"))
            conn.commit()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        db.engine.dispose()
