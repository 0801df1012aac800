"""The studio in headless Chromium: write with an image, preview live, publish, find it."""

import io
import re

from PIL import Image
from playwright.sync_api import expect

from tests.fixtures.browser import log_in, pytestmark, screenshot  # noqa: F401 - pytestmark: browser

STAFF_EMAIL = "priya.raman@tallyworks.example"


def chart_png() -> bytes:
    image = Image.new("RGB", (320, 160), (36, 86, 214))
    for x in range(40, 280, 60):
        for y in range(60, 140):
            for dx in range(30):
                image.putpixel((x + dx, y), (255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_staff_writes_a_post_with_an_image_previews_it_publishes_and_finds_it(
    live_server,
    page,
):
    log_in(page, live_server, STAFF_EMAIL)
    page.click("text=Studio")
    page.click("text=New post")
    page.fill("#title", "Invoices now show your logo")
    page.fill("#body", "Upload your logo once and **every invoice** shows it.\n\n")
    page.press("#body", "End")
    page.set_input_files(
        ".image-picker",
        files=[{"name": "invoice-logo.png", "mimeType": "image/png", "buffer": chart_png()}],
    )
    expect(page.locator("#body")).to_have_value(re.compile(r"!\[invoice logo\]\(/uploads/"))
    page.type("#body", "\n\n## What changes\n\n- Your logo\n- Your colours\n")
    # The live preview is rendered by the server, image included.
    preview = page.locator("#preview")
    preview.locator("h2", has_text="What changes").wait_for()
    preview.locator("img[src^='/uploads/']").wait_for()
    assert preview.locator("strong").inner_text() == "every invoice"
    assert page.locator(".preview-title").inner_text() == "Invoices now show your logo"
    # Autosave has created the draft and says when.
    status = page.locator(".autosave-status")
    status.filter(has_text=re.compile(r"Saved \d\d:\d\d")).wait_for(timeout=15_000)
    assert "/studio/posts/" in page.url and page.url.endswith("/edit")
    expect(preview.locator("img")).to_have_js_property("naturalWidth", 320)
    screenshot(page, "studio-editor-preview")

    page.click("button[value=publish]")
    page.locator(".flash", has_text="Published").wait_for()
    page.goto(live_server + "/")
    page.click("text=Invoices now show your logo")
    assert page.locator("h1").inner_text() == "Invoices now show your logo"
    image = page.locator(".post-body img")
    assert image.get_attribute("alt") == "invoice logo"
    expect(image).to_have_js_property("naturalWidth", 320)
    feed = page.request.get(live_server + "/feed.atom").text()
    assert "<title>Invoices now show your logo</title>" in feed


def test_history_diff_and_conflict_pages(live_server, page):
    log_in(page, live_server, STAFF_EMAIL)
    page.goto(live_server + "/studio/posts/new")
    page.fill("#title", "Two writers")
    page.fill("#body", "We ship on Monday.\n\nThe team is ready.\n\nQuestions welcome.")
    page.click("button[value=save]")
    page.locator(".flash", has_text="Saved").wait_for()
    edit_url = page.url
    page.fill("#body", "We ship on Tuesday.\n\nThe team is ready.\n\nQuestions welcome below.")
    page.click("button[value=save]")
    page.locator(".flash", has_text="Saved").wait_for()

    page.click("text=History")
    page.locator("a", has_text="Compare").last.click()
    page.locator(".diff-del", has_text="Monday").wait_for()
    assert page.locator(".diff-add", has_text="Tuesday").count() == 1
    screenshot(page, "studio-history-diff")

    # The editor is open; meanwhile someone else saves the post (here through the same
    # session's HTTP client), so the editor's save is based on an older version.
    page.goto(edit_url)
    html = page.request.get(edit_url).text()
    form = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1),
        "version": re.search(r'name="version"[^>]*value="(\d+)"', html).group(1),
        "title": "Two writers",
        "body": "We ship on Wednesday, after one more check.\n\nThe team is ready.",
        "comments_open": "y",
        "action": "save",
    }
    assert page.request.post(edit_url, form=form).ok
    page.fill("#body", "We ship on Tuesday.\n\nThe whole team is ready.\n\nAsk us anything.")
    page.click("button[value=save]")
    page.locator("h1", has_text="saved elsewhere while you were writing").wait_for()
    assert "Wednesday" in page.locator("textarea[readonly]").input_value()
    assert "Ask us anything." in page.locator("#body").input_value()
    screenshot(page, "studio-conflict")


def test_a_failed_autosave_says_so_and_keeps_the_text_in_the_browser(live_server, page):
    log_in(page, live_server, STAFF_EMAIL)
    page.goto(live_server + "/studio/posts/new")
    page.fill("#title", "Offline thoughts")
    page.click("button[value=save]")
    page.locator(".flash", has_text="Saved").wait_for()
    edit_url = page.url

    # The session ends behind the editor's back (logged out in another tab).
    home = page.request.get(live_server + "/").text()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', home).group(1)
    page.request.post(live_server + "/account/logout", form={"csrf_token": token})
    page.fill("#body", "Written after the session ended.")
    status = page.locator(".autosave-status.is-error")
    status.filter(has_text="Not saved").wait_for(timeout=15_000)
    assert "logged out" in status.inner_text()
    assert "kept here and in this browser" in status.inner_text()
    assert page.input_value("#body") == "Written after the session ended."
    screenshot(page, "studio-autosave-failed")

    # Leaving cannot save either; after logging in again the browser offers the text back.
    log_in(page, live_server, STAFF_EMAIL)
    page.goto(edit_url)
    assert page.input_value("#body") == ""
    restore = page.locator(".restore-local")
    assert "never saved" in restore.inner_text()
    restore.get_by_role("button", name="Put it back").click()
    assert page.input_value("#body") == "Written after the session ended."
    page.locator(".autosave-status", has_text="Saved").wait_for(timeout=15_000)


def test_leaving_the_page_saves_the_draft(live_server, page):
    log_in(page, live_server, STAFF_EMAIL)
    page.goto(live_server + "/studio/posts/new")
    page.fill("#title", "Quick note")
    page.click("button[value=save]")
    page.locator(".flash", has_text="Saved").wait_for()
    edit_url = page.url
    page.fill("#body", "Typed just before closing the tab.")
    page.goto(live_server + "/")  # well before the next timed autosave
    expect(page.locator("body")).to_be_visible()
    # The beacon sent on leaving may reach the server after the next page's request
    # (on a busy machine it does): come back until the draft is there, for ten seconds.
    for _ in range(20):
        page.goto(edit_url)
        if page.locator("#body").input_value() == "Typed just before closing the tab.":
            break
        page.wait_for_timeout(500)
    expect(page.locator("#body")).to_have_value("Typed just before closing the tab.")
