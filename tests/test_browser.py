"""Journeys in headless Chromium against a real server on 127.0.0.1."""

from tests.fixtures.browser import (  # noqa: F401 (fixtures and helpers other modules import)
    ARTIFACTS,
    CHROMIUM,
    ROOT,
    demo_app,
    live_server,
    log_in,
    page,
    pytestmark,
    screenshot,
)


def test_reader_goes_from_home_page_to_a_post(live_server, page):
    page.goto(live_server + "/")
    assert "Tallyworks" in page.title()
    screenshot(page, "home")
    first = page.locator(".post-card h2 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == title
    assert page.locator(".byline .author-link").inner_text()
    assert page.locator("#comments h2").inner_text().endswith(("comment", "comments"))
    screenshot(page, "post")


def test_reader_registers_from_the_header(live_server, page):
    page.goto(live_server + "/")
    page.click("text=Sign up")
    page.fill("#display_name", "Browser Reader")
    page.fill("#email", "browser@reader.example")
    page.fill("#password", "short")
    page.fill("#confirm", "short")
    page.click("button[type=submit]")
    assert "at least 10 characters" in page.inner_text(".field-error")
    assert page.input_value("#display_name") == "Browser Reader"
    page.fill("#password", "a long enough password")
    page.fill("#confirm", "a long enough password")
    page.click("button[type=submit]")
    page.wait_for_url(live_server + "/")
    assert "Browser Reader" in page.inner_text(".site-nav")


