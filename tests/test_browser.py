"""Journeys in headless Chromium against a real server on 127.0.0.1."""

from tests.fixtures.browser import log_in, pytestmark, screenshot  # noqa: F401 - pytestmark: browser


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
    page.wait_for_url(live_server + "/account/register/sent")
    assert "sent a message to browser@reader.example" in page.inner_text("main")
    screenshot(page, "registered")
    page.click("main a.button:has-text('Log in')")
    page.fill("#email", "browser@reader.example")
    page.fill("#password", "a long enough password")
    page.click("main button[type=submit]")
    page.wait_for_url(live_server + "/")
    assert "Browser Reader" in page.inner_text(".site-nav")


def test_reader_logs_out_everywhere_from_the_security_page(live_server, page):
    other = page.context.browser.new_context().new_page()  # the same person's other device
    for browser_page in (page, other):
        log_in(browser_page, live_server, "sam.wilder@wilderbakery.example")
    page.click(".site-nav >> text=Sam Wilder")
    page.wait_for_url(live_server + "/account")
    page.click("text=Password and sign-ins")
    page.wait_for_url(live_server + "/account/security")
    assert page.locator("table tbody tr").count() == 2
    assert "This browser" in page.inner_text("table")
    screenshot(page, "account-security")
    page.click("text=Log out everywhere")
    page.wait_for_url(live_server + "/account/login")
    assert "logged out everywhere" in page.inner_text(".flashes")
    other.goto(live_server + "/account/security")
    assert "/account/login" in other.url  # the other device's cookies no longer sign in
    other.context.close()
