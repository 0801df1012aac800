"""Notification mail: written to the outbox in the comment's transaction, sent after commit
by SMTP (a real local server here) or as .eml files, retried by `flask mail send`."""

import email
import email.policy
import re

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import current_app, url_for

from blogapp.comments import services
from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.mail.tokens import unsubscribe_token
from blogapp.models import CommentStatus, MailMessage, MailOptOut, MailStatus, Role
from tests.comment_helpers import comments_of, submit
from tests.conftest import csrf_from
from tests.mail_helpers import Inbox, free_port


def outbox_rows() -> list[MailMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(MailMessage).order_by(MailMessage.id)))


def body_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_new_comment_mails_the_post_author_over_smtp(client, auth, smtp, make_user, make_post):
    author = make_user(Role.STAFF, name="Tom Becker", email="tom@tallyworks.example")
    post = make_post(author=author, title="Recurring invoices")
    make_user(Role.READER, name="Sam Wilder", email="sam@example.com")
    auth.login("sam@example.com")
    submit(client, post, "Can a recurring invoice **skip** a month?")
    (comment,) = comments_of(post)
    (message,) = smtp.messages
    assert message["To"] == "tom@tallyworks.example"
    assert message["Subject"] == "New comment from Sam Wilder on “Recurring invoices”"
    text = body_of(message)
    assert "Can a recurring invoice skip a month?" in text
    assert f"http://parley.test/c/{comment.id}" in text
    unsubscribe = re.search(r"http://parley.test/mail/unsubscribe/\S+", text).group(0)
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (row,) = outbox_rows()
    assert row.status == MailStatus.SENT and row.attempts == 1 and row.sent_at is not None


def test_reply_mails_the_person_replied_to_and_nobody_about_their_own_words(
    client, auth, smtp, make_user, make_post, make_comment
):
    author = make_user(Role.STAFF, email="tom@tallyworks.example")
    post = make_post(author=author)
    question = make_comment(post, body="A guest question", guest=("Lena", "lena@example.com"))
    make_user(Role.STAFF, name="Priya Raman", email="priya@tallyworks.example", job_title="Support")
    auth.login("priya@tallyworks.example")
    submit(client, post, "Here is the answer.", parent=question)
    (message,) = smtp.messages
    assert message["To"] == "lena@example.com"
    assert message["Subject"] == "Priya Raman replied to you on “" + post.title + "”"
    assert "Priya Raman (Support) replied to your comment" in body_of(message)
    answer = comments_of(post)[-1]
    submit(client, post, "And one more thing, to myself.", parent=answer)
    assert len(smtp.messages) == 1, "no mail for replying to oneself"


def test_held_comment_is_announced_only_once_approved(client, auth, smtp, make_user, make_post):
    author = make_user(Role.STAFF, email="tom@tallyworks.example")
    post = make_post(author=author)
    make_user(Role.MODERATOR, email="mod@tallyworks.example")
    submit(client, post, "First visit here", guest=("New Person", "new@example.com"))
    (held,) = comments_of(post)
    assert held.status == CommentStatus.HELD
    assert smtp.messages == [] and outbox_rows() == []
    auth.login("mod@tallyworks.example")
    token = csrf_from(client.get("/moderation").text)
    client.post(f"/moderation/comments/{held.id}/approve", data={"csrf_token": token})
    assert [m["To"] for m in smtp.messages] == ["tom@tallyworks.example"]
    assert "First visit here" in body_of(smtp.messages[0])


def test_without_smtp_messages_are_written_as_eml_files(client, app, auth, make_user, make_post):
    post = make_post(author=make_user(Role.STAFF, email="tom@tallyworks.example"))
    make_user(Role.READER, name="Sam Wilder", email="sam@example.com")
    auth.login("sam@example.com")
    submit(client, post, "Written to a file")
    folder = app.config["MAIL_OUTBOX_DIR"]
    import pathlib

    (path,) = pathlib.Path(folder).glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert (
        message["To"] == "tom@tallyworks.example"
        and message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    )
    assert "Written to a file" in body_of(message)
    assert outbox_rows()[0].status == MailStatus.SENT


def test_outbox_row_belongs_to_the_transaction(app, monkeypatch, make_user, make_post):
    import pathlib

    eml_files = pathlib.Path(app.config["MAIL_OUTBOX_DIR"]).glob
    post = make_post()
    reader = make_user(Role.READER)

    def commit_fails():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db.session, "commit", commit_fails)
    with app.test_request_context(), pytest.raises(RuntimeError):
        services.post_comment(post, "Never committed", author=reader)
    monkeypatch.undo()
    db.session.rollback()
    assert comments_of(post) == [] and outbox_rows() == [] and list(eml_files("*.eml")) == []

    with app.test_request_context():
        comment = services.post_comment(post, "Committed with its mail", author=reader)
    (row,) = outbox_rows()
    assert row.kind == "new_comment" and f"/c/{comment.id}" in row.body_text
    assert row.status == MailStatus.SENT and len(list(eml_files("*.eml"))) == 1


def test_failed_send_stays_in_the_outbox_and_flask_mail_send_retries_it(
    client, app, auth, runner, make_user, make_post
):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there
    post = make_post(author=make_user(Role.STAFF, email="tom@tallyworks.example"))
    make_user(Role.READER, email="sam@example.com")
    auth.login("sam@example.com")
    response = submit(client, post, "Mail server is down")
    assert response.status_code == 303, "a mail failure never fails the comment"
    (row,) = outbox_rows()
    assert row.status == MailStatus.PENDING and row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error and row.next_attempt_at > row.created_at

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config["MAIL_PORT"] = controller.port
        result = runner.invoke(args=["mail", "send"])
        assert result.exit_code == 0 and "Sent 1, failed 0." in result.output
    finally:
        controller.stop()
    assert [m["To"] for m in inbox.messages] == ["tom@tallyworks.example"]
    (row,) = outbox_rows()
    assert row.status == MailStatus.SENT and row.attempts == 2
    again = runner.invoke(args=["mail", "send"])
    assert "Sent 0, failed 0." in again.output and len(inbox.messages) == 1


def test_a_message_gives_up_after_max_attempts_and_can_be_retried(app, runner):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=2)
    app.config["MAIL_SEND_AFTER_COMMIT"] = False
    queue_mail("test", "someone@example.com", "Hello", "Body")
    db.session.commit()
    assert outbox_rows()[0].attempts == 0, "no delivery when a worker drains instead"
    assert "Sent 0, failed 1." in runner.invoke(args=["mail", "send"]).output
    assert "Sent 0, failed 1." in runner.invoke(args=["mail", "send"]).output
    (row,) = outbox_rows()
    assert row.status == MailStatus.FAILED and row.attempts == 2
    assert "Sent 0, failed 0." in runner.invoke(args=["mail", "send"]).output
    retry = runner.invoke(args=["mail", "send", "--retry-failed"])
    assert "1 failed message(s) queued again." in retry.output and "failed 1." in retry.output


def test_unsubscribe_link_asks_first_and_a_post_stops_further_mail(
    client, app, auth, smtp, make_user, make_post
):
    post = make_post(author=make_user(Role.STAFF, email="tom@tallyworks.example"))
    make_user(Role.READER, email="sam@example.com")
    auth.login("sam@example.com")
    submit(client, post, "First comment")
    link = re.search(r"http://parley.test(/mail/unsubscribe/\S+)", body_of(smtp.messages[0])).group(
        1
    )
    auth.logout()
    page = client.get(link)
    assert page.status_code == 200 and "Stop notification emails?" in page.text
    assert "tom@tallyworks.example" in page.text
    assert opted_out() == [], "following the link (a scanner, a preview) changes nothing"
    assert client.get(link[:-4] + "xxxx").status_code == 404
    assert client.post(link[:-4] + "xxxx").status_code == 404

    # The page's button: the same POST a mail client makes.
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page.text, re.S)
    assert form.group(1) == link
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
    done = client.post(form.group(1), data=fields)
    assert done.status_code == 200 and "You're unsubscribed" in done.text
    assert opted_out() == ["tom@tallyworks.example"]
    assert client.post(link).status_code == 200, "a second click is harmless"
    auth.login("sam@example.com")
    submit(client, post, "Second comment")
    assert len(smtp.messages) == 1 and len(outbox_rows()) == 1
    auth.logout()
    page = client.post(link)
    resubscribe = link.replace("/unsubscribe/", "/resubscribe/")
    response = client.post(resubscribe, data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 302 and opted_out() == []
    auth.login("sam@example.com")
    submit(client, post, "Third comment")
    assert len(smtp.messages) == 2


def test_one_click_unsubscribe_by_rfc_8058_post(client, app, smtp):
    """A mail client POSTs ``List-Unsubscribe=One-Click`` to the header's URL, no form token."""
    queue_mail(
        "test",
        "ann@example.com",
        "Hello",
        "Body",
        unsubscribe_url=unsubscribe_link("ann@example.com"),
    )
    db.session.commit()
    header = smtp.messages[0]["List-Unsubscribe"]
    url = header.strip("<>")
    client.get(url)
    assert opted_out() == []
    response = client.post(
        url,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and opted_out() == ["ann@example.com"]


def test_list_unsubscribe_is_on_the_wire_unencoded(app, smtp):
    url = unsubscribe_link("someone.with.a.rather.long.address@subdomain.example.com")
    assert len(url) > 100, "long enough that the email package would fold and encode it"
    queue_mail(
        "test", "someone.with.a.rather.long.address@subdomain.example.com", "Hi", "Body", url
    )
    db.session.commit()
    (received,) = smtp.received
    lines = received.header_lines
    assert f"List-Unsubscribe: <{url}>".encode() in lines
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
    assert b"=?" not in received.raw


def unsubscribe_link(address: str) -> str:
    with current_app.test_request_context():
        return url_for("mail.unsubscribe", token=unsubscribe_token(address), _external=True)


def opted_out() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(MailOptOut.email).order_by(MailOptOut.email)))
