"""Account journeys in headless Chromium: forgot password, verify an address, change it,
download one's data, delete an account both ways, and a guest removing their comments."""

import json
import re
import zipfile

import sqlalchemy as sa

from blogapp.contentio.demo import DEMO_PASSWORD
from blogapp.extensions import db
from blogapp.models import MailMessage
from tests.fixtures.browser import log_in, pytestmark, screenshot  # noqa: F401

POST = "/posts/recurring-invoices-are-here"
SAM = "sam.wilder@wilderbakery.example"
MARCO = "marco.bianchi@bianchicycles.example"


def mailed_link(app, address: str, path: str) -> str:
    """The path of the newest link to ``path`` mailed to ``address``."""
    with app.app_context():
        bodies = db.session.scalars(
            sa.select(MailMessage.body_text)
            .where(MailMessage.to_address == address)
            .order_by(MailMessage.id.desc())
        ).all()
    for body in bodies:
        match = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", body)
        if match:
            return match.group(1)
    raise AssertionError(f"no {path} link mailed to {address}")


def test_forgot_password_mail_new_password_and_in(demo_app, live_server, page):
    page.goto(live_server + "/account/login")
    assert "up to a year" in page.inner_text("main")
    screenshot(page, "accounts-login")
    page.click("text=Forgot your password?")
    page.fill("#email", SAM)
    screenshot(page, "accounts-forgot")
    page.click("main button[type=submit]")
    page.wait_for_url(live_server + "/account/password/forgot/sent")
    assert "Check your inbox" in page.inner_text("h1")
    screenshot(page, "accounts-forgot-sent")

    page.goto(live_server + mailed_link(demo_app, SAM, "/account/password/reset/"))
    assert SAM in page.inner_text("main")
    page.fill("#new_password", "a fresh passphrase")
    page.fill("#confirm", "a fresh passphrase")
    screenshot(page, "accounts-reset")
    page.click("main button[type=submit]")
    page.wait_for_url(live_server + "/")
    assert "Your password is changed, and you are logged in." in page.inner_text(".flashes")
    assert page.inner_text(".nav-user") == "Sam Wilder"
    screenshot(page, "accounts-reset-done")
    # The old password no longer works; the new one does.
    page.click("text=Log out")
    page.goto(live_server + "/account/login")
    page.fill("#email", SAM)
    page.fill("#password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    assert "Email or password is incorrect." in page.inner_text("main")
    log_in(page, live_server, SAM, "a fresh passphrase")


def test_register_and_verify_the_address(demo_app, live_server, page):
    page.goto(live_server + "/account/register")
    page.fill("#display_name", "Nora New")
    page.fill("#email", "nora@example.com")
    page.fill("#password", "nora's long password")
    page.fill("#confirm", "nora's long password")
    page.click("main button[type=submit]")
    page.wait_for_url(live_server + "/account/register/sent")
    log_in(page, live_server, "nora@example.com", "nora's long password")
    assert "is not verified yet" in page.inner_text(".flashes")
    screenshot(page, "accounts-unverified-login")
    page.goto(live_server + "/account")
    assert "Not verified yet" in page.inner_text("main")
    screenshot(page, "accounts-page-unverified")
    page.goto(live_server + mailed_link(demo_app, "nora@example.com", "/account/verify/"))
    page.wait_for_url(live_server + "/account")
    assert "nora@example.com is verified" in page.inner_text(".flashes")
    assert "Verified" in page.inner_text("#address + p, main")
    assert page.locator("text=Mail me a new link").count() == 0


def test_change_email_from_the_account_page(demo_app, live_server, page):
    log_in(page, live_server, SAM)
    page.click(".nav-user")
    page.wait_for_url(live_server + "/account")
    page.fill("#new_email", "sam@wilder.example")
    page.fill("#password", DEMO_PASSWORD)
    page.click("text=Change address")
    page.wait_for_url(live_server + "/account")
    assert "We've sent a link to sam@wilder.example" in page.inner_text(".flashes")
    screenshot(page, "accounts-page")
    page.goto(live_server + mailed_link(demo_app, "sam@wilder.example", "/account/email/confirm/"))
    assert "Confirm your new address" in page.inner_text("h1")
    screenshot(page, "accounts-confirm-email")
    page.click("main button[type=submit]")
    page.wait_for_url(live_server + "/account")
    assert "Your address is now sam@wilder.example" in page.inner_text(".flashes")
    assert "sam@wilder.example" in page.inner_text("#address ~ p")
    with demo_app.app_context():
        notice = db.session.scalar(
            sa.select(MailMessage).where(
                MailMessage.to_address == SAM, MailMessage.kind == "account_email_changed"
            )
        )
    assert notice is not None


def test_download_my_data(live_server, page):
    log_in(page, live_server, SAM)
    page.goto(live_server + "/account")
    with page.expect_download() as download_info:
        page.click("text=Download your data")
    path = download_info.value.path()
    with zipfile.ZipFile(path) as archive:
        comments = json.loads(archive.read("comments.json"))
        markdown = archive.read("comments.md").decode()
        profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == SAM and profile["display_name"] == "Sam Wilder"
    assert any("skip a month" in c["markdown"] for c in comments)
    assert "*Skip next* is exactly what I needed" in markdown
    page.goto(live_server + "/account/comments")
    assert page.locator(".my-comments li").count() == len(comments)
    screenshot(page, "accounts-my-comments")


def _delete_my_account(page, live_server, choice: str) -> None:
    page.goto(live_server + "/account")
    page.click("text=Delete my account…")
    page.check(f"input[value={choice}]")
    page.fill("#password", DEMO_PASSWORD)
    screenshot(page, f"accounts-delete-{choice}-form")
    page.click("text=Delete my account")
    page.wait_for_url(live_server + "/")
    assert "Your account is deleted." in page.inner_text(".flashes")


def test_delete_account_keeping_comments(live_server, page):
    log_in(page, live_server, MARCO)
    _delete_my_account(page, live_server, "keep")
    assert page.locator(".nav-user").count() == 0
    page.goto(live_server + POST)
    thread = page.inner_text("#comments")
    assert "Marco Bianchi" not in thread
    assert "charge the customer's saved card" in thread and "A deleted reader" in thread
    page.locator("li.comment", has_text="saved card").first.scroll_into_view_if_needed()
    screenshot(page, "accounts-deleted-kept-thread")


def test_delete_account_removing_comments(live_server, page):
    log_in(page, live_server, SAM)
    _delete_my_account(page, live_server, "remove")
    page.goto(live_server + POST)
    thread = page.inner_text("#comments")
    assert "Sam Wilder" not in thread and "skip a month" not in thread
    assert "Comment removed." in thread
    # Tom's answer to the removed question still reads, in its place.
    assert "open the schedule and choose" in thread
    screenshot(page, "accounts-deleted-removed-thread")


def test_guest_removes_their_comments(demo_app, live_server, page):
    page.goto(live_server + "/")
    page.click("text=Remove my guest comments")
    page.fill("#email", "lena@fischer-design.example")
    screenshot(page, "accounts-guest-removal")
    page.click("main button[type=submit]")
    page.wait_for_url(live_server + "/account/guest-comments/sent")
    page.goto(
        live_server
        + mailed_link(demo_app, "lena@fischer-design.example", "/account/guest-comments/remove/")
    )
    assert "quarterly retainers" in page.inner_text("main")
    screenshot(page, "accounts-guest-removal-confirm")
    page.click("main button[type=submit]")
    page.wait_for_url(live_server + "/")
    assert "were removed." in page.inner_text(".flashes")
    page.goto(live_server + POST)
    assert "quarterly retainers" not in page.inner_text("#comments")


def test_login_says_why_it_refuses(demo_app, live_server, page):
    from blogapp.accounts.services import user_by_email
    from blogapp.models.base import utcnow

    with demo_app.app_context():
        user_by_email("ruth.adeyemi@brightlineagency.example").disabled_at = utcnow()
        db.session.commit()
    page.goto(live_server + "/account/login")
    page.fill("#email", "ruth.adeyemi@brightlineagency.example")
    page.fill("#password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    assert "This account is disabled." in page.inner_text(".form-alert")
    screenshot(page, "accounts-login-disabled")

    demo_app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "2 per 15 minutes"
    for _ in range(3):
        page.fill("#email", SAM)
        page.fill("#password", "not the password")
        page.click("main button[type=submit]")
    alert = page.inner_text(".form-alert")
    assert "Too many attempts to log in. Try again in 15 minutes." in alert
    assert "Forgot your password?" in alert
    assert page.input_value("#email") == SAM
    screenshot(page, "accounts-login-too-many")
