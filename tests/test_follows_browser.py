"""Following a thread in headless Chromium: follow from the post page, hear of a new
comment by mail, find the thread on /account and unfollow it there."""

import sqlalchemy as sa
from playwright.sync_api import expect

from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import MailMessage, Post, User
from tests.fixtures.browser import log_in, pytestmark, screenshot  # noqa: F401

POST = "/posts/recurring-invoices-are-here"
SAM = "sam.wilder@wilderbakery.example"
MARCO = "marco.bianchi@bianchicycles.example"


def test_follow_a_thread_hear_of_a_comment_and_unfollow_from_the_account_page(
    demo_app, live_server, page
):
    log_in(page, live_server, SAM)
    page.goto(live_server + POST)
    form = page.locator(".follow-form")
    expect(form).to_contain_text("Follow this thread")
    form.scroll_into_view_if_needed()
    screenshot(page, "follows-post-not-following")
    form.locator("button").click()
    expect(page.locator(".flash")).to_contain_text("we'll mail you about new comments")
    expect(page.locator(".follow-form")).to_contain_text("You follow this thread")
    screenshot(page, "follows-post-following")

    with demo_app.test_request_context():  # the mail's links need a host (no SERVER_NAME here)
        post = db.session.scalar(sa.select(Post).where(Post.slug == POST.rsplit("/", 1)[1]))
        marco = db.session.scalar(sa.select(User).where(User.email == MARCO))
        post_comment(post, "Does this work with **quarterly** invoices too?", author=marco)
        mail = db.session.scalar(
            sa.select(MailMessage).where(
                MailMessage.to_address == SAM, MailMessage.kind == "thread_followed"
            )
        )
        assert mail is not None and "Does this work with quarterly invoices too?" in mail.body_text
        title = post.title

    page.goto(live_server + "/account")
    following = page.locator("section[aria-labelledby=following]")
    expect(following).to_contain_text(title)
    following.scroll_into_view_if_needed()
    screenshot(page, "follows-account")
    following.locator("button", has_text="Unfollow").click()
    expect(page.locator(".flash")).to_contain_text(f"You no longer follow “{title}”")
    expect(page.locator("section[aria-labelledby=following]")).to_contain_text(
        "You follow no thread yet"
    )
    page.goto(live_server + POST)
    expect(page.locator(".follow-form")).to_contain_text("Follow this thread")
