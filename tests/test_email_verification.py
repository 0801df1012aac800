"""Email verification: registration mails a link, following it verifies the address,
and the UNVERIFIED_COMMENTS setting decides whether an unverified reader's comments wait."""

import re
import time

import pytest
import sqlalchemy as sa
from itsdangerous import timed

from blogapp.accounts import tokens
from blogapp.accounts.services import user_by_email
from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import CommentStatus, MailMessage, Role
from tests.account_helpers import mails_to, register
from tests.conftest import Auth, csrf_from

pytestmark = pytest.mark.usefixtures("separate_browsers")
VERIFY_RE = re.compile(r"https?://\S+/account/verify/(\S+)")




def test_registration_mails_a_link_that_verifies_the_address(app):
    client = app.test_client()
    assert register(client, "vera@example.com").status_code == 303
    user = user_by_email("vera@example.com")
    assert not user.email_verified
    (welcome,) = mails_to("vera@example.com")
    token = VERIFY_RE.search(welcome.body_text).group(1)
    assert "confirm that this address is" in welcome.body_text
    # Following the link verifies, logged in or not, and says so.
    followed = client.get(f"/account/verify/{token}")
    assert followed.status_code == 303 and followed.headers["Location"] == "/account/login"
    assert "vera@example.com is verified" in client.get("/account/login").text
    db.session.refresh(user)
    assert user.email_verified
    again = client.get(f"/account/verify/{token}")
    assert again.status_code == 303
    assert "was already verified" in client.get("/account/login").text


def test_a_verification_link_dies_with_a_changed_address_or_after_a_week(
    app, make_user, monkeypatch
):
    user = make_user(email="old@example.com")
    sent = time.time()
    monkeypatch.setattr(timed.time, "time", lambda: sent)
    token = tokens.verify_token(user)
    monkeypatch.setattr(timed.time, "time", lambda: sent + 8 * 24 * 3600)
    late = app.test_client().get(f"/account/verify/{token}")
    assert late.status_code == 404 and "This link no longer works" in late.text
    monkeypatch.setattr(timed.time, "time", lambda: sent + 60)
    user.email = "new@example.com"
    db.session.commit()
    assert app.test_client().get(f"/account/verify/{token}").status_code == 404
    db.session.refresh(user)
    assert not user.email_verified


def test_login_tells_an_unverified_reader_and_the_account_page_resends(app, make_user):
    app.config["UNVERIFIED_COMMENTS"] = "hold"
    user = make_user(email="unv@example.com")
    client = app.test_client()
    Auth(client).login("unv@example.com")
    home = client.get("/").text
    assert "Your email address unv@example.com is not verified yet" in home
    assert "Until you do, your comments wait for a moderator." in home
    page = client.get("/account")
    assert "Not verified yet" in page.text and "Mail me a new link" in page.text
    for _ in range(4):
        sent = client.post("/account/verify/resend", data={"csrf_token": csrf_from(page.text)})
        assert sent.status_code == 303 and sent.headers["Location"] == "/account"
    assert "sent several links in the last hour" in client.get("/account").text
    resent = [m for m in mails_to("unv@example.com") if m.kind == "account_verify"]
    assert len(resent) == 3
    assert "your comments wait for a moderator" in resent[0].body_text
    client.get(f"/account/verify/{VERIFY_RE.search(resent[0].body_text).group(1)}")
    page = client.get("/account").text
    assert "Verified" in page and "Mail me a new link" not in page
    db.session.refresh(user)
    assert user.email_verified


def test_a_verified_reader_is_not_nagged(app, make_user):
    user = make_user(email="fine@example.com")
    from blogapp.accounts.recovery import verify_email

    verify_email(user)
    client = app.test_client()
    Auth(client).login("fine@example.com")
    assert "not verified yet" not in client.get("/").text


@pytest.mark.parametrize(
    ("setting", "verified", "role", "expected"),
    [
        ("publish", False, Role.READER, CommentStatus.PUBLISHED),
        ("hold", False, Role.READER, CommentStatus.HELD),
        ("hold", True, Role.READER, CommentStatus.PUBLISHED),
        ("hold", False, Role.STAFF, CommentStatus.PUBLISHED),
    ],
)
def test_unverified_comments_setting(app, make_user, make_post, setting, verified, role, expected):
    app.config["UNVERIFIED_COMMENTS"] = setting
    author = make_user(role)
    if verified:
        from blogapp.accounts.recovery import verify_email

        verify_email(author)
    comment = post_comment(make_post(), "Is there an export to CSV?", author=author)
    assert comment.status == expected
    db.session.expire_all()
    mails = db.session.scalar(
        sa.select(sa.func.count(MailMessage.id)).where(MailMessage.kind == "new_comment")
    )
    # A held comment tells nobody yet; it enters the moderation queue as a guest's does.
    assert mails == (0 if expected == CommentStatus.HELD else 1)


@pytest.mark.parametrize("role", [None, Role.READER, Role.STAFF, Role.MODERATOR, Role.ADMIN])
def test_account_page_and_resend_by_role(app, make_user, role):
    client = app.test_client()
    if role is None:
        assert client.get("/account").status_code == 302
        page = client.get("/account/login")
        resend = client.post("/account/verify/resend", data={"csrf_token": csrf_from(page.text)})
        assert resend.status_code == 302 and "/account/login" in resend.headers["Location"]
        return
    make_user(role, email="me@example.com")
    Auth(client).login("me@example.com")
    page = client.get("/account")
    assert page.status_code == 200 and "me@example.com" in page.text
    resend = client.post("/account/verify/resend", data={"csrf_token": csrf_from(page.text)})
    assert resend.status_code == 303
    kinds = [m.kind for m in mails_to("me@example.com")]
    # Only readers are asked to verify.
    assert kinds == (["account_verify"] if role is Role.READER else [])
