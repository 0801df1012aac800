"""In headless Chromium: a post's author asks to review answers on their posts; a reader
asks; an employee answers from the queue and is told it waits; the queue says so; the
author edits and approves it; the page shows it under the employee's name."""

import re
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from blogapp.accounts.services import create_user
from blogapp.contentio.demo import load_demo
from blogapp.extensions import db
from blogapp.models import Role, User
from tests.conftest import PASSWORD
from tests.fixtures.browser import CHROMIUM, screenshot

ROOT = Path(__file__).resolve().parent.parent
POST = "/posts/recurring-invoices-are-here"  # by Tom Becker
TOM, PRIYA = "tom.becker@tallyworks.example", "priya.raman@tallyworks.example"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def review_server(make_app):
    """The demo site on 127.0.0.1, with passwords for a reader, Tom and Priya."""
    app = make_app(SERVER_NAME=None)
    with app.app_context():
        load_demo(ROOT / "content")
        create_user("rita@example.com", PASSWORD, "Rita Reader", Role.READER)
        for email in (TOM, PRIYA):
            user = db.session.scalar(sa.select(User).where(User.email == email))
            user.set_password(PASSWORD, method=app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def log_in(page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/account/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_an_answer_waits_for_the_authors_review_and_is_published_edited(review_server, page):
    base = review_server
    log_in(page, base, TOM)
    page.goto(base + "/studio/profile/")
    page.click(".profile-review button:has-text('Turn on')")
    assert "now wait for review" in page.inner_text(".flashes")

    log_in(page, base, "rita@example.com")
    page.goto(base + POST)
    page.fill("#comment-form #body", "Can I pause a recurring invoice?")
    page.click("#comment-form button:has-text('Post comment')")
    page.wait_for_url(re.compile(r"#c\d+$"))
    comment_id = page.url.rsplit("#c", 1)[1]

    log_in(page, base, PRIYA)
    page.goto(base + "/responses")
    item = page.locator(f"#owed-{comment_id}")
    item.locator("summary:has-text('Reply')").click()
    item.locator("textarea[name=body][id^=reply-]").fill("Yes: Pause in the invoice's menu.")
    item.locator("button:has-text('Send reply')").click()
    page.locator(".flashes", has_text="Sent for review").wait_for()
    mark = page.locator(f"#owed-{comment_id} .rq-review-mark")
    assert mark.inner_text() == "Priya Raman's reply is waiting for Tom Becker's review"
    screenshot(page, "review-queue-mark")

    log_in(page, base, TOM)
    page.goto(base + "/responses/reviews")
    screenshot(page, "review-page")
    box = page.locator("textarea[name=body]").first
    box.fill("Yes: choose Pause in the invoice's menu, for as long as you like.")
    page.click("button:has-text('Approve and publish')")
    page.locator(".flashes", has_text="Approved").wait_for()

    page.goto(base + POST)
    answer = page.locator(".comment", has_text="for as long as you like").first
    assert "Priya Raman" in answer.inner_text()
