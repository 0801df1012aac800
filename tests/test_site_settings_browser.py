"""Site settings in headless Chromium: an admin changes the site's name and the edit window
on one server, and a second server process on the same database, started before the
change and never restarted, shows them."""

import os
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import ROOT, log_in, pytestmark, screenshot  # noqa: F401 - pytestmark: browser

ADMIN = "maya.okafor@tallyworks.example"
READER = "ana.costa@costastudio.example"
NEW_NAME = "Tallyworks Field Notes"

# The second server: its own process, the test config on the same database, and the
# production interval for asking whether the settings changed.
SERVE = """
import sys
from werkzeug.serving import make_server
from blogapp import create_app
from config import TestingConfig
database, instance = sys.argv[1:3]
app = create_app(
    TestingConfig, SQLALCHEMY_DATABASE_URI=database, SERVER_NAME=None,
    INSTANCE_DIR=instance, SEARCH_INDEX_DIR=instance + "/index",
    MAIL_OUTBOX_DIR=instance + "/outbox", SETTINGS_REFRESH_SECONDS=2.0,
)
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture
def second_server(live_server, database_url, tmp_path):  # noqa: F811
    """Another app process serving the same database on a free port of 127.0.0.1."""
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, database_url, str(tmp_path / "second")],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its renderer processes end with it
    )
    try:
        port = int(server.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=10)
        server.stdout.close()


def shows_within(tab, url: str, text: str, seconds: float = 10) -> None:
    """Reload ``url`` until ``text`` is on it: another process reads a change within
    SETTINGS_REFRESH_SECONDS."""
    deadline = time.monotonic() + seconds
    while True:
        tab.goto(url)
        if text in tab.content() or time.monotonic() > deadline:
            break
        tab.wait_for_timeout(300)
    expect(tab.locator(".site-header")).to_contain_text(text)


def test_a_setting_changed_on_one_server_shows_on_another(  # noqa: F811
    demo_app, live_server, second_server, page  # noqa: F811
):
    page.goto(second_server + "/")
    expect(page.locator(".site-header")).to_contain_text("Tallyworks Blog")

    log_in(page, live_server, ADMIN)
    page.click("nav >> text=Admin")
    page.click("main >> text=Settings")
    expect(page.locator("h1")).to_have_text("Settings")
    screenshot(page, "settings-page")
    page.fill("#f-SITE_NAME", NEW_NAME)
    page.fill("#f-SITE_TIMEZONE", "Mars/Olympus")
    page.fill("#f-COMMENT_EDIT_MINUTES", "45")
    page.click("text=Save settings")
    expect(page.locator("#e-SITE_TIMEZONE")).to_contain_text("is not a time zone")
    assert page.input_value("#f-SITE_NAME") == NEW_NAME
    assert page.input_value("#f-COMMENT_EDIT_MINUTES") == "45"
    screenshot(page, "settings-error")
    page.fill("#f-SITE_TIMEZONE", "Europe/Berlin")
    page.click("text=Save settings")
    expect(page.locator(".flash")).to_contain_text("Saved: site name, time zone, edit window")
    expect(page.locator("#SITE_NAME")).to_contain_text("Set here")
    screenshot(page, "settings-saved")

    shows_within(page, second_server + "/", NEW_NAME)
    screenshot(page, "settings-second-server")
    # Cookies do not tell ports apart: the admin is signed in here too (one site, two
    # workers). The reader takes over the browser.
    page.click("text=Log out")
    log_in(page, second_server, READER)
    page.click("article.post-card h2 a >> nth=0")
    page.fill("#body", "Does the new export keep the VAT column?")
    page.click("#comment-form button[type=submit]")
    page.click("text=Edit >> nth=-1")
    expect(page.locator("main")).to_contain_text("You can edit for 45 minutes")
    expect(page.locator(".site-header")).to_contain_text(NEW_NAME)
    screenshot(page, "settings-edit-window-second-server")
