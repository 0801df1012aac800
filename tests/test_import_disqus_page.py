"""The admin import page with Disqus: an upload's dry run and import; and the export
download (/admin/import/export.xml) for admins only."""

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.importing import uploads
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


RULES = b"# old Disqus paths that name no slug of ours\n/2021/04/nonprofits  plans-for-nonprofits\n"


def _upload(client, **extra):
    page = client.get("/admin/import").text
    form = {"csrf_token": csrf_from(page), "source": "disqus",
            "export": (io.BytesIO(EXPORT), "disqus.xml"), **extra}  # fmt: skip
    return client.post("/admin/import", data=form, content_type="multipart/form-data")


def test_a_rules_file_uploaded_beside_the_export_maps_old_paths(app, admin, make_post):
    """The page takes the rules file `flask import disqus --rules` takes, keeps it for
    the import that follows the dry run, and its thread lands on the post it names."""
    make_post(author=admin, slug="launch-notes")
    nonprofits = make_post(author=admin, slug="plans-for-nonprofits")
    client = signed_in(app, admin)
    assert "Rules file (Disqus, optional)" in client.get("/admin/import").text
    response = _upload(client, rules=(io.BytesIO(RULES), "rules.txt"))
    assert response.status_code == 303
    job = db.session.scalars(sa.select(ImportJob)).one()
    assert job.rules_text == RULES.decode()
    token = csrf_from(client.get(f"/admin/import/{job.id}").text)
    client.post(f"/admin/import/{job.id}/import", data={"csrf_token": token})
    db.session.expire_all()
    bodies = set(db.session.scalars(
        sa.select(Comment.body_source).where(Comment.post_id == nonprofits.id)))  # fmt: skip
    assert "Is there a plan for nonprofits?" in bodies


@pytest.mark.parametrize(
    "rules, message",
    [
        (b"/old/path\n", "The rules file: line 1: write &#39;/old/path new-slug&#39;"),
        (b"\xff\xfe/old slug\n", "The rules file is not UTF-8 text."),
        (b"# x\n" * 300, "The rules file is over 1,000 bytes"),
    ],
    ids=["a line without a slug", "not UTF-8", "too big"],
)
def test_a_bad_rules_file_is_refused_with_its_reason(app, admin, rules, message, monkeypatch):
    monkeypatch.setattr(uploads, "RULES_MAX_BYTES", 1000)  # 1 MB; a small upload stays in memory
    client = signed_in(app, admin)
    response = _upload(client, rules=(io.BytesIO(rules), "rules.txt"))
    assert response.status_code == 400
    assert message in response.text
    assert re.search(r'<input checked[^>]* value="disqus"', response.text)  # choice kept
    assert db.session.scalar(sa.select(sa.func.count(ImportJob.id))) == 0
