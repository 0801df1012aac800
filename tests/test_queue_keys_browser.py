"""In headless Chromium: a moderator clears the queue from the keyboard — j/k to move,
r to reply, x to select, "Select all on this page" — and the shortcut list opens with ?."""

from tests.fixtures.browser import log_in, pytestmark, screenshot  # noqa: F401 - pytestmark: browser


def test_keyboard_shortcuts_and_select_all(live_server, page):
    base = live_server
    log_in(page, base, "jane.doe@tallyworks.example")
    page.goto(base + "/responses")
    items = page.locator(".rq-list .rq-item[data-comment-id]")
    assert items.count() >= 2
    first_id = items.nth(0).get_attribute("data-comment-id")
    second_id = items.nth(1).get_attribute("data-comment-id")

    page.keyboard.press("j")
    assert page.locator(".rq-item.is-current").get_attribute("data-comment-id") == first_id
    page.keyboard.press("j")
    assert page.locator(".rq-item.is-current").get_attribute("data-comment-id") == second_id
    page.keyboard.press("k")
    assert page.locator(".rq-item.is-current").get_attribute("data-comment-id") == first_id

    page.keyboard.press("x")  # select for a bulk action
    assert page.locator(f"#owed-{first_id} .rq-check").is_checked()

    page.keyboard.press("r")  # the reply box opens with the cursor in it
    box = page.locator(f"#reply-{first_id}")
    assert box.is_visible()
    page.keyboard.type("jjj")  # typing in the box is typing, not moving
    assert box.input_value() == "jjj"
    assert page.locator(".rq-item.is-current").get_attribute("data-comment-id") == first_id

    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("?")
    assert page.locator(".rq-keys").get_attribute("open") is not None

    page.locator("[data-select-all]").check()
    checks = page.locator(".rq-check")
    assert all(checks.nth(n).is_checked() for n in range(checks.count()))
    screenshot(page, "responses-queue-keyboard")
