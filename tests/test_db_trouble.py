"""A locked or unreachable database: a friendly 503, the text kept, nothing half-written."""

import sqlite3

import pytest
import sqlalchemy as sa

from blogapp import create_app
from blogapp.accounts.services import create_user
from blogapp.extensions import db
from blogapp.models import Comment, MailMessage, Post, Role
from blogapp.models.base import utcnow
from config import TestingConfig
from tests.conftest import ON_POSTGRES, PASSWORD, csrf_from

TEXT = "My careful question about invoices & <taxes>"


@pytest.fixture
def impatient_app(make_app):
    """The app, waiting at most a fraction of a second for a lock."""
    options = (
        {"connect_args": {"options": "-c lock_timeout=300"}, "pool_pre_ping": True}
        if ON_POSTGRES
        else {}
    )
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS=options, SQLITE_BUSY_TIMEOUT_MS=300)
    with app.app_context():
        yield app
        db.session.remove()


class WriteLock:
    """Another connection holding the write lock on the comments."""

    def __init__(self, app):
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if ON_POSTGRES:
            self.engine = sa.create_engine(url)
            self.conn = self.engine.connect()
            self.conn.execute(sa.text("LOCK TABLE comments IN EXCLUSIVE MODE"))
        else:
            self.conn = sqlite3.connect(sa.make_url(url).database, isolation_level=None)
            self.conn.execute("BEGIN IMMEDIATE")

    def release(self):
        if ON_POSTGRES:
            self.conn.rollback()
            self.conn.close()
            self.engine.dispose()
        else:
            self.conn.execute("ROLLBACK")
            self.conn.close()


def counts() -> tuple[int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(sa.select(sa.func.count(Comment.id))),
        db.session.scalar(sa.select(sa.func.count(MailMessage.id))),
    )


def test_locked_database_answers_503_and_keeps_the_comment(impatient_app):
    client = impatient_app.test_client()
    create_user("reader@example.com", PASSWORD, "Rita Reader")
    staff = create_user("staff@example.com", PASSWORD, "Sam Staff", Role.STAFF, "Support")
    db.session.add(
        Post(
            slug="busy",
            title="Busy day",
            body_source="Hi.",
            body_html="<p>Hi.</p>",
            excerpt="Hi.",
            status="published",
            published_at=utcnow(),
            author=staff,
        )
    )
    db.session.commit()
    login = client.get("/account/login")
    client.post(
        "/account/login",
        data={
            "email": "reader@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_from(login.text),
        },
    )
    slug = "busy"
    page = client.get(f"/posts/{slug}")
    before = counts()
    db.session.commit()  # end this test's read transaction before another takes the lock

    lock = WriteLock(impatient_app)
    try:
        response = client.post(
            f"/posts/{slug}/comments",
            data={"body": TEXT, "parent_id": "", "website": "", "csrf_token": csrf_from(page.text)},
        )
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        assert "briefly unavailable" in response.text and "Nothing was saved" in response.text
        assert "My careful question about invoices &amp; &lt;taxes&gt;" in response.text
        assert f'action="/posts/{slug}/comments"' in response.text
    finally:
        lock.release()

    assert counts() == before, "nothing half-written"
    again = client.post(
        f"/posts/{slug}/comments",
        data={"body": TEXT, "parent_id": "", "website": "", "csrf_token": csrf_from(response.text)},
    )
    assert again.status_code == 303
    db.session.expire_all()
    assert (
        db.session.scalar(sa.select(sa.func.count(Comment.id)).where(Comment.body_source == TEXT))
        == 1
    )


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://postgres@127.0.0.1:1/parley", "sqlite:////nonexistent-dir/parley.db"],
    ids=["postgres-refused", "sqlite-missing"],
)
def test_unreachable_database_answers_503_everywhere(tmp_path, url):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, INSTANCE_DIR=str(tmp_path))
    client = app.test_client()
    for path in ("/", "/posts/anything", "/feed.atom"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "briefly unavailable" in response.text
    login = client.get("/account/login")
    assert login.status_code == 200, "a page that needs no database still works"
    response = client.post(
        "/account/login",
        data={
            "email": "sam@bakery.example",
            "password": "secret words",
            "body": "kept words",
            "csrf_token": csrf_from(login.text),
        },
    )
    assert response.status_code == 503
    assert 'value="sam@bakery.example"' in response.text and "kept words" in response.text
    assert "secret words" not in response.text
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
