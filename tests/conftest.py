"""Fixtures: an app on a fresh database per test, a client, a CLI runner, helpers.

SQLite by default (a new file per test). Set TEST_DATABASE_URL to a PostgreSQL
database to run the same suite there; its tables are emptied after each test (under
pytest-xdist each worker works in a database of its own beside it).
"""

import os
import re
import uuid
from datetime import timedelta
from fnmatch import fnmatch

import pytest
import sqlalchemy as sa
from _pytest.nodeid import NodeId
from flask import g

from blogapp import create_app
from blogapp.accounts.services import create_user
from blogapp.extensions import db
from blogapp.markup import make_excerpt, render_comment, render_post
from blogapp.models import Comment, CommentStatus, Post, PostStatus, Role
from blogapp.models.base import utcnow
from blogapp.sitesettings.store import settings_store
from config import TestingConfig

# Fixtures several test modules share live in tests/fixtures/ (as flaskbb's do).
pytest_plugins = ["tests.fixtures.browser", "tests.fixtures.mail", "tests.fixtures.webhooks"]



# Tests that load the machine, time something or race threads and processes: under
# pytest-xdist (`make test` runs two workers) they all go to one worker, one after
# another, so no two of them run at once. A test elsewhere joins them with
# @pytest.mark.alone; these files are in it whole.
ALONE_FILES = (
    "test_load.py",
    "test_faults.py",
    "*_concurrency.py",
    "*_race.py",
    "test_drainer.py",  # "findable within" deadlines and rounds counted per gather window
)


@pytest.hookimpl(tryfirst=True)  # before -m deselects anything, and before xdist reads groups
def pytest_collection_modifyitems(config, items):
    """Browser tests are slow tests too, so ``pytest -m "not slow"`` leaves them out;
    the ``alone`` tests share one xdist group (``--dist loadgroup``, in pyproject.toml)."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("alone") or any(
            fnmatch(item.path.name, pattern) for pattern in ALONE_FILES
        ):
            item.add_marker(pytest.mark.xdist_group("alone"))
            if getattr(config.option, "loadgroup", False):  # set on xdist's workers
                _join_group(item, "alone")


def _join_group(item, group: str) -> None:
    """What ``--dist loadgroup`` does with an ``xdist_group`` mark: the group's name after
    an ``@`` in the test's id, where xdist's scheduler looks for it. pytest-xdist 3.8 sets
    ``item._nodeid``, which pytest 9.2 no longer reads (an item's id is ``item._id``), so
    its groups silently stopped grouping; tests/test_xdist_groups.py watches this."""
    if not item.nodeid.endswith(f"@{group}"):
        item._id = NodeId.parse(f"{item.nodeid}@{group}")


TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgres")
PASSWORD = "correct horse battery"


def _postgres_url() -> str:
    return TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)


def _admin_engine(url: str) -> sa.Engine:
    """A connection to the server's ``postgres`` database, to create and drop others."""
    return sa.create_engine(
        sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )


@pytest.fixture(scope="session")
def postgres_schema(tmp_path_factory):
    """On PostgreSQL: the schema, created once for the whole run (once per xdist worker).

    Under pytest-xdist each worker has a database of its own, ``<db>_<worker>`` (say
    ``parley_ci_gw1``), created here and dropped at the end, so workers never see or
    empty each other's rows. Run without xdist, the suite uses TEST_DATABASE_URL itself.
    """
    if not ON_POSTGRES:
        yield None
        return
    url = _postgres_url()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    admin = _admin_engine(url) if worker else None
    if admin is not None:
        own = f"{sa.make_url(url).database}_{worker}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{own}"'))
            # A scratch database: a commit need not wait for the disk (a crashed test
            # process still loses nothing committed; only the machine's own crash could).
            conn.execute(sa.text(f'ALTER DATABASE "{own}" SET synchronous_commit TO off'))
        url = sa.make_url(url).set(database=own).render_as_string(hide_password=False)
    folder = tmp_path_factory.mktemp("schema")  # not the checkout's instance/
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=url,
        INSTANCE_DIR=str(folder / "instance"),
        SEARCH_INDEX_DIR=str(folder / "index"),
        MAIL_OUTBOX_DIR=str(folder / "outbox"),
    )
    # No app context stays pushed across the yield: a CLI test would reuse it.
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    yield url
    if admin is None:
        with app.app_context():
            db.drop_all()
            db.engine.dispose()
    else:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def new_database(tmp_path):
    """A factory of new, empty databases of the kind under test, dropped afterwards."""
    created: list[str] = []
    base = sa.make_url(_postgres_url()) if ON_POSTGRES else None
    admin = _admin_engine(_postgres_url()) if ON_POSTGRES else None

    def make(label: str = "extra") -> str:
        name = f"parley_{label}_{uuid.uuid4().hex[:10]}"
        if not ON_POSTGRES:
            return f"sqlite:///{tmp_path / (name + '.db')}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as conn:
            for name in created:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url(tmp_path, postgres_schema) -> str:
    return postgres_schema or f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def make_app(tmp_path, database_url):
    """A factory of apps on this test's database: ``make_app(**settings)`` is the testing
    config with these settings on top, its tables created. Every app it made has its
    tables emptied (on PostgreSQL) and its connections closed after the test."""
    made = []

    def make(**overrides):
        settings = {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        }
        app = create_app(TestingConfig, **(settings | overrides))
        with app.app_context():
            if not ON_POSTGRES:
                db.create_all()
            # The site settings read now, not inside the first request a test counts.
            settings_store(app).refresh()
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            empty_tables()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    """The app, its context pushed for the whole test."""
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()


def empty_tables() -> None:
    """On PostgreSQL, where the schema is shared by the whole run (each xdist worker's
    own): empty every table and start every id sequence again.

    Call it (in an app context) after any test that wrote through an app of its own.
    DELETE rather than TRUNCATE: a test leaves a few rows in a few tables, and TRUNCATE
    makes new files for every table each time (it made the PostgreSQL pass half as slow
    again when the schema grew past thirty tables). Foreign keys are not checked while
    emptying (the tests' role is the superuser), so the order of the tables is free.
    """
    if ON_POSTGRES:
        with db.engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
            conn.execute(
                sa.text(
                    "SELECT setval(c.oid, 1, false) FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
                )
            )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class Auth:
    """Log a test client in and out through the real forms."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **extra):
        page = self.client.get("/account/login")
        data = {"email": email, "password": password, "csrf_token": csrf_from(page.text)}
        data.update(extra)
        return self.client.post("/account/login", data=data)

    def logout(self):
        page = self.client.get("/")
        return self.client.post("/account/logout", data={"csrf_token": csrf_from(page.text)})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.READER, name: str | None = None, email: str | None = None, **kw):
        n = next(counter)
        title = kw.pop("job_title", "Engineer" if role.is_employee else None)
        user = create_user(
            email or f"{role.value}{n}@example.com",
            PASSWORD,
            name or f"{role.value.title()} Person {n}",
            role,
            job_title=title,
            **kw,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_post(app, make_user):
    counter = iter(range(1, 10_000))

    def make(author=None, status=PostStatus.PUBLISHED, published_at="past", body=None, **kw):
        n = next(counter)
        author = author or make_user(Role.STAFF)
        if published_at == "past":
            published_at = utcnow() - timedelta(days=n)
        body = body if body is not None else f"Body of post {n}.\n\nWith **two** paragraphs."
        post = Post(
            slug=kw.pop("slug", f"post-{n}"),
            title=kw.pop("title", f"Post number {n}"),
            body_source=body,
            body_html=render_post(body),
            excerpt=make_excerpt(body),
            status=status.value,
            published_at=published_at,
            author=author,
            **kw,
        )
        db.session.add(post)
        db.session.commit()
        return post

    return make


@pytest.fixture
def make_comment(app):
    def make(
        post,
        author=None,
        parent=None,
        body="A comment.",
        status=CommentStatus.PUBLISHED,
        guest=("Gail Guest", "gail@example.com"),
        created_at=None,
    ):
        comment = Comment(
            post=post,
            parent=parent,
            author=author,
            guest_name=None if author else guest[0],
            guest_email=None if author else guest[1],
            body_source=body,
            body_html=render_comment(body),
            status=status.value,
            created_at=created_at or utcnow(),
        )
        db.session.add(comment)
        db.session.commit()
        return comment

    return make


@pytest.fixture(params=["whoosh", "postgres"])
def search_backend(request, app) -> str:
    """Run a search test on each backend; list it before fixtures that create content."""
    if request.param == "postgres" and not ON_POSTGRES:
        pytest.skip(
            "the PostgreSQL search backend needs TEST_DATABASE_URL=postgresql://… (CI sets it)"
        )
    app.config["SEARCH_BACKEND"] = request.param
    return request.param


@pytest.fixture
def separate_browsers(app):
    """Each request starts with an empty ``g``, as on a server, so it loads its user
    (and its CSRF token) from its own cookies.

    The ``app`` fixture keeps one app context pushed for the whole test, and
    requests reuse it, so Flask-Login's ``g._login_user`` and Flask-WTF's
    ``g.csrf_token`` would carry over from one test client's request to another's:
    a test replaying another browser's cookies would see the previous request's
    user, not what the cookies say.
    """

    return start_requests_with_empty_g(app)


def start_requests_with_empty_g(app):
    """What ``separate_browsers`` does, for a test's own app."""

    def fresh_g() -> None:
        for name in list(g):
            g.pop(name)

    app.before_request_funcs.setdefault(None, []).insert(0, fresh_g)
    return app
