"""People journeys in headless Chromium: invite a writer who sets a password and publishes,
change a role, disable an employee whose owed comments move to someone else."""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from blogapp.admin import handover
from blogapp.contentio.demo import DEMO_PASSWORD
from blogapp.extensions import db
from blogapp.models import Comment, MailMessage, User
from blogapp.responses import services as responses
from tests.fixtures.browser import log_in, pytestmark, screenshot  # noqa: F401 - pytestmark: browser
from tests.load_harness import check_queue_invariant

ADMIN = "maya.okafor@tallyworks.example"
LEAVER = "priya.raman@tallyworks.example"
TAKER = "Tom Becker"
NEW_PASSWORD = "welcome aboard 2026"


def invitation_link(app, address: str) -> str:
    """The link in the invitation the outbox holds for ``address``."""
    with app.app_context():
        body = db.session.scalars(
            sa.select(MailMessage.body_text)
            .where(MailMessage.to_address == address, MailMessage.kind == "account_invitation")
            .order_by(MailMessage.id.desc())
        ).first()
    assert body is not None, f"no invitation mailed to {address}"
    assert re.search(r"https?://\S+/welcome/\S+", body), body
    return re.search(r"/welcome/\S+", body).group(0)


def test_invite_a_writer_who_sets_a_password_and_publishes(demo_app, live_server, page):  # noqa: F811
    log_in(page, live_server, ADMIN)
    page.click("nav >> text=Admin")
    expect(page.locator("h1")).to_have_text("People")
    screenshot(page, "people-list")
    page.click("text=Invite an employee")
    page.fill("#display_name", "Nia Reed")
    page.fill("#email", "not an address")
    page.fill("#job_title", "Product writer")
    page.click("main button[type=submit]")
    expect(page.locator(".field-error .error")).to_contain_text("Invalid email")
    assert page.input_value("#display_name") == "Nia Reed"
    assert page.input_value("#job_title") == "Product writer"
    screenshot(page, "people-invite-error")
    page.fill("#email", "nia.reed@tallyworks.example")
    page.select_option("#role", "staff")
    page.click("main button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("Invitation sent to Nia Reed")
    expect(page.locator(".status-invited")).to_have_text("invited")
    screenshot(page, "people-person-invited")

    # The newcomer, in a browser of their own, follows the mailed link.
    link = invitation_link(demo_app, "nia.reed@tallyworks.example")
    page.context.clear_cookies()
    page.goto(live_server + link)
    expect(page.locator("h1")).to_have_text("Welcome, Nia Reed")
    screenshot(page, "people-welcome")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("Welcome, Nia Reed. Your password is set.")
    assert page.url.endswith("/studio/")
    page.click("text=New post")
    page.fill("#title", "Hello from the new writer")
    page.fill("#body", "I joined this week and **I answer** your questions about invoices.")
    page.click("button[value=publish]")
    page.locator(".flash", has_text="Published").wait_for()
    page.goto(live_server + "/")
    page.click("text=Hello from the new writer")
    expect(page.locator(".byline .author-link")).to_have_text("Nia Reed")
    # The link was spent.
    page.goto(live_server + link)
    expect(page.locator("h1")).to_have_text("This link no longer works")


def test_change_a_role(demo_app, live_server, page):  # noqa: F811
    log_in(page, live_server, ADMIN)
    page.goto(live_server + "/admin/people")
    page.fill("#q", "becker")
    page.select_option("#role", "staff")
    page.click("main button:has-text('Search')")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    screenshot(page, "people-search")
    rows.locator("a", has_text="Tom Becker").click()
    page.select_option("#role", "moderator")
    page.click("text=Change role")
    expect(page.locator(".flash")).to_contain_text("Tom Becker is now moderator")
    expect(page.locator(".person-history")).to_contain_text("role changed (staff → moderator)")
    screenshot(page, "people-role-changed")
    with demo_app.app_context():
        tom = db.session.scalar(sa.select(User).where(User.display_name == "Tom Becker"))
        assert tom.role == "moderator"
    # The last admin cannot step down: the page says why and nothing changes.
    page.goto(live_server + "/admin/people?role=admin")
    page.locator("tbody a", has_text="Maya Okafor").click()
    page.select_option("#role", "staff")
    page.click("text=Change role")
    expect(page.locator("#role-error")).to_contain_text("only active admin")
    screenshot(page, "people-last-admin")


def test_disable_an_employee_whose_owed_comments_move(demo_app, live_server, page):  # noqa: F811
    with demo_app.app_context():
        leaver = db.session.scalar(sa.select(User).where(User.email == LEAVER))
        owed = [c.id for c in handover.owed_items_of(leaver)]
        leaver_id, name = leaver.id, leaver.display_name
    assert owed, "the demo gives the leaver owed comments"

    log_in(page, live_server, ADMIN)
    page.goto(live_server + f"/admin/people/{leaver_id}")
    page.click("text=Disable…")
    expect(page.locator("legend")).to_contain_text(f"{len(owed)} owed comments wait for {name}")
    screenshot(page, "people-disable")
    # Nobody picked: the comments on her own posts have nowhere to go.
    page.click("main button[type=submit]")
    expect(page.locator("#reassign_to-error")).to_contain_text(
        f"Choose who takes them: {len(owed)} owed comments on {name}'s own posts"
    )
    screenshot(page, "people-disable-error")
    page.check("input[name=send_to][value=person]")
    page.select_option("#reassign_to", label=f"{TAKER} (staff)")
    page.click("main button[type=submit]")
    expect(page.locator(".flash")).to_contain_text(f"{len(owed)} owed comments handed over")
    expect(page.locator(".status-disabled")).to_have_text("disabled")
    screenshot(page, "people-disabled")

    with demo_app.app_context():
        check_queue_invariant()
        for comment_id in owed:
            assert responses.current_assignee(db.session.get(Comment, comment_id)).display_name == (
                TAKER
            )
        for comment_id in responses.owed_ids():
            assignee = responses.current_assignee(db.session.get(Comment, comment_id))
            assert assignee.is_employee and assignee.is_active, comment_id
        assert handover.owed_items_of(db.session.get(User, leaver_id)) == []
        # The taker hears of them as of any assignment: one mail listing them all.
        taker = db.session.scalar(sa.select(User).where(User.display_name == TAKER))
        [mail] = db.session.scalars(
            sa.select(MailMessage).where(
                MailMessage.to_address == taker.email, MailMessage.kind == "response_assigned"
            )
        ).all()
        assert f"answer {len(owed)} comments" in mail.subject
        assert all(f"/c/{comment_id}" in mail.body_text for comment_id in owed)

    # She cannot log in any more, and is told why.
    page.context.clear_cookies()
    page.goto(live_server + "/account/login")
    page.fill("#email", LEAVER)
    page.fill("#password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("disabled")
    assert "/account/login" in page.url
