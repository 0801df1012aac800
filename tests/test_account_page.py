"""A person's own account page: name, address, notification choices, their comments."""

import re
import time

import pytest
import sqlalchemy as sa
from itsdangerous import timed

from blogapp.accounts import tokens
from blogapp.comments.notify import comment_acknowledged, comment_published
from blogapp.extensions import db
from blogapp.models import Comment, Role
from tests.account_helpers import mails_to
from tests.conftest import PASSWORD, Auth, csrf_from

pytestmark = pytest.mark.usefixtures("separate_browsers")
CONFIRM_RE = re.compile(r"https?://\S+(/account/email/confirm/\S+)")



@pytest.fixture
def reader(app, make_user):
    """A logged-in reader's browser, and the reader."""
    user = make_user(Role.READER, name="Rhea Reader", email="rhea@example.com")
    browser = app.test_client()
    assert Auth(browser).login("rhea@example.com").status_code == 302
    return browser, user


def post_form(browser, path: str, **data):
    page = browser.get("/account")
    return browser.post(path, data={"csrf_token": csrf_from(page.text), **data})


def test_account_page_shows_each_part(reader):
    browser, _ = reader
    page = browser.get("/account").text
    for text in (
        "Your name",
        "Email address",
        "rhea@example.com",
        "Mail me when",
        "Password and sign-ins",
        "Your comments",
        "Download your data",
        "Delete your account",
    ):
        assert text in page
    assert 'href="/account"' in browser.get("/").text  # the header's name links here


def test_change_name_applies_the_signup_rules(reader, make_user, make_post, make_comment):
    browser, user = reader
    make_user(Role.STAFF, name="Maya Okafor")
    post = make_post()
    make_comment(post, author=user, body="First!")
    refused = post_form(browser, "/account/name", display_name="Okafor  Maya")
    assert refused.status_code == 400
    assert "Okafor Maya" in refused.text  # the typed text is kept
    assert "employee" in refused.text.lower()
    short = post_form(browser, "/account/name", display_name="R")
    assert short.status_code == 400 and "between 2 and 80" in short.text
    done = post_form(browser, "/account/name", display_name="Rhea R.")
    assert done.status_code == 303
    db.session.refresh(user)
    assert user.display_name == "Rhea R."
    # The thread shows the new name at once (its cache keys on the comments' changed_at).
    assert "Rhea R." in browser.get(f"/posts/{post.slug}").text
    # Keeping one's own name is allowed, even when it is an employee-like check's match.
    assert post_form(browser, "/account/name", display_name="Rhea R.").status_code == 303


def test_change_email_is_confirmed_from_the_new_address(app, reader):
    browser, user = reader
    wrong = post_form(browser, "/account/email", new_email="rhea@new.example", password="nope")
    assert wrong.status_code == 400 and "That is not your password." in wrong.text
    assert 'value="rhea@new.example"' in wrong.text
    asked = post_form(browser, "/account/email", new_email="Rhea@New.example", password=PASSWORD)
    assert asked.status_code == 303
    assert "sent a link to rhea@new.example" in browser.get("/account").text
    db.session.refresh(user)
    assert user.email == "rhea@example.com"  # nothing changes until the link is opened
    (mail,) = mails_to("rhea@new.example")
    link = CONFIRM_RE.search(mail.body_text).group(1)
    # Opening the link (a scanner, a preview) changes nothing; the button does.
    other_browser = app.test_client()
    page = other_browser.get(link)
    assert page.status_code == 200 and "Confirm your new address" in page.text
    done = other_browser.post(link, data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 303 and done.headers["Location"] == "/account/login"
    db.session.refresh(user)
    assert user.email == "rhea@new.example" and user.email_verified
    (notice,) = mails_to("rhea@example.com")
    assert notice.kind == "account_email_changed" and "rhea@new.example" in notice.body_text
    # The link is spent, and the new address logs in.
    assert app.test_client().get(link).status_code == 404
    assert Auth(app.test_client()).login("rhea@new.example").status_code == 302


def test_change_email_to_a_taken_address_answers_the_same_and_tells_its_owner(reader, make_user):
    browser, user = reader
    make_user(email="taken@example.com")
    taken = post_form(browser, "/account/email", new_email="taken@example.com", password=PASSWORD)
    free = post_form(browser, "/account/email", new_email="freee@example.com", password=PASSWORD)
    assert taken.status_code == free.status_code == 303
    assert taken.headers["Location"] == free.headers["Location"]
    (notice,) = mails_to("taken@example.com")
    assert notice.kind == "account_email_taken" and "/account/email/confirm/" not in (
        notice.body_text
    )
    assert [m.kind for m in mails_to("freee@example.com")] == ["account_email_change"]


def test_email_change_link_expires_after_an_hour(app, make_user, monkeypatch):
    user = make_user(email="slow@example.com")
    sent = time.time()
    monkeypatch.setattr(timed.time, "time", lambda: sent)
    token = tokens.email_change_token(user, "slow@new.example")
    monkeypatch.setattr(timed.time, "time", lambda: sent + 3601)
    assert app.test_client().get(f"/account/email/confirm/{token}").status_code == 404


def test_notification_choices_decide_which_mails_are_sent(
    app, reader, make_user, make_post, make_comment
):
    browser, user = reader
    staff = make_user(Role.STAFF, name="Sam Staff")
    post = make_post(author=staff)
    mine = make_comment(post, author=user, body="My question")
    saved = post_form(browser, "/account/notifications", notify_acknowledged="y")
    assert saved.status_code == 303
    db.session.refresh(user)
    assert not user.notify_replies and user.notify_acknowledged
    page = browser.get("/account").text
    assert re.search(r'id="notify_replies"(?![^>]*checked)', page)
    assert re.search(
        r'checked[^>]*id="notify_acknowledged"|id="notify_acknowledged"[^>]*checked', page
    )

    reply = make_comment(post, parent=mine, author=staff, body="An answer")
    comment_published(reply)
    comment_acknowledged(mine, staff, "Passed on")
    db.session.commit()
    assert [m.kind for m in mails_to("rhea@example.com")] == ["comment_acknowledged"]


def test_each_mail_unsubscribes_from_its_own_choice(
    app, reader, make_user, make_post, make_comment
):
    _, user = reader
    staff = make_user(Role.STAFF)
    post = make_post(author=staff)
    mine = make_comment(post, author=user)
    comment_published(make_comment(post, parent=mine, author=staff, body="Reply"))
    db.session.commit()
    (mail,) = mails_to("rhea@example.com")
    assert "/account/unsubscribe/" in mail.unsubscribe_url
    link = mail.unsubscribe_url.split("parley.test", 1)[1]
    stranger = app.test_client()
    page = stranger.get(link)
    assert page.status_code == 200 and "replies to your comments" in page.text
    db.session.refresh(user)
    assert user.notify_replies  # opening the link changes nothing
    # A mail client's one-click POST (RFC 8058) carries no form token.
    done = stranger.post(
        link, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200 and "You're unsubscribed" in done.text
    db.session.refresh(user)
    assert not user.notify_replies and user.notify_acknowledged
    assert stranger.get(link[:-3] + "xyz").status_code == 404
    # Guests keep the address-wide link.
    guest_comment = make_comment(post)
    comment_published(make_comment(post, parent=guest_comment, author=staff, body="Hi"))
    db.session.commit()
    (guest_mail,) = mails_to("gail@example.com")
    assert "/mail/unsubscribe/" in guest_mail.unsubscribe_url


def test_my_comments_lists_every_comment_with_links_paginated(reader, make_post, make_comment):
    browser, user = reader
    post = make_post(title="Pricing changes")
    comments = [make_comment(post, author=user, body=f"Comment number {n}") for n in range(25)]
    first = browser.get("/account/comments")
    assert first.status_code == 200
    assert "Comment number 24" in first.text and "Comment number 5<" in first.text
    assert "Comment number 4<" not in first.text
    assert f'href="/c/{comments[24].id}"' in first.text and "Pricing changes" in first.text
    second = browser.get("/account/comments?page=2")
    assert "Comment number 4<" in second.text and "Comment number 0<" in second.text
    assert browser.get("/account/comments?page=9").status_code == 404
    assert browser.get("/account/comments?page=x").status_code == 200


def test_my_comments_lists_only_mine(reader, make_user, make_post, make_comment):
    browser, _ = reader
    other = make_user()
    make_comment(make_post(), author=other, body="Not hers")
    page = browser.get("/account/comments").text
    assert "Not hers" not in page and "You haven't written any comments yet." in page


def test_bad_or_huge_input_is_400_and_bounded(reader):
    browser, _ = reader
    long_name = post_form(browser, "/account/name", display_name="x" * 5000)
    assert long_name.status_code == 400
    long_email = post_form(
        browser, "/account/email", new_email="a" * 300 + "@example.com", password=PASSWORD
    )
    assert long_email.status_code == 400 and "longer than 254" in long_email.text
    no_token = browser.post("/account/name", data={"display_name": "Fine Name"})
    assert no_token.status_code == 400 and "Fine Name" in no_token.text
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_links_for_the_longest_addresses_still_work(app, make_user):
    longest = "l" * 64 + "@" + ".".join(["d" * 59] * 3) + ".example"
    assert len(longest) <= 254
    user = make_user(email="short@example.com")
    link = f"/account/email/confirm/{tokens.email_change_token(user, longest)}"
    assert app.test_client().get(link).status_code == 200
    removal = f"/account/guest-comments/remove/{tokens.guest_removal_token(longest)}"
    assert app.test_client().get(removal).status_code == 200
