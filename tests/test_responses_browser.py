"""In headless Chromium: a reader asks a question; a moderator sees it in the queue and
assigns it; the assignee replies inline; it leaves the queue and shows "Answered by …"."""

import re

import pytest

from tests.fixtures.browser import comment_here, pytestmark, screenshot, sign_in  # noqa: F401 - pytestmark: browser

POST = "/posts/recurring-invoices-are-here"
QUESTION = "Can a recurring invoice be paused for a whole quarter?"


@pytest.fixture
def tracker_server(demo_server):
    """The demo site on 127.0.0.1, with passwords for a reader, a moderator and Priya."""
    return demo_server(
        ("jane.doe@tallyworks.example", "priya.raman@tallyworks.example"),
        readers={"rita@example.com": "Rita Reader"},
    )


def test_question_is_assigned_answered_inline_and_shown_answered(tracker_server, page):
    base = tracker_server
    sign_in(page, base, "rita@example.com")
    page.goto(base + POST)
    assert "A member of our team answers every comment" in page.inner_text("#comment-form")
    comment_id = comment_here(page, QUESTION)

    sign_in(page, base, "jane.doe@tallyworks.example")
    page.goto(base + "/responses")
    item = page.locator(f"#owed-{comment_id}")
    assert QUESTION in item.inner_text() and "23 h left" in item.inner_text()
    screenshot(page, "responses-queue")
    item.locator(f"#assign-{comment_id}").select_option(label="Priya Raman")
    item.locator("button:has-text('Assign')").click()
    # With JavaScript the page reloads itself once the assignment is saved.
    page.locator(f"#owed-{comment_id} .rq-assignee", has_text="Priya Raman").wait_for()

    sign_in(page, base, "priya.raman@tallyworks.example")
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
