"""The admin import page in headless Chromium: an admin uploads a WordPress export, reads
the dry run's report, imports it (on the web process's thread, the page refreshing
itself), and finds the post with its threaded comments and staff answer, and an old
permalink redirecting to it."""

import pytest
from playwright.sync_api import expect

from blogapp.contentio.demo import load_demo
from blogapp.extensions import db
from blogapp.importing import jobs
from blogapp.models import ImportJob
from tests.fixtures.browser import ROOT, log_in, pytestmark, screenshot  # noqa: F401 - pytestmark: browser
from tests.import_helpers import WXR

ADMIN = "maya.okafor@tallyworks.example"


@pytest.fixture
def demo_app(make_app):
    """The demo site, its imports run on a thread as in production."""
    app = make_app(SERVER_NAME=None, IMPORT_IN_BACKGROUND=True)
    with app.app_context():
        load_demo(ROOT / "content")
    yield app
    with app.app_context():
        for job_id in list(app.extensions[jobs.EXTENSION_KEY]["threads"]):
            jobs.wait_for(app, job_id)


def test_an_admin_imports_a_wordpress_site_from_the_browser(demo_app, live_server, page):  # noqa: F811
    log_in(page, live_server, ADMIN)
    page.click("nav >> text=Admin")
    page.click("text=Import a blog")
    expect(page.locator("h1")).to_have_text("Import a blog")
    # A file that is not an export is refused on the form, the other choices kept.
    page.set_input_files("#export", {"name": "notes.pdf", "mimeType": "application/pdf",
                                     "buffer": b"%PDF-1.4 not an export"})  # fmt: skip
    page.fill("#cutoff", "2024-05-03")
    page.click("main button[type=submit]")
    expect(page.locator("#export-error")).to_contain_text("That file is not XML")
    assert page.input_value("#cutoff") == "2024-05-03"
    screenshot(page, "import-not-xml")
    page.set_input_files("#export", str(WXR / "site-1.2.xml"))
    screenshot(page, "import-upload")
    page.click("main button[type=submit]")

    # The dry run: the page refreshes itself until the report is there.
    expect(page.locator(".import-state")).to_contain_text("Dry run — nothing has been written yet.")
    report = page.locator(".import-report")
    expect(report.locator("tr", has_text="Post created")).to_contain_text("/posts/new-pricing")
    expect(report.locator("tr", has_text="Comment: spam")).to_contain_text("1")
    expect(report.locator(".import-redirects")).to_contain_text("/2024/05/new-pricing")
    screenshot(page, "import-dry-run")
    with demo_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ImportJob)) == 1

    page.click("main button:text-is('Import')")
    expect(page.locator(".import-state")).to_contain_text("Imported", timeout=30_000)
    expect(page.locator(".flash")).to_have_count(0)  # the flash was seen on the first refresh
    screenshot(page, "import-done")

    # The old permalink answers 301 and lands on the imported post.
    old = page.request.get(live_server + "/2024/05/new-pricing/", max_redirects=0)
    assert old.status == 301 and old.headers["location"].endswith("/posts/new-pricing")
    page.goto(live_server + "/2024/05/new-pricing/")
    assert page.url == live_server + "/posts/new-pricing"
    expect(page.locator("h1")).to_have_text("Our new pricing & plans")
    question = page.locator("li.comment", has_text="Zoë Customer").first
    expect(question.locator(".answered-by")).to_contain_text("Jane Doe")
    answer = question.locator("li.comment.depth-1", has_text="Jane Doe")  # nested under it
    expect(answer.locator(".staff-mark")).to_have_text("Staff")
    # Sam replied to a spam comment: re-attached to the nearest kept ancestor.
    expect(question.locator("li.comment.depth-1", has_text="Sam Reader")).to_have_count(1)
    screenshot(page, "import-post")
