"""The admin import page with Disqus: an upload's dry run and import; and the export
download (/admin/import/export.xml) for admins only."""

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import Comment, ImportJob, Role
from tests.conftest import Auth, csrf_from

pytestmark = pytest.mark.usefixtures("separate_browsers")

EXPORT = (Path(__file__).parent / "data" / "disqus" / "export.xml").read_bytes()
DOWNLOAD = "/admin/import/export.xml"


def signed_in(app, user):
    client = app.test_client()
    assert Auth(client).login(user.email).status_code == 302
    return client


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Ada Admin", email="ada@tallyworks.example")


def test_an_admin_checks_then_imports_a_disqus_export(app, admin, make_post):
    post = make_post(author=admin, slug="launch-notes")
    client = signed_in(app, admin)
    page = client.get("/admin/import").text
    assert "Disqus comments" in page and "Download the WordPress export" in page
    form = {"csrf_token": csrf_from(page), "source": "disqus",
            "export": (io.BytesIO(EXPORT), "disqus.xml")}  # fmt: skip
    response = client.post("/admin/import", data=form, content_type="multipart/form-data")
    assert response.status_code == 303
    report = client.get(response.headers["Location"]).text
    assert "Dry run — nothing has been written yet." in report
    assert "Thread matched" in report and "no link to find its page by" in report
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0

    job = db.session.scalars(sa.select(ImportJob)).one()
    token = csrf_from(client.get(f"/admin/import/{job.id}").text)
    response = client.post(f"/admin/import/{job.id}/import", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.expire_all()
    query = sa.select(Comment.body_source).where(Comment.post_id == post.id)
    bodies = set(db.session.scalars(query))
    assert "Yes: both, with their time zones." in bodies


@pytest.mark.parametrize("role", [Role.GUEST, Role.READER, Role.STAFF, Role.MODERATOR],
                         ids=lambda r: r.value)  # fmt: skip
def test_only_admins_download_the_export(app, make_user, role):
    client = app.test_client() if role is Role.GUEST else signed_in(app, make_user(role))
    response = client.get(DOWNLOAD)
    if role is Role.GUEST:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/login?next=")
    else:
        assert response.status_code == 403


def test_an_admin_downloads_the_whole_site_as_wxr(app, admin, make_post, make_comment):
    post = make_post(author=admin, slug="hello", title="Hello & welcome")
    make_comment(post, body="First!")
    response = signed_in(app, admin).get(DOWNLOAD)
    assert response.status_code == 200
    assert response.mimetype == "application/rss+xml"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="parley-')
    item = ET.fromstring(response.data).find("channel/item")
    assert item.findtext("title") == "Hello & welcome"
    assert item.findtext("{http://wordpress.org/export/1.2/}comment/"
                         "{http://wordpress.org/export/1.2/}comment_content") == "<p>First!</p>"
