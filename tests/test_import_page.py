"""The admin import page (/admin/import): who may use it (every route x role), an upload's
dry run and report, the import, the file kept outside the web root and removed, the
audit log, refusals (too big, not XML), and the background thread surviving a reload."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.importing import jobs
from blogapp.models import AuditEvent, Comment, ImportJob, LegacyPath, Post, Role
from blogapp.models.base import utcnow
from tests.conftest import Auth, csrf_from
from tests.import_helpers import WXR

pytestmark = pytest.mark.usefixtures("separate_browsers")

ROLES = [Role.GUEST, Role.READER, Role.STAFF, Role.MODERATOR]
SITE = (WXR / "site-1.2.xml").read_bytes()


def signed_in(app, user):
    client = app.test_client()
    assert Auth(client).login(user.email).status_code == 302
    return client


def upload(client, data: bytes = SITE, name: str = "site.xml", **fields):
    token = csrf_from(client.get("/admin/import").text)
    form = {"csrf_token": token, "source": "wordpress", "export": (io.BytesIO(data), name)}
    return client.post("/admin/import", data=form | fields, content_type="multipart/form-data")


def press(client, job_id: int, button: str):
    token = csrf_from(client.get(f"/admin/import/{job_id}").text)
    return client.post(f"/admin/import/{job_id}/{button}", data={"csrf_token": token})


def counts() -> tuple:
    db.session.expire_all()
    n = sa.select(sa.func.count())
    return tuple(db.session.scalar(n.select_from(t)) for t in (Post, Comment, ImportJob))


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Ada Admin", email="ada@acme.example")


@pytest.fixture
def checked(app, admin):
    """A dry run of the 1.2 fixture, finished; its id."""
    response = upload(signed_in(app, admin))
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


ROUTES = [
    ("GET", "/admin/import"),
    ("POST", "/admin/import"),
    ("GET", "/admin/import/{job}"),
    ("POST", "/admin/import/{job}/import"),
    ("POST", "/admin/import/{job}/discard"),
]


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("method,url", ROUTES)
def test_only_admins_reach_the_import_page(app, make_user, checked, role, method, url):
    client = app.test_client() if role is Role.GUEST else signed_in(app, make_user(role))
    data = {"source": "wordpress", "export": (io.BytesIO(SITE), "site.xml")}
    if method == "POST" and role is not Role.GUEST:
        data["csrf_token"] = csrf_from(client.get("/").text)
    before = counts()
    response = client.open(url.format(job=checked), method=method, data=data if method == "POST"
                           else None, content_type="multipart/form-data")  # fmt: skip
    if role is Role.GUEST:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/login?next=")
    else:
        assert response.status_code == 403
    assert counts() == before
    assert db.session.get(ImportJob, checked).stored_path  # not imported, not discarded


@pytest.mark.parametrize("method,url", ROUTES)
def test_admins_reach_every_import_route(app, admin, checked, method, url):
    client = signed_in(app, admin)
    if method == "POST" and url == "/admin/import":
        response = upload(client)
    elif method == "POST":
        response = press(client, checked, url.rsplit("/", 1)[1])
    else:
        response = client.get(url.format(job=checked))
    assert response.status_code == (200 if method == "GET" else 303), response.text[:300]


def test_a_dry_run_shows_the_report_and_writes_nothing_then_import_does(app, admin):
    client = signed_in(app, admin)
    response = upload(client, name="acme.WordPress.2024-06-01.xml")
    assert response.status_code == 303
    job = db.session.scalars(sa.select(ImportJob)).one()
    stored = Path(job.stored_path)
    assert stored.is_file() and stored.read_bytes() == SITE
    # Kept under the instance folder, never under the static folder the web serves.
    assert stored.is_relative_to(Path(app.instance_path)) and stored.parent.name == "imports"
    assert not stored.is_relative_to(Path(app.static_folder))
    assert counts()[:2] == (0, 0)

    page = client.get(response.headers["Location"]).text
    assert "Dry run — nothing has been written yet." in page
    assert "Post created" in page and "/posts/new-pricing" in page
    assert "Comment: spam" in page  # skipped, with the reason
    assert "/2024/05/new-pricing" in page  # an old address that would redirect
    assert 'http-equiv="refresh"' not in page

    assert press(client, job.id, "import").status_code == 303
    page = client.get(f"/admin/import/{job.id}").text
    assert "Imported" in page and "The uploaded file has been removed." in page
    assert not stored.exists()
    db.session.expire_all()
    assert db.session.get(ImportJob, job.id).stored_path == ""
    assert db.session.scalar(sa.select(Post.id).where(Post.slug == "new-pricing"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LegacyPath)) > 0
    assert client.get("/2024/05/new-pricing/").headers["Location"].endswith("/posts/new-pricing")
    audit = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.detail)
        .where(AuditEvent.action.like("import%")).order_by(AuditEvent.id)
    ).all()  # fmt: skip
    assert [(a, who) for a, who, _ in audit] == [
        ("import_dry_run", admin.id), ("import_started", admin.id), ("import_finished", admin.id)
    ]  # fmt: skip
    assert "acme.WordPress.2024-06-01.xml" in audit[0].detail
    assert "post created: 2" in audit[2].detail
    # The button is gone once imported: a second press changes nothing.
    before = counts()
    assert press(client, job.id, "import").status_code == 303
    assert counts() == before


def test_discard_removes_the_file_and_imports_nothing(app, admin, checked):
    client = signed_in(app, admin)
    stored = Path(db.session.get(ImportJob, checked).stored_path)
    assert press(client, checked, "discard").status_code == 303
    assert not stored.exists()
    assert counts()[:2] == (0, 0)
    assert "Import</button>" not in client.get(f"/admin/import/{checked}").text


def test_a_file_too_big_is_refused_with_the_setting_named(make_app, make_user):
    app = make_app(IMPORT_MAX_BYTES=2000)
    with app.app_context():
        client = signed_in(app, make_user(Role.ADMIN))
        response = upload(client)  # the fixture is over 2,000 bytes, within the envelope
        assert response.status_code == 400
        assert "larger than the 2,000 bytes an import may be" in response.text
        assert "IMPORT_MAX_BYTES" in response.text
        big = upload(client, SITE * 40)  # over the request's own bound: never read
        assert big.status_code == 413
        assert "IMPORT_MAX_BYTES" in big.text
        assert counts() == (0, 0, 0)
        assert not any((Path(app.instance_path) / "imports").glob("*"))


def test_a_file_that_is_not_xml_is_refused_and_the_choices_kept(app, admin):
    client = signed_in(app, admin)
    response = upload(client, b"%PDF-1.4 not an export", "site.pdf", with_pingbacks="y",
                      cutoff="2024-01-31")  # fmt: skip
    assert response.status_code == 400
    assert "That file is not XML" in response.text
    assert 'value="2024-01-31"' in response.text
    assert 'id="with_pingbacks" name="with_pingbacks" type="checkbox" value="y"' in response.text
    assert counts() == (0, 0, 0)


def test_an_xml_file_of_another_kind_says_nothing_was_found(app, admin):
    response = upload(signed_in(app, admin), b"<?xml version='1.0'?><html><p>hi</p></html>")
    page = signed_in(app, admin).get(response.headers["Location"]).text
    assert "Nothing was found in this file: is it a WordPress export?" in page
    assert counts()[:2] == (0, 0)


def test_a_running_job_refreshes_and_shows_progress_after_a_reload(app, admin, checked):
    job = db.session.get(ImportJob, checked)
    job.dry_run, job.state, job.records_read = False, "running", 3000
    db.session.commit()
    page = signed_in(app, admin).get(f"/admin/import/{checked}").text
    assert 'http-equiv="refresh"' in page
    assert "Importing the file… 3,000 records read so far." in page
    # One import at a time: another checked file waits.
    other = upload(signed_in(app, admin))
    other_id = int(other.headers["Location"].rsplit("/", 1)[1])
    press(signed_in(app, admin), other_id, "import")
    assert counts()[:2] == (0, 0)
    assert db.session.get(ImportJob, other_id).dry_run is True


def test_the_import_runs_on_a_thread_and_its_state_is_kept(make_app, make_user):
    app = make_app(IMPORT_IN_BACKGROUND=True)
    with app.app_context():
        client = signed_in(app, make_user(Role.ADMIN))
        job_id = int(upload(client).headers["Location"].rsplit("/", 1)[1])
        jobs.wait_for(app, job_id)
        press(client, job_id, "import")
        jobs.wait_for(app, job_id)
        db.session.expire_all()
        job = db.session.get(ImportJob, job_id)
        assert (job.state, job.dry_run, job.stored_path) == ("done", False, "")
        assert job.records_read > 0 and job.finished_at is not None
        assert jobs.report_of(job).total("post created") == 2
        assert app.extensions[jobs.EXTENSION_KEY] == {"threads": {}, "progress": {}}


def test_a_job_whose_process_stopped_shows_as_stalled_and_holds_nothing_back(app, admin, checked):
    job = db.session.get(ImportJob, checked)
    job.dry_run, job.state = False, "running"
    job.started_at = utcnow() - jobs.STALLED_AFTER - timedelta(minutes=1)
    db.session.commit()
    client = signed_in(app, admin)
    page = client.get(f"/admin/import/{checked}").text
    assert "has not finished in hours" in page and 'http-equiv="refresh"' not in page
    other = int(upload(client).headers["Location"].rsplit("/", 1)[1])
    assert press(client, other, "import").status_code == 303
    assert db.session.get(ImportJob, other).state == "done"
    assert counts()[0] == 3
