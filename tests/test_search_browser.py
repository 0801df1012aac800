"""Searching in headless Chromium, as a reader and as an employee, on the demo site."""

import re

from tests.fixtures.browser import log_in, pytestmark, screenshot  # noqa: F401 - pytestmark: browser


def test_reader_searches_and_lands_on_the_highlighted_comment(live_server, page):
    page.goto(live_server + "/")
    page.fill("#header-q", "skip a month")
    page.press("#header-q", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=skip"))
    assert "results for" in page.inner_text(".result-count")
    first = page.locator(".result-comment").first
    assert "<mark>" in first.locator(".snippet").inner_html().lower()
    screenshot(page, "search-results")

    question = page.locator(".result-comment", has_text="Can a recurring invoice skip a month")
    question.locator(".result-link").click()
    page.wait_for_url(re.compile(r"/posts/[^#]+#c\d+$"))
    target = page.url.rsplit("#", 1)[1]
    comment = page.locator(f"#{target}")
    assert "skip a month" in comment.locator(".comment-body").first.inner_text()
    background = comment.locator(".comment-body").first.evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert background == "rgb(255, 248, 214)"  # the :target highlight
    screenshot(page, "search-followed-to-comment")


def test_reader_gets_did_you_mean_no_results_and_advice(live_server, page):
    page.goto(live_server + "/search?q=reccuring+invoce")
    suggestion = page.locator(".did-you-mean a")
    assert suggestion.inner_text() == "recurring invoice"
    screenshot(page, "search-did-you-mean")
    suggestion.click()
    page.wait_for_load_state()
    assert "results for" in page.inner_text(".result-count")

    page.goto(live_server + "/search?q=xylophone")
    assert "Nothing matches" in page.inner_text(".result-count")
    screenshot(page, "search-no-results")

    page.fill("#q", '"late payment AND')
    page.press("#q", "Enter")
    page.wait_for_load_state()
    notices = page.locator(".search-notice").all_inner_texts()
    assert any("closing quote was missing" in n for n in notices)
    screenshot(page, "search-hostile-query")


def test_employee_filters_to_customer_comments(live_server, page):
    log_in(page, live_server, "jane.doe@tallyworks.example")
    page.goto(live_server + "/search?q=invoice")
    everyone = page.locator(".result").count()
    page.select_option("#kind", "comments")
    page.select_option("#authors", "customers")
    page.click(".search-form button[type=submit]")
    page.wait_for_url(re.compile(r"authors=customers"))
    results = page.locator(".result")
    assert 0 < results.count() < everyone
    assert page.locator(".result .staff-mark").count() == 0
    assert page.locator(".result-post").count() == 0
    screenshot(page, "search-employee")

    page.select_option("#response", "owed")
    page.click(".search-form button[type=submit]")
    page.wait_for_url(re.compile(r"response=owed"))
    waiting = page.locator(".result")
    assert waiting.count() > 0
    assert page.locator(".response-mark", has_text="Waiting").count() + page.locator(
        ".response-mark", has_text="Overdue"
    ).count() == waiting.count()
    screenshot(page, "search-employee-waiting")


def test_employee_answers_from_the_queue_with_a_similar_earlier_answer(live_server, page):
    log_in(page, live_server, "jane.doe@tallyworks.example")
    page.goto(live_server + "/responses?view=all")
    item = page.locator(".rq-item", has_text="green Connected badge")
    item.locator("summary", has_text="Reply").click()
    panel = item.locator(".rq-similar-panel")
    panel.wait_for()
    assert "My bank wanted re-consent" in panel.inner_text()
    panel.locator("button", has_text="Start my reply from this answer").first.click()
    box = item.locator("textarea[name=body][id^=reply-]")
    assert box.input_value().startswith("Glad it helped, Marco.")
    screenshot(page, "queue-similar-answers")
    box.fill("Thanks for the report. Please reconnect the feed under Settings, Bank feeds.")
    item.locator("button", has_text="Send reply").click()
    done = page.locator(".rq-done")
    done.wait_for()
    assert "Replied" in done.inner_text()
