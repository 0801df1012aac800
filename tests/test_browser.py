"""Journeys in headless Chromium against a real server on 127.0.0.1."""

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from blogapp import create_app
from blogapp.contentio.demo import DEMO_PASSWORD, load_demo
from blogapp.extensions import db
from config import TestingConfig
from tests.conftest import ON_POSTGRES, empty_tables

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"no Chromium at {CHROMIUM}: install Debian's 'chromium' package",
    ),
]


@pytest.fixture
def live_server(tmp_path, database_url):
    """The app with the demo content, served on a free port on 127.0.0.1."""
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        INSTANCE_DIR=str(tmp_path / "instance"),
        SERVER_NAME=None,
    )
    with app.app_context():
        if not ON_POSTGRES:
            db.create_all()
        load_demo(ROOT / "content")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        empty_tables()
        db.engine.dispose()


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def log_in(page, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form and land on the home page."""
    page.goto(base + "/account/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


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
