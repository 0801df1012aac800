"""In headless Chromium: a reader asks; Jane Doe takes it to private support from the queue,
answers on the private page and marks it resolved; an anonymous reader sees who took it
and that it was resolved privately, and none of the private words."""

import re

import pytest

from tests.fixtures.browser import comment_here, pytestmark, screenshot, sign_in  # noqa: F401 - pytestmark: browser

POST = "/posts/recurring-invoices-are-here"
QUESTION = "My card was charged twice for invoice 1042, can someone look?"


@pytest.fixture
def server(demo_server):
    """The demo site on 127.0.0.1 taking mailed replies, with passwords for a reader and
    Jane Doe."""
    return demo_server(
        ("jane.doe@tallyworks.example",),
        readers={"rita@example.com": "Rita Reader"},
        INBOUND_MAIL_DOMAIN="in.example.com",
    )


def test_taken_private_from_the_queue_answered_resolved_and_shown(server, page):
    base = server
    sign_in(page, base, "rita@example.com")
    page.goto(base + POST)
    comment_id = comment_here(page, QUESTION)

    sign_in(page, base, "jane.doe@tallyworks.example")
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
