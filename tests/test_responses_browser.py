"""In headless Chromium: a reader asks a question; a moderator sees it in the queue and
assigns it; the assignee replies inline; it leaves the queue and shows "Answered by …"."""

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
POST = "/posts/recurring-invoices-are-here"
QUESTION = "Can a recurring invoice be paused for a whole quarter?"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def tracker_server(make_app):
    """The demo site on 127.0.0.1, with passwords for a reader, a moderator and Priya."""
    app = make_app(SERVER_NAME=None)
    with app.app_context():
        load_demo(ROOT / "content")
        create_user("rita@example.com", PASSWORD, "Rita Reader", Role.READER)
        for email in ("jane.doe@tallyworks.example", "priya.raman@tallyworks.example"):
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


def test_question_is_assigned_answered_inline_and_shown_answered(tracker_server, page):
    base = tracker_server
    log_in(page, base, "rita@example.com")
    page.goto(base + POST)
    assert "A member of our team answers every comment" in page.inner_text("#comment-form")
    page.fill("#comment-form #body", QUESTION)
    page.click("#comment-form button:has-text('Post comment')")
    page.wait_for_url(re.compile(r"#c\d+$"))
    comment_id = page.url.rsplit("#c", 1)[1]

    log_in(page, base, "jane.doe@tallyworks.example")
    page.goto(base + "/responses")
    item = page.locator(f"#owed-{comment_id}")
    assert QUESTION in item.inner_text() and "23 h left" in item.inner_text()
    screenshot(page, "responses-queue")
    item.locator(f"#assign-{comment_id}").select_option(label="Priya Raman")
    item.locator("button:has-text('Assign')").click()
    # With JavaScript the page reloads itself once the assignment is saved.
    page.locator(f"#owed-{comment_id} .rq-assignee", has_text="Priya Raman").wait_for()

    log_in(page, base, "priya.raman@tallyworks.example")
    page.goto(base + "/responses?view=mine")
    item = page.locator(f"#owed-{comment_id}")
    item.locator("summary:has-text('Reply')").click()
    reply_box = item.locator("textarea[name=body][id^=reply-]")  # not the private box beside it
    reply_box.fill("Yes: choose *Pause* and pick the months to skip.")
    item.locator("button:has-text('Send reply')").click()
    page.locator(f"#owed-{comment_id}.rq-done").wait_for()
    assert page.url.endswith("/responses?view=mine"), "the reply was sent without leaving"
    page.reload()
    assert page.locator(f"#owed-{comment_id}").count() == 0

    page.context.clear_cookies()
    page.goto(f"{base}{POST}#c{comment_id}")
    answered = page.locator(f"#c{comment_id} > .answered-by")
    assert re.match(
        r"Answered by Priya Raman, Staff Engineer · \d+ min later", answered.inner_text()
    )
    assert answered.locator("a").get_attribute("href") == "/authors/priya-raman"
    screenshot(page, "responses-answered-post")
