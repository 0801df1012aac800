"""The webhook journey in headless Chromium: an admin adds an endpoint pointing at a
receiver on 127.0.0.1, copies its secret (shown once), sends a test event and sees it in
the endpoint's delivery log with the status code the receiver answered."""

import hashlib
import hmac
import json

from playwright.sync_api import expect

from tests.fixtures.browser import log_in, pytestmark, screenshot  # noqa: F401 - pytestmark: browser

ADMIN = "maya.okafor@tallyworks.example"


def test_add_an_endpoint_send_a_test_event_and_see_it_in_the_log(
    demo_app,  # noqa: F811
    live_server,  # noqa: F811
    page,  # noqa: F811
    make_receiver,
):
    receiver = make_receiver()
    receiver.status = 202
    receiver.answer = b'{"queued": true}'
    log_in(page, live_server, ADMIN)
    page.click("nav >> text=Admin")
    page.click("main >> text=Webhooks")
    expect(page.locator("h1")).to_have_text("Webhooks")
    page.click("text=Add an endpoint")
    page.fill("#url", "ftp://hooks.example.com/in")
    page.check("input[value=comment_published]")
    page.click("main button[type=submit]")
    expect(page.locator(".field-error .error")).to_contain_text("must start with https://")
    assert page.input_value("#url") == "ftp://hooks.example.com/in"
    assert page.is_checked("input[value=comment_published]")
    screenshot(page, "webhooks-add-error")

    page.fill("#url", receiver.url)
    page.click("main button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("Copy its secret now")
    secret = page.inner_text("#secret")
    assert secret.startswith("whsec_")
    screenshot(page, "webhooks-secret-once")

    page.click("text=Send test event")
    expect(page.locator(".flash")).to_contain_text(
        "Test event delivered: the endpoint answered 202."
    )
    row = page.locator(".delivery-log tbody tr").first
    expect(row).to_contain_text("ping")
    expect(row).to_contain_text("202")
    expect(row).to_contain_text('{"queued": true}')
    expect(page.locator("#secret")).to_have_count(0)  # shown once: not on this page
    screenshot(page, "webhooks-endpoint-log")

    ((body, signature),) = receiver.received
    assert signature == "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert json.loads(body)["event"] == "ping"

    page.click("nav >> text=Admin")
    page.click("main >> text=Webhooks")
    expect(page.locator("main table")).to_contain_text(receiver.url)
    expect(page.locator("main table")).to_contain_text("comment_published")
    screenshot(page, "webhooks-list")
