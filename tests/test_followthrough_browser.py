"""Issue 17's walk in headless Chromium: Priya answers an assigned comment by replying to
the mail she got about it (the message goes through `flask mail inbound`, as Postfix's
pipe would hand it over); the answer is on the post page under her name and title; Sam,
who asked, clicks "No" on the post page; the comment is owed again and Jane sees it in
the queue."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import Comment, MailMessage, Post, User
from blogapp.responses import assigning, services
from tests.fixtures.browser import log_in, pytestmark, screenshot  # noqa: F401

pytestmark = [*pytestmark, pytest.mark.slow]

SLUG = "recurring-invoices-are-here"
SAM = "sam.wilder@wilderbakery.example"
PRIYA = "priya.raman@tallyworks.example"
JANE = "jane.doe@tallyworks.example"
DOMAIN = "inbound.tallyworks.example"
QUESTION = "Can one client get two invoices a month, on the 1st and the 15th?"
ANSWER = "Yes: make two recurring invoices for that client, one starting on each date."


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _assigned_mail(app) -> tuple[int, MailMessage]:
    """Sam asks; Jane gives it to Priya; the mail Priya gets about it."""
    with app.test_request_context():
        post = db.session.scalar(sa.select(Post).where(Post.slug == SLUG))
        question = post_comment(post, QUESTION, author=_user(SAM))
        assigning.assign(question, _user(PRIYA), _user(JANE))
        mail = db.session.scalars(
            sa.select(MailMessage)
            .where(MailMessage.to_address == PRIYA)
            .order_by(MailMessage.id.desc())
        ).first()
        db.session.expunge(mail)
        return question.id, mail


def _reply_to(mail: MailMessage) -> bytes:
    """Priya's mail client answering ``mail``: her text above the quoted original."""
    reply = EmailMessage()
    reply["From"] = f"Priya Raman <{PRIYA}>"
    reply["To"] = mail.reply_to
    reply["Subject"] = f"Re: {mail.subject}"
    reply["Message-ID"] = make_msgid(domain="tallyworks.example")
    reply["Date"] = "Mon, 30 Nov 2026 05:40:00 +0000"
    quoted = "\n".join(f"> {line}" for line in mail.body_text.splitlines())
    reply.set_content(
        f"{ANSWER}\n\nOn Mon, 30 Nov 2026 at 05:30, Tallyworks Blog wrote:\n{quoted}\n"
    )
    return reply.as_bytes()


def test_answered_by_mail_shown_under_her_name_then_no_makes_it_owed(
    demo_app, live_server, page
):
    demo_app.config["INBOUND_MAIL_DOMAIN"] = DOMAIN
    question_id, mail = _assigned_mail(demo_app)
    assert mail.reply_to and mail.reply_to.endswith("@" + DOMAIN)

    # `flask` pushes an app context and the site's SITE_URL builds links; the demo has none.
    with demo_app.test_request_context(base_url=live_server):
        result = demo_app.test_cli_runner().invoke(
            args=["mail", "inbound", "--recipient", mail.reply_to], input=_reply_to(mail)
        )
    assert result.exit_code == 0, result.output
    with demo_app.app_context():
        (reply,) = db.session.scalars(sa.select(Comment).where(Comment.parent_id == question_id))
        assert reply.body_source == ANSWER and reply.author.email == PRIYA
        reply_id = reply.id
        assert question_id not in services.owed_ids()

    # Anyone reading the post sees the answer under Priya's name and title.
    page.goto(f"{live_server}/posts/{SLUG}#c{question_id}")
    expect(page.locator(f"#c{question_id} > .answered-by")).to_contain_text(
        "Answered by Priya Raman, Staff Engineer"
    )
    answer = page.locator(f"#c{reply_id}")
    expect(answer).to_contain_text(ANSWER)
    expect(answer).to_contain_text("Priya Raman")
    expect(answer).to_contain_text("Staff Engineer")
    screenshot(page, "followthrough-answered-by-mail")

    # Sam, who asked, says it did not help, on the post page.
    log_in(page, live_server, SAM)
    page.goto(f"{live_server}/posts/{SLUG}#c{question_id}")
    buttons = page.locator(f"#c{question_id} .helped-buttons").first
    expect(buttons).to_contain_text("Did this answer your question?")
    buttons.get_by_role("button", name="No", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("they will answer again")
    screenshot(page, "followthrough-said-no")
    with demo_app.app_context():
        assert question_id in services.owed_ids()

    # Owed again: the queue shows it to an employee.
    page.context.clear_cookies()
    log_in(page, live_server, JANE)
    page.goto(f"{live_server}/responses")
    item = page.locator(f"#owed-{question_id}")
    expect(item).to_contain_text(QUESTION)
    expect(item.locator(".rq-reopened")).to_contain_text("Didn't help: reopened")
    expect(item.locator(".rq-assignee")).to_have_text("Priya Raman")  # still hers
    screenshot(page, "followthrough-owed-again")
