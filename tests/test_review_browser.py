"""In headless Chromium: a post's author asks to review answers on their posts; a reader
asks; an employee answers from the queue and is told it waits; the queue says so; the
author edits and approves it; the page shows it under the employee's name."""

import pytest

from tests.fixtures.browser import comment_here, pytestmark, screenshot, sign_in  # noqa: F401 - pytestmark: browser

POST = "/posts/recurring-invoices-are-here"  # by Tom Becker
TOM, PRIYA = "tom.becker@tallyworks.example", "priya.raman@tallyworks.example"


@pytest.fixture
def review_server(demo_server):
    """The demo site on 127.0.0.1, with passwords for a reader, Tom and Priya."""
    return demo_server((TOM, PRIYA), readers={"rita@example.com": "Rita Reader"})


def test_an_answer_waits_for_the_authors_review_and_is_published_edited(review_server, page):
    base = review_server
    sign_in(page, base, TOM)
    page.goto(base + "/studio/profile/")
    page.click(".profile-review button:has-text('Turn on')")
    assert "now wait for review" in page.inner_text(".flashes")

    sign_in(page, base, "rita@example.com")
    page.goto(base + POST)
    comment_id = comment_here(page, "Can I pause a recurring invoice?")

    sign_in(page, base, PRIYA)
    page.goto(base + "/responses")
    item = page.locator(f"#owed-{comment_id}")
    item.locator("summary:has-text('Reply')").click()
    item.locator("textarea[name=body][id^=reply-]").fill("Yes: Pause in the invoice's menu.")
    item.locator("button:has-text('Send reply')").click()
    page.locator(".flashes", has_text="Sent for review").wait_for()
    mark = page.locator(f"#owed-{comment_id} .rq-review-mark")
    assert mark.inner_text() == "Priya Raman's reply is waiting for Tom Becker's review"
    screenshot(page, "review-queue-mark")

    sign_in(page, base, TOM)
    page.goto(base + "/responses/reviews")
    screenshot(page, "review-page")
    box = page.locator("textarea[name=body]").first
    box.fill("Yes: choose Pause in the invoice's menu, for as long as you like.")
    page.click("button:has-text('Approve and publish')")
    page.locator(".flashes", has_text="Approved").wait_for()

    page.goto(base + POST)
    answer = page.locator(".comment", has_text="for as long as you like").first
    assert "Priya Raman" in answer.inner_text()
