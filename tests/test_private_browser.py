"""In headless Chromium: a reader asks; Jane Doe takes it to private support from the queue,
answers on the private page and marks it resolved; an anonymous reader sees who took it
and that it was resolved privately, and none of the private words."""

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
from tests.fixtures.browser import CHROMIUM, screenshot
from tests.private_helpers import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
POST = "/posts/recurring-invoices-are-here"
QUESTION = "My card was charged twice for invoice 1042, can someone look?"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def server(make_app):
    app = make_app(SERVER_NAME=None, INBOUND_MAIL_DOMAIN="in.example.com")
    with app.app_context():
        load_demo(ROOT / "content")
        create_user("rita@example.com", PASSWORD, "Rita Reader", Role.READER)
        jane = db.session.scalar(sa.select(User).where(User.email == "jane.doe@tallyworks.example"))
        jane.set_password(PASSWORD, method=app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)


def log_in(page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(base + "/account/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_taken_private_from_the_queue_answered_resolved_and_shown(server, page):
    base = server
    log_in(page, base, "rita@example.com")
    page.goto(base + POST)
    page.fill("#comment-form #body", QUESTION)
    page.click("#comment-form button:has-text('Post comment')")
    page.wait_for_url(re.compile(r"#c\d+$"))
    comment_id = page.url.rsplit("#c", 1)[1]

    log_in(page, base, "jane.doe@tallyworks.example")
    page.goto(base + "/responses")
    item = page.locator(f"#owed-{comment_id}")
    item.locator("summary:has-text('Take to private support')").click()
    item.locator(f"#pbody-{comment_id}").fill("Hello Rita, which card ends the number?")
    item.locator("button:has-text('Take to private support')").click()
    page.locator(f"#owed-{comment_id}.rq-done").wait_for()
    page.goto(base + "/private/")
    page.click("text=Rita Reader")
    page.fill("#body", "Refunded the second charge of invoice 1042.")
    page.click("button:has-text('Send to Rita Reader')")
    page.wait_for_load_state()
    assert "Refunded the second charge" in page.inner_text(".private-messages")
    screenshot(page, "private-conversation")
    page.click("button:has-text('Mark resolved')")
    page.wait_for_load_state()

    page.context.clear_cookies()
    page.goto(f"{base}{POST}#c{comment_id}")
    label = page.locator(f"#c{comment_id} > .answered-by").inner_text()
    assert re.fullmatch(
        r"Taken to private support by Jane Doe, Head of Support · Resolved privately · "
        r"\d+ min later",
        label,
    ), label
    assert "Refunded" not in page.content() and "which card" not in page.content()
    screenshot(page, "private-public-comment")
