"""Revocable sessions: every way a sign-in ends makes its old cookies worthless.

Each test keeps a browser's cookies, ends the sign-in some way, then replays the
cookies from a fresh client, as someone who copied them would.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import AuditEvent, LoginSession, Role
from blogapp.models.base import utcnow
from tests.conftest import PASSWORD, Auth, csrf_from

pytestmark = pytest.mark.usefixtures("separate_browsers")

HOST = "parley.test"
NEW_PASSWORD = "a brand new passphrase"


def cookies_of(client) -> dict[str, str]:
    """The session and remember-me cookies a browser holds now."""
    kept = {}
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name, domain=HOST)
        if cookie is not None:
            kept[name] = cookie.value
    return kept


def replay(app, cookies: dict[str, str]):
    """A new browser carrying only ``cookies``."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value, domain=HOST)
    return thief


def is_signed_in(client) -> bool:
    """Whether the browser gets the account page (not sent to log in)."""
    return client.get("/account/security").status_code == 200


def browser(app, email: str, remember: bool = True):
    client = app.test_client()
    response = Auth(client).login(email, **({"remember": "y"} if remember else {}))
    assert response.status_code == 302
    return client


def test_replayed_session_cookie_is_logged_out_after_logout(app, client, auth, make_user):
    user = make_user()
    auth.login(user.email)
    kept = cookies_of(client)
    assert set(kept) == {"session"} and is_signed_in(replay(app, kept))
    auth.logout()
    assert not is_signed_in(client)
    assert not is_signed_in(replay(app, kept))


def test_replayed_remember_me_cookie_is_logged_out_after_logout(app, client, auth, make_user):
    user = make_user()
    auth.login(user.email, remember="y")
    remember = {"remember_token": cookies_of(client)["remember_token"]}
    # The remember-me cookie alone signs a new browser in...
    assert is_signed_in(replay(app, remember))
    auth.logout()
    # ...until this browser logs out, and never again after.
    assert not is_signed_in(replay(app, remember))
    assert not is_signed_in(replay(app, remember))


def test_logging_out_one_browser_leaves_the_others_signed_in(app, make_user):
    user = make_user()
    laptop, phone = browser(app, user.email), browser(app, user.email)
    laptop_cookies = cookies_of(laptop)
    Auth(laptop).logout()
    assert not is_signed_in(replay(app, laptop_cookies))
    assert is_signed_in(phone) and is_signed_in(replay(app, cookies_of(phone)))


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None, token=True):
    page = client.get("/account/security")
    data = {"current_password": current, "new_password": new, "confirm": confirm or new}
    if token:
        data["csrf_token"] = csrf_from(page.text)
    return client.post("/account/security/password", data=data)


def test_changing_the_password_ends_every_other_sign_in_and_keeps_this_one(app, make_user):
    user = make_user()
    laptop, phone = browser(app, user.email), browser(app, user.email)
    phone_cookies = cookies_of(phone)
    response = change_password(laptop)
    assert response.status_code == 303
    page = laptop.get(response.headers["Location"])
    assert "Your password is changed. 1 other sign-in ended." in page.text
    assert is_signed_in(laptop) and is_signed_in(replay(app, cookies_of(laptop)))
    assert not is_signed_in(phone)
    assert not is_signed_in(replay(app, phone_cookies))
    assert not is_signed_in(replay(app, {"remember_token": phone_cookies["remember_token"]}))
    assert Auth(app.test_client()).login(user.email).status_code == 400
    assert Auth(app.test_client()).login(user.email, NEW_PASSWORD).status_code == 302


def test_changing_the_password_needs_the_current_one_and_a_token(app, client, auth, make_user):
    user = make_user()
    auth.login(user.email)
    wrong = change_password(client, current="not my password")
    assert wrong.status_code == 400 and "That is not your current password." in wrong.text
    mismatch = change_password(client, confirm="something else entirely")
    assert mismatch.status_code == 400 and "The two passwords differ." in mismatch.text
    no_token = change_password(client, token=False)
    assert no_token.status_code == 400 and "missing its security token" in no_token.text
    db.session.refresh(user)
    assert user.check_password(PASSWORD) and not user.check_password(NEW_PASSWORD)


def test_log_out_everywhere_ends_every_browser_this_one_too(app, make_user):
    user = make_user()
    laptop, phone = browser(app, user.email), browser(app, user.email)
    kept = {"laptop": cookies_of(laptop), "phone": cookies_of(phone)}
    page = laptop.get("/account/security")
    assert page.text.count("<tr>") - 1 == 2 and "This browser" in page.text
    response = laptop.post(
        "/account/security/logout-everywhere", data={"csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/account/login"
    for client in (laptop, phone):
        assert not is_signed_in(client)
    for cookies in kept.values():
        assert not is_signed_in(replay(app, cookies))
        assert not is_signed_in(replay(app, {"remember_token": cookies["remember_token"]}))
    assert db.session.scalar(sa.select(sa.func.count(LoginSession.id))) == 0


def test_log_out_everywhere_needs_a_token(app, make_user):
    user = make_user()
    laptop, phone = browser(app, user.email), browser(app, user.email)
    laptop.post("/account/security/logout-everywhere", data={})
    assert is_signed_in(laptop) and is_signed_in(phone)


def admin_disables(admin_client, user, action="disable"):
    page = admin_client.get("/admin/users")
    return admin_client.post(
        f"/admin/users/{user.id}/{action}", data={"csrf_token": csrf_from(page.text)}
    )


def test_admin_disabling_an_account_ends_its_sign_ins_and_logins(app, make_user):
    admin, reader = make_user(Role.ADMIN), make_user(name="Dana Departed")
    admin_client, reader_client = browser(app, admin.email), browser(app, reader.email)
    kept = cookies_of(reader_client)
    response = admin_disables(admin_client, reader)
    assert response.status_code == 303
    page = admin_client.get(response.headers["Location"])
    assert "Dana Departed" in page.text and "is disabled and logged out" in page.text
    assert not is_signed_in(reader_client)
    assert not is_signed_in(replay(app, kept))
    assert not is_signed_in(replay(app, {"remember_token": kept["remember_token"]}))
    # The right password now says why; a wrong one says what it always says.
    refused = Auth(app.test_client()).login(reader.email)
    assert refused.status_code == 400 and "This account is disabled." in refused.text
    wrong = Auth(app.test_client()).login(reader.email, "not the password")
    assert "Email or password is incorrect." in wrong.text and "disabled" not in wrong.text
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.subject_id == reader.id))
    assert event.action == "account_disabled" and event.actor_id == admin.id

    assert admin_disables(admin_client, reader, "enable").status_code == 303
    assert is_signed_in(browser(app, reader.email))
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["account_disabled", "account_enabled"]
    assert "account disabled" in admin_client.get("/responses/audit").text


def test_disable_buttons_need_an_admin_and_a_token(app, make_user):
    admin, moderator, reader = make_user(Role.ADMIN), make_user(Role.MODERATOR), make_user()
    moderator_client, admin_client = browser(app, moderator.email), browser(app, admin.email)
    page = moderator_client.get("/")
    forbidden = moderator_client.post(
        f"/admin/users/{reader.id}/disable", data={"csrf_token": csrf_from(page.text)}
    )
    assert forbidden.status_code == 403
    anonymous = app.test_client().post(f"/admin/users/{reader.id}/disable", data={})
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    admin_client.post(f"/admin/users/{reader.id}/disable", data={})
    assert admin_client.get("/admin/users/999999/disable").status_code == 405
    db.session.refresh(reader)
    assert reader.is_active
    # An admin cannot lock themself out from the People page.
    assert admin_disables(admin_client, admin).status_code == 303
    db.session.refresh(admin)
    assert admin.is_active and is_signed_in(admin_client)


def test_flask_users_disable_and_enable(app, runner, make_user):
    admin, staff = make_user(Role.ADMIN), make_user(Role.STAFF)
    kept = cookies_of(browser(app, staff.email))
    result = runner.invoke(args=["users", "disable", staff.email])
    assert result.exit_code == 0, result.output
    assert "every sign-in ended" in result.output
    assert not is_signed_in(replay(app, kept))
    assert "(disabled)" in runner.invoke(args=["users", "list"]).output
    assert Auth(app.test_client()).login(staff.email).status_code == 400
    assert runner.invoke(args=["users", "enable", staff.email]).exit_code == 0
    assert is_signed_in(browser(app, staff.email))
    # The only admin left cannot be disabled: nobody could enable anyone again.
    refused = runner.invoke(args=["users", "disable", admin.email])
    assert refused.exit_code != 0 and "only active admin" in refused.output
    unknown = runner.invoke(args=["users", "disable", "nobody@example.com"])
    assert unknown.exit_code != 0 and "No account" in unknown.output


def test_a_cookie_from_before_login_sessions_signs_nobody_in(app, make_user):
    """Cookies carrying a bare user id (as before revision 0007) are not accepted."""
    user = make_user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert not is_signed_in(client)


def test_a_sign_in_ends_when_its_lifetime_does(app, client, auth, make_user):
    """Without "remember me" a sign-in lasts PERMANENT_SESSION_LIFETIME, with it the
    remember-me cookie's lifetime; expired rows are dropped at the next login."""
    user = make_user()
    auth.login(user.email)
    kept = cookies_of(client)
    (row,) = db.session.scalars(sa.select(LoginSession)).all()
    lifetime = row.expires_at - row.created_at
    assert lifetime == app.config["PERMANENT_SESSION_LIFETIME"]
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not is_signed_in(replay(app, kept))
    browser(app, user.email, remember=True)
    (row,) = db.session.scalars(sa.select(LoginSession)).all()  # the expired one is gone
    assert row.expires_at - row.created_at == timedelta(days=365)


@pytest.mark.parametrize(
    "role,status",
    [
        (Role.GUEST, 302),
        (Role.READER, 403),
        (Role.STAFF, 403),
        (Role.MODERATOR, 403),
        (Role.ADMIN, 303),
    ],
)
@pytest.mark.parametrize("action", ["disable", "enable"])
def test_only_admins_disable_and_enable_accounts(app, make_user, role, status, action):
    target = make_user(name="Tara Target")
    client = app.test_client() if role is Role.GUEST else browser(app, make_user(role).email)
    token = {} if role is Role.GUEST else {"csrf_token": csrf_from(client.get("/").text)}
    response = client.post(f"/admin/users/{target.id}/{action}", data=token)
    assert response.status_code == status
    db.session.refresh(target)
    assert target.is_active is not (action == "disable" and status == 303)
