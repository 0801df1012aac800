"""Did this answer your question? in headless Chromium: a reader follows the mailed "No"
link, says what is missing and sends it (the comment is owed again); after a second
answer they say "Yes" with the button under it on the post page."""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import MailMessage, Post, User
from blogapp.responses import services
from tests.fixtures.browser import ARTIFACTS, log_in, pytestmark, screenshot  # noqa: F401

POST = "/posts/recurring-invoices-are-here"
SAM = "sam.wilder@wilderbakery.example"
PRIYA = "priya.raman@tallyworks.example"


def _answer(app, question_id: int, body: str) -> str:
    """Priya answers; the path of the No link in the mail Sam gets."""
    with app.test_request_context():
        post = db.session.scalar(sa.select(Post).where(Post.slug == POST.rsplit("/", 1)[1]))
        priya = db.session.scalar(sa.select(User).where(User.email == PRIYA))
        post_comment(post, body, author=priya, parent_id=question_id)
        mail = db.session.scalars(
            sa.select(MailMessage)
            .where(MailMessage.to_address == SAM)
            .order_by(MailMessage.id.desc())
        ).first()
        return re.search(r"No: +https?://[^/]+(/answers/helped/\S+)", mail.body_text).group(1)


def test_a_reader_says_no_from_the_mail_then_yes_on_the_page(demo_app, live_server, page):
    with demo_app.test_request_context():
        post = db.session.scalar(sa.select(Post).where(Post.slug == POST.rsplit("/", 1)[1]))
        sam = db.session.scalar(sa.select(User).where(User.email == SAM))
        question = post_comment(post, "Can a recurring invoice start mid-month?", author=sam)
        question_id = question.id
    no_link = _answer(demo_app, question_id, "Yes, pick any start date.")

    page.goto(live_server + no_link)  # not signed in: the mail's link is enough
    expect(page.locator("h1")).to_have_text("Did this answer your question?")
    expect(page.locator("input[value=no]")).to_be_checked()
    page.fill("textarea[name=note]", "And will the first one be prorated?")
    screenshot(page, "helped-confirm-no")
    with demo_app.app_context():
        assert question_id not in services.owed_ids()  # opening the link changed nothing
    page.click("button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("they will answer again")
    with demo_app.app_context():
        assert question_id in services.owed_ids()

    _answer(demo_app, question_id, "Yes: the first invoice covers the days left.")
    log_in(page, live_server, SAM)
    page.goto(live_server + POST)
    buttons = page.locator(f"#c{question_id} .helped-buttons").first
    expect(buttons).to_contain_text("Did this answer your question?")
    buttons.locator("summary").click()  # "No, and say what is missing" opens a note box
    expect(buttons.locator("textarea[name=note]")).to_be_visible()
    buttons.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(f"#c{question_id}").screenshot(path=str(ARTIFACTS / "helped-post-page.png"))
    buttons.locator("button[value=yes]").click()
    expect(page.locator(".flash")).to_contain_text("glad it helped")
    expect(page.locator(f"#c{question_id} .helped-buttons").first).to_contain_text(
        "You said this helped"
    )
    with demo_app.app_context():
        assert question_id not in services.owed_ids()
