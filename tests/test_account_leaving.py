"""Leaving: the export zip, deleting an account (comments kept or removed), and a
guest's mailed request to remove their comments."""

import io
import json
import re
import time
import zipfile

import pytest
import sqlalchemy as sa
from itsdangerous import timed

from blogapp.accounts import tokens
from blogapp.accounts.leaving import AUTHOR_DELETED, DELETED_NAME
from blogapp.extensions import db
from blogapp.models import (
    Acknowledgement,
    AuditEvent,
    Comment,
    CommentStatus,
    LoginSession,
    Role,
)
from blogapp.responses.audit import Action
from blogapp.responses.services import owed_ids, record_reply
from tests.account_helpers import mails_to
from tests.conftest import PASSWORD, Auth, csrf_from

pytestmark = pytest.mark.usefixtures("separate_browsers")
REMOVAL_RE = re.compile(r"https?://\S+(/account/guest-comments/remove/\S+)")



@pytest.fixture
def thread(app, make_user, make_post, make_comment):
    """A reader with an answered comment, an owed one with a reply from another reader,
    and an owed follow-up conversation; logged in in ``browser``."""
    staff = make_user(Role.STAFF, name="Sam Staff")
    leaver = make_user(Role.READER, name="Lee Leaver", email="lee@example.com")
    other = make_user(Role.READER, name="Olga Other", email="olga@example.com")
    post = make_post(author=staff, title="Faster exports")
    answered = make_comment(post, author=leaver, body="Will **exports** be faster?")
    answer = make_comment(post, author=staff, parent=answered, body="Yes, next week.")
    record_reply(answered, answer)
    owed = make_comment(post, author=leaver, body="And the CSV format?")
    reply = make_comment(post, author=other, parent=owed, body="I'd like that too.")
    db.session.commit()
    browser = app.test_client()
    assert Auth(browser).login("lee@example.com").status_code == 302
    return {
        "browser": browser,
        "leaver": leaver,
        "post": post,
        "answered": answered,
        "answer": answer,
        "owed": owed,
        "reply": reply,
        "staff": staff,
    }


def delete(browser, choice: str | None, password: str = PASSWORD):
    page = browser.get("/account/delete")
    data = {"password": password, "csrf_token": csrf_from(page.text)}
    if choice:
        data["comments"] = choice
    return browser.post("/account/delete", data=data)


def test_export_zip_holds_profile_and_comments_as_json_and_markdown(thread):
    browser = thread["browser"]
    answer = browser.get("/account/export.zip")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert "attachment" in answer.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        assert sorted(archive.namelist()) == ["comments.json", "comments.md", "profile.json"]
        profile = json.loads(archive.read("profile.json"))
        comments = json.loads(archive.read("comments.json"))
        markdown = archive.read("comments.md").decode()
    assert profile["email"] == "lee@example.com" and profile["display_name"] == "Lee Leaver"
    assert profile["notifications"] == {"replies": True, "acknowledged": True, "follows": True}
    assert [c["markdown"] for c in comments] == [
        "Will **exports** be faster?",
        "And the CSV format?",
    ]
    assert comments[0]["url"].endswith(f"/c/{thread['answered'].id}")
    assert comments[0]["post"] == "Faster exports" and comments[0]["status"] == "published"
    assert "I'd like that too." not in json.dumps(comments)  # only my own words
    assert markdown.startswith("# Lee Leaver on ")
    assert "Will **exports** be faster?" in markdown and "And the CSV format?" in markdown
    assert "## Comments (2)" in markdown


def test_delete_keeping_comments_signs_them_a_deleted_reader(app, thread):
    browser, leaver, owed = thread["browser"], thread["leaver"], thread["owed"]
    other_browser = app.test_client()
    Auth(other_browser).login("lee@example.com")
    assert owed.id in owed_ids()
    done = delete(browser, "keep")
    assert done.status_code == 303 and done.headers["Location"] == "/"
    assert "Your account is deleted." in browser.get("/").text
    db.session.expire_all()
    # Nothing personal is left, and nobody is signed in.
    assert leaver.display_name == DELETED_NAME and leaver.deleted_at is not None
    assert "lee" not in leaver.email and "lee" not in leaver.slug
    assert not leaver.check_password(PASSWORD)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(LoginSession.id)).where(LoginSession.user_id == leaver.id)
        )
        == 0
    )
    assert other_browser.get("/account").status_code == 302
    assert Auth(app.test_client()).login("lee@example.com").status_code == 400
    # The thread reads as before, signed "A deleted reader".
    page = browser.get(f"/posts/{thread['post'].slug}").text
    assert "Lee Leaver" not in page
    assert page.count(DELETED_NAME) >= 2
    assert "And the CSV format?" in page and "like that too." in page
    assert "Yes, next week." in page
    # The owed item left the queue, closed with the reason; the answered one kept its answer.
    assert owed.id not in owed_ids()
    ack = db.session.scalar(
        sa.select(Acknowledgement).where(Acknowledgement.standing_comment_id == owed.id)
    )
    assert ack.kind == "no_response_needed" and ack.reason == AUTHOR_DELETED
    assert ack.employee_id == thread["staff"].id  # the item's assignee (the post's author)
    closed = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == Action.CLOSED, AuditEvent.comment_id == owed.id
        )
    )
    assert closed.reason == AUTHOR_DELETED and closed.detail == "author deleted their account"
    deleted = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == Action.ACCOUNT_DELETED)
    )
    assert deleted.subject_id == leaver.id and "comments kept" in deleted.detail
    # A reply to the deleted reader mails nobody.
    assert mails_to(leaver.email) == []


def test_delete_removing_comments_keeps_replies_under_a_placeholder(thread):
    browser, leaver, owed = thread["browser"], thread["leaver"], thread["owed"]
    assert delete(browser, "remove").status_code == 303
    db.session.expire_all()
    statuses = {c.id: c.status for c in db.session.scalars(sa.select(Comment))}
    assert statuses[owed.id] == statuses[thread["answered"].id] == CommentStatus.REMOVED
    assert statuses[thread["reply"].id] == statuses[thread["answer"].id] == "published"
    page = browser.get(f"/posts/{thread['post'].slug}").text
    assert "And the CSV format?" not in page and "Will <strong>exports</strong>" not in page
    assert page.count("Comment removed.") == 2
    assert "like that too." in page and "Yes, next week." in page
    assert "Lee Leaver" not in page
    ack = db.session.scalar(
        sa.select(Acknowledgement).where(Acknowledgement.standing_comment_id == owed.id)
    )
    assert ack.reason == AUTHOR_DELETED
    assert owed.id not in owed_ids()
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == Action.ACCOUNT_DELETED)
    )
    assert "comments removed: 2 removed, 1 owed closed" == event.detail
    assert leaver.deleted_at is not None


def test_delete_asks_for_a_choice_and_the_password_and_keeps_the_form(thread):
    browser, leaver = thread["browser"], thread["leaver"]
    no_choice = delete(browser, None)
    assert no_choice.status_code == 400 and "Choose what happens to your comments." in (
        no_choice.text
    )
    wrong = delete(browser, "remove", "not my password")
    assert wrong.status_code == 400 and "That is not your password." in wrong.text
    assert re.search(r'checked[^>]*value="remove"|value="remove"[^>]*checked', wrong.text)
    bogus = delete(browser, "shred")
    assert bogus.status_code == 400
    db.session.expire_all()
    assert leaver.deleted_at is None and leaver.display_name == "Lee Leaver"


def test_employees_cannot_delete_their_own_account(app, make_user):
    make_user(Role.STAFF, email="staff@example.com")
    browser = app.test_client()
    Auth(browser).login("staff@example.com")
    assert browser.get("/account/delete").status_code == 403
    assert "Delete your account" not in browser.get("/account").text


def test_guest_removal_mails_a_link_that_removes_that_addresses_comments(
    app, make_post, make_comment, make_user
):
    post = make_post(title="Roadmap")
    mine = make_comment(post, guest=("Gus", "gus@example.com"), body="Guest words here")
    reply = make_comment(post, author=make_user(), parent=mine, body="A reader's reply")
    theirs = make_comment(post, guest=("Gia", "gia@example.com"), body="Another guest")
    client = app.test_client()
    page = client.get("/account/guest-comments")
    asked = client.post(
        "/account/guest-comments",
        data={"email": "GUS@example.com", "csrf_token": csrf_from(page.text)},
    )
    assert asked.status_code == 303 and asked.headers["Location"] == "/account/guest-comments/sent"
    (mail,) = mails_to("gus@example.com")
    link = REMOVAL_RE.search(mail.body_text).group(1)
    stranger = app.test_client()
    confirm = stranger.get(link)
    assert confirm.status_code == 200 and "Guest words here" in confirm.text
    assert "Another guest" not in confirm.text
    done = stranger.post(link, data={"csrf_token": csrf_from(confirm.text)})
    assert done.status_code == 303
    assert "1 comment written with gus@example.com was removed." in stranger.get("/").text
    db.session.expire_all()
    assert mine.status == "removed" and reply.status == theirs.status == "published"
    page = stranger.get(f"/posts/{post.slug}").text
    assert "Guest words here" not in page and "Comment removed." in page
    assert "s reply</p>" in page
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.comment_id == mine.id))
    assert event.action == Action.REMOVED and event.reason == "guest-request"


def test_guest_removal_answers_the_same_for_any_address(app, make_post, make_comment):
    make_comment(make_post(), guest=("Gus", "gus@example.com"))
    answers = []
    for email in ("gus@example.com", "nob@example.com"):
        client = app.test_client()
        page = client.get("/account/guest-comments")
        answers.append(
            client.post(
                "/account/guest-comments", data={"email": email, "csrf_token": csrf_from(page.text)}
            )
        )
    assert answers[0].status_code == answers[1].status_code == 303
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert answers[0].text == answers[1].text
    (none,) = mails_to("nob@example.com")
    assert "nothing to remove" in none.body_text and "/remove/" not in none.body_text


def test_guest_removal_link_expires_after_a_day(app, make_post, make_comment, monkeypatch):
    mine = make_comment(make_post(), guest=("Gus", "gus@example.com"))
    sent = time.time()
    monkeypatch.setattr(timed.time, "time", lambda: sent)
    token = tokens.guest_removal_token("gus@example.com")
    monkeypatch.setattr(timed.time, "time", lambda: sent + 25 * 3600)
    late = app.test_client().get(f"/account/guest-comments/remove/{token}")
    assert late.status_code == 404 and "This link no longer works" in late.text
    db.session.refresh(mine)
    assert mine.status == "published"


def test_guest_removal_is_rate_limited_and_bounded(app, client):
    app.config["GUEST_REMOVAL_RATE_LIMIT_IP"] = "2 per hour"
    page = client.get("/account/guest-comments")
    token = csrf_from(page.text)
    bad = client.post("/account/guest-comments", data={"email": "x" * 300, "csrf_token": token})
    assert bad.status_code == 400 and 'value="' + "x" * 300 + '"' in bad.text
    ok = client.post(
        "/account/guest-comments", data={"email": "a@example.com", "csrf_token": token}
    )
    assert ok.status_code == 303
    third = client.post(
        "/account/guest-comments", data={"email": "b@example.com", "csrf_token": token}
    )
    assert third.status_code == 429
    # Mails to one address are limited whoever asks.
    app.config["GUEST_REMOVAL_RATE_LIMIT_IP"] = "1000 per hour"
    for _ in range(5):
        other = app.test_client()
        other_page = other.get("/account/guest-comments")
        other.post(
            "/account/guest-comments",
            data={"email": "z@example.com", "csrf_token": csrf_from(other_page.text)},
        )
    assert len(mails_to("z@example.com")) == 3
