"""In headless Chromium: a guest and a reader post comments and replies, with JavaScript
(the reply form opens in place, the preview renders in place) and without it."""

import re

from tests.fixtures.browser import pytestmark, screenshot  # noqa: F401 - pytestmark: browser

POST = "/posts/recurring-invoices-are-here"


def comment_id_with(browser_page, text: str) -> str:
    """The id of the innermost comment whose text contains ``text``."""
    return browser_page.locator("li.comment", has_text=text).last.get_attribute("id")


def test_guest_previews_comments_and_replies_in_place(live_server, page):
    page.goto(live_server + POST)
    form = page.locator("#comment-form")
    form.locator("#name").fill("Gwen Guest")
    form.locator("#email").fill("gwen@example.com")
    form.locator("#body").fill("Does *Skip next* work for **quarterly** schedules?")
    form.locator("button.preview-button").click()
    preview = form.locator(".comment-preview")
    preview.locator("em").wait_for()
    assert preview.locator("strong").inner_text() == "quarterly"
    assert page.url.endswith(POST), "the preview did not leave the page"
    form.locator("button[type=submit]:has-text('Post comment')").click()
    page.wait_for_url(re.compile(r"#c\d+$"))
    assert "awaiting moderation" in page.inner_text(".flashes")
    mine = page.locator("li.comment.is-held").last
    assert "quarterly" in mine.inner_text() and "Awaiting moderation" in mine.inner_text()
    screenshot(page, "comments-post-page")

    first = page.locator("ol.thread > li.comment").first
    first_id = first.get_attribute("id")
    first.locator(":scope > .comment-actions .reply-link").click()
    reply_form = first.locator(":scope > .reply-slot form.in-place-reply")
    reply_form.wait_for()
    assert "/reply" not in page.url, "the reply form opened in place"
    assert reply_form.locator("textarea").evaluate("el => el === document.activeElement")
    assert reply_form.locator("input[name=name]").input_value() == "Gwen Guest"
    reply_form.locator("textarea").fill("Same question here, as a reply.")
    screenshot(page, "comments-reply-form")
    reply_form.locator("button:has-text('Post comment')").click()
    page.wait_for_url(re.compile(r"#c\d+$"))
    nested = page.locator(f"#{first_id} > ol.replies > li.comment", has_text="Same question here")
    assert nested.count() == 1

    page.locator("ol.thread > li.comment").first.locator(
        ":scope > .comment-actions .reply-link"
    ).click()
    again = page.locator(f"#{first_id} > .reply-slot form")
    again.locator("textarea").fill(
        "See https://a.example https://b.example https://c.example https://d.example"
    )
    again.locator("button:has-text('Post comment')").click()
    page.wait_for_load_state()
    assert "at most 3 links" in page.inner_text(".field-error")
    assert "https://d.example" in page.input_value("textarea[name=body]")
    screenshot(page, "comments-error-state")


def test_reader_comments_and_replies_without_javascript(live_server, page):
    context = page.context.browser.new_context(java_script_enabled=False)
    nojs = context.new_page()
    nojs.goto(live_server + "/account/register")
    nojs.fill("#display_name", "Nora NoScript")
    nojs.fill("#email", "nora@example.com")
    nojs.fill("#password", "a long enough password")
    nojs.fill("#confirm", "a long enough password")
    nojs.click("button[type=submit]")
    assert "Check your inbox" in nojs.inner_text("h1")
    nojs.click("main a.button:has-text('Log in')")
    nojs.fill("#email", "nora@example.com")
    nojs.fill("#password", "a long enough password")
    nojs.click("main button[type=submit]")
    nojs.goto(live_server + POST)
    nojs.fill("#body", "A top-level comment, typed **without** JavaScript.")
    nojs.click("button.preview-button")
    assert nojs.locator(".comment-preview strong").inner_text() == "without"
    assert "without** JavaScript" in nojs.input_value("#body")
    nojs.click("button:has-text('Post comment')")
    assert "your comment is posted" in nojs.inner_text(".flashes")
    mine = comment_id_with(nojs, "A top-level comment")
    nojs.locator(f"#{mine} > .comment-actions .reply-link").click()
    assert "/reply" in nojs.url and "Reply to Nora NoScript" in nojs.inner_text("h1")
    nojs.fill("#body", "And a reply to myself, still without JavaScript.")
    nojs.click("button:has-text('Post comment')")
    nested = nojs.locator(f"#{mine} > ol.replies > li.comment", has_text="And a reply to myself")
    assert nested.count() == 1
    assert nested.locator(".comment-author").inner_text() == "Nora NoScript"
    context.close()


def test_the_guest_form_clock_starts_when_the_form_is_first_used(live_server, page):
    """The anonymous page carries no clock (it is the same for every visitor): Chromium
    asks for the clock image only once the form has focus, and the post then goes through
    without being sent back."""
    clocks: list[str] = []
    page.on("request", lambda r: clocks.append(r.url) if r.url.endswith("/clock") else None)
    page.goto(live_server + POST)
    page.wait_for_load_state("networkidle")
    assert clocks == [], "nothing asked for the clock before the form was used"
    form = page.locator("#comment-form")
    # The image is asked for once focus has shown it: wait for that request, not for idle.
    with page.expect_request(lambda r: r.url.endswith("/clock"), timeout=10_000):
        form.locator("#body").fill("When does the clock start?")
    assert clocks == [f"{live_server}{POST}/comments/clock"]
    form.locator("#name").fill("Cleo Clock")
    form.locator("#email").fill("cleo@example.com")
    form.locator("button[type=submit]:has-text('Post comment')").click()
    page.wait_for_url(re.compile(r"#c\d+$"))
    assert "send it again" not in page.content()
