"""Forgot your password: one answer for every address, a mailed link that works once
within an hour, and a reset that logs every other browser out."""

import re
import time

import pytest
import sqlalchemy as sa
from itsdangerous import timed

from blogapp.accounts import tokens
from blogapp.extensions import db
from blogapp.models import LoginSession, MailMessage, MailOptOut, Role
from blogapp.models.base import utcnow
from tests.account_helpers import mails_to
from tests.conftest import PASSWORD, Auth, csrf_from

pytestmark = pytest.mark.usefixtures("separate_browsers")
NEW_PASSWORD = "a brand new passphrase"
LINK_RE = re.compile(r"https?://\S+/account/password/reset/(\S+)")


def ask_for_reset(client, email: str):
    page = client.get("/account/password/forgot")
    return client.post(
        "/account/password/forgot", data={"email": email, "csrf_token": csrf_from(page.text)}
    )



def reset_token_mailed_to(address: str) -> str:
    (mail,) = [m for m in mails_to(address) if m.kind == "account_reset"][-1:]
    return LINK_RE.search(mail.body_text).group(1)


def set_password(client, token: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    page = client.get(f"/account/password/reset/{token}")
    data = {
        "new_password": password,
        "confirm": password if confirm is None else confirm,
        "csrf_token": csrf_from(page.text),
    }
    return client.post(f"/account/password/reset/{token}", data=data)


def test_login_page_links_to_forgot_password_and_explains_remember_me(client):
    page = client.get("/account/login").text
    assert 'href="/account/password/forgot"' in page and "Forgot your password?" in page
    assert "up to a year, even after closing the browser" in page
    assert "shared or public computer" in page


def test_known_and_unknown_addresses_get_the_same_answer(app, make_user, monkeypatch):
    make_user(email="known@example.com", name="Kim Known")
    known_client, unknown_client = app.test_client(), app.test_client()
    # Count the statements each request runs: the same work either way.
    statements: list[list[str]] = []

    def count(conn, cursor, statement, *args):
        statements[-1].append(statement.split()[0])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        answers = []
        for client, email in (
            (known_client, "known@example.com"),
            (unknown_client, "nobod@example.com"),
        ):
            page = client.get("/account/password/forgot")
            statements.append([])
            answers.append(
                client.post(
                    "/account/password/forgot",
                    data={"email": email, "csrf_token": csrf_from(page.text)},
                )
            )
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    known, unknown = answers
    assert known.status_code == unknown.status_code == 303
    assert (
        known.headers["Location"]
        == unknown.headers["Location"]
        == ("/account/password/forgot/sent")
    )
    assert known.text == unknown.text
    assert statements[0] == statements[1] and "INSERT" in statements[0]
    assert (
        known_client.get(known.headers["Location"]).text
        == unknown_client.get(unknown.headers["Location"]).text
    )
    (reset,) = mails_to("known@example.com")
    assert reset.kind == "account_reset" and "Hello Kim Known" in reset.body_text
    assert "/account/password/reset/" in reset.body_text and "within an hour" in reset.body_text
    (notice,) = mails_to("nobod@example.com")
    assert notice.kind == "account_reset_no_account"
    assert "no account uses this address" in notice.body_text
    assert "/account/password/reset/" not in notice.body_text


def test_forgot_password_with_bad_input_is_400_with_text_kept(client):
    page = client.get("/account/password/forgot")
    answer = client.post(
        "/account/password/forgot",
        data={"email": "not-an-address", "csrf_token": csrf_from(page.text)},
    )
    assert answer.status_code == 400
    assert 'value="not-an-address"' in answer.text and "Invalid email address." in answer.text
    long = "a" * 300 + "@example.com"
    answer = client.post(
        "/account/password/forgot", data={"email": long, "csrf_token": csrf_from(page.text)}
    )
    assert answer.status_code == 400 and "longer than 254" in answer.text
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 0


def test_reset_sets_the_password_logs_in_and_ends_every_other_session(app, make_user):
    user = make_user(email="rosa@example.com", name="Rosa Reset")
    other_browser, this_browser = app.test_client(), app.test_client()
    assert Auth(other_browser).login("rosa@example.com").status_code == 302
    assert other_browser.get("/account").status_code == 200
    ask_for_reset(this_browser, "rosa@example.com")
    token = reset_token_mailed_to("rosa@example.com")

    form = this_browser.get(f"/account/password/reset/{token}")
    assert form.status_code == 200 and "rosa@example.com" in form.text
    done = set_password(this_browser, token)
    assert done.status_code == 303 and done.headers["Location"] == "/"
    home = this_browser.get("/").text
    assert "Your password is changed, and you are logged in." in home
    assert this_browser.get("/account").status_code == 200
    # The other browser's cookies no longer sign anyone in.
    assert other_browser.get("/account").status_code == 302
    db.session.expire_all()
    (left,) = db.session.scalars(sa.select(LoginSession).where(LoginSession.user_id == user.id))
    assert left is not None
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert user.email_verified  # the link proved the address
    # The new password logs in; the old does not.
    assert Auth(app.test_client()).login("rosa@example.com", PASSWORD).status_code == 400
    assert Auth(app.test_client()).login("rosa@example.com", NEW_PASSWORD).status_code == 302


def test_a_reset_link_works_once(app, make_user):
    make_user(email="once@example.com")
    client = app.test_client()
    ask_for_reset(client, "once@example.com")
    token = reset_token_mailed_to("once@example.com")
    assert set_password(client, token).status_code == 303
    again = app.test_client().get(f"/account/password/reset/{token}")
    assert again.status_code == 404 and "This link no longer works" in again.text
    assert "already used" in again.text
    replay = set_password_raw(app.test_client(), token)
    assert replay.status_code == 404


def set_password_raw(client, token: str):
    """A POST straight to the link (a replay), with a token from a fresh page."""
    page = client.get("/account/password/forgot")
    return client.post(
        f"/account/password/reset/{token}",
        data={
            "new_password": "another password!",
            "confirm": "another password!",
            "csrf_token": csrf_from(page.text),
        },
    )


def test_a_reset_link_expires_after_an_hour(app, make_user, monkeypatch):
    user = make_user(email="late@example.com")
    sent = time.time()
    monkeypatch.setattr(timed.time, "time", lambda: sent)
    token = tokens.reset_token(user)
    monkeypatch.setattr(timed.time, "time", lambda: sent + 59 * 60)
    assert app.test_client().get(f"/account/password/reset/{token}").status_code == 200
    monkeypatch.setattr(timed.time, "time", lambda: sent + 61 * 60)
    late = app.test_client().get(f"/account/password/reset/{token}")
    assert late.status_code == 404 and "This link no longer works" in late.text
    assert set_password_raw(app.test_client(), token).status_code == 404
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_an_altered_or_absurd_token_is_refused(app, make_user):
    user = make_user(email="alter@example.com")
    token = tokens.reset_token(user)
    client = app.test_client()
    assert client.get(f"/account/password/reset/{token[:-2]}xx").status_code == 404
    assert client.get("/account/password/reset/" + "a" * 5000).status_code == 404
    # A verification token is not a reset token.
    assert client.get(f"/account/password/reset/{tokens.verify_token(user)}").status_code == 404


def test_a_changed_password_spends_an_earlier_link(app, make_user):
    from blogapp.accounts.recovery import reset_password

    user = make_user(email="spent@example.com")
    token = tokens.reset_token(user)
    reset_password(user, "changed some other way")
    assert app.test_client().get(f"/account/password/reset/{token}").status_code == 404


def test_reset_form_with_bad_input_is_400_and_changes_nothing(app, make_user):
    user = make_user(email="bad@example.com")
    token = tokens.reset_token(user)
    client = app.test_client()
    short = set_password(client, token, "short")
    assert short.status_code == 400 and "at least 10 characters" in short.text
    differ = set_password(client, token, NEW_PASSWORD, "something else entirely")
    assert differ.status_code == 400 and "The two passwords differ." in differ.text
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
    # Still usable after the mistakes.
    assert set_password(client, token).status_code == 303


def test_a_disabled_account_cannot_reset(app, make_user):
    user = make_user(email="gone@example.com")
    token = tokens.reset_token(user)
    user.disabled_at = utcnow()
    db.session.commit()
    answer = set_password(app.test_client(), token)
    assert answer.status_code == 400 and "This account is disabled." in answer.text
    # And asking for a link tells them no more than a stranger.
    ask_for_reset(app.test_client(), "gone@example.com")
    assert [m.kind for m in mails_to("gone@example.com")] == ["account_reset_no_account"]


def test_reset_mails_to_one_address_are_limited_and_the_answer_stays_the_same(app, make_user):
    make_user(email="flood@example.com")
    answers = [ask_for_reset(app.test_client(), "Flood@Example.com") for _ in range(5)]
    assert {a.status_code for a in answers} == {303}
    assert len(mails_to("flood@example.com")) == 3


def test_forgot_password_form_is_rate_limited_per_client_address(app, client):
    app.config["FORGOT_RATE_LIMIT_IP"] = "2 per hour"
    assert ask_for_reset(client, "a@example.com").status_code == 303
    assert ask_for_reset(client, "b@example.com").status_code == 303
    third = ask_for_reset(client, "c@example.com")
    assert third.status_code == 429 and "Slow down" in third.text
    assert mails_to("c@example.com") == []


def test_reset_clears_the_login_throttle(app, make_user):
    app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "3 per 15 minutes"
    make_user(email="locked@example.com")
    client = app.test_client()
    for _ in range(3):
        Auth(client).login("locked@example.com", "wrong password!")
    throttled = Auth(client).login("locked@example.com", "wrong password!")
    assert throttled.status_code == 429
    assert "Too many attempts to log in. Try again in 15 minutes." in throttled.text
    assert "Forgot your password?" in throttled.text
    ask_for_reset(client, "locked@example.com")
    set_password(client, reset_token_mailed_to("locked@example.com"))
    Auth(client).logout()
    assert Auth(app.test_client()).login("locked@example.com", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("role", [Role.READER, Role.STAFF, Role.MODERATOR, Role.ADMIN, None])
def test_forgot_and_reset_pages_answer_every_role(app, make_user, role):
    client = app.test_client()
    target = make_user(email="target@example.com")
    if role is not None:
        make_user(role, email="someone@example.com")
        assert Auth(client).login("someone@example.com").status_code == 302
    assert client.get("/account/password/forgot").status_code == 200
    assert client.get("/account/password/forgot/sent").status_code == 200
    token = tokens.reset_token(target)
    assert client.get(f"/account/password/reset/{token}").status_code == 200
    # Whoever holds the link sets the password of the account it was mailed for.
    assert set_password(client, token).status_code == 303
    db.session.refresh(target)
    assert target.check_password(NEW_PASSWORD)


def test_registering_a_taken_address_mails_the_owner_a_way_back_in(app, make_user):
    make_user(email="owner@example.com", name="Olive Owner")
    client = app.test_client()
    page = client.get("/account/register")
    answer = client.post(
        "/account/register",
        data={
            "display_name": "Someone Else",
            "email": "owner@example.com",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert answer.status_code == 303
    (notice,) = mails_to("owner@example.com")
    assert "/account/login" in notice.body_text
    assert "/account/password/forgot" in notice.body_text


def test_a_reader_who_unsubscribed_from_notifications_still_gets_the_reset_link(
    app, client, make_user
):
    """An opt-out stops notifications, never the mail of one's own account."""
    make_user(Role.READER, email="quiet@example.com")
    db.session.add(MailOptOut(email="quiet@example.com"))
    db.session.commit()
    ask_for_reset(client, "quiet@example.com")
    assert reset_token_mailed_to("quiet@example.com")
