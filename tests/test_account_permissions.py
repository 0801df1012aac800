"""Every route of the account pages, for every role: who gets in, who is sent to log in,
who is refused."""

import pytest

from blogapp.accounts import tokens
from blogapp.models import Role
from tests.conftest import Auth, csrf_from

pytestmark = pytest.mark.usefixtures("separate_browsers")
ROLES = [None, Role.READER, Role.STAFF, Role.MODERATOR, Role.ADMIN]

# (method, path, what a signed-in person gets, what a reader gets if different)
SIGNED_IN_ONLY = [
    ("GET", "/account", 200),
    ("GET", "/account/comments", 200),
    ("GET", "/account/export.zip", 200),
    ("POST", "/account/name", 303),
    ("POST", "/account/email", 303),
    ("POST", "/account/notifications", 303),
    ("POST", "/account/verify/resend", 303),
]
OPEN_TO_ALL = [
    ("GET", "/account/password/forgot", 200),
    ("GET", "/account/password/forgot/sent", 200),
    ("GET", "/account/guest-comments", 200),
    ("GET", "/account/guest-comments/sent", 200),
    ("POST", "/account/password/forgot", 303),
    ("POST", "/account/guest-comments", 303),
]
FORM_DATA = {
    "/account/name": {"display_name": "Some New Name"},
    "/account/email": {"new_email": "moved@example.com", "password": "correct horse battery"},
    "/account/notifications": {"notify_replies": "y"},
    "/account/password/forgot": {"email": "someone@example.com"},
    "/account/guest-comments": {"email": "someone@example.com"},
}


def browser_for(app, make_user, role):
    client = app.test_client()
    if role is not None:
        make_user(role, email="me@example.com")
        assert Auth(client).login("me@example.com").status_code == 302
    return client


def call(client, method, path):
    if method == "GET":
        return client.get(path)
    page = client.get("/account/password/forgot")
    return client.post(path, data={"csrf_token": csrf_from(page.text), **FORM_DATA.get(path, {})})


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
@pytest.mark.parametrize(("method", "path", "status"), SIGNED_IN_ONLY)
def test_signed_in_routes(app, make_user, role, method, path, status):
    answer = call(browser_for(app, make_user, role), method, path)
    if role is None:
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith("/account/login?next=")
    else:
        assert answer.status_code == status


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
@pytest.mark.parametrize(("method", "path", "status"), OPEN_TO_ALL)
def test_open_routes(app, make_user, role, method, path, status):
    assert call(browser_for(app, make_user, role), method, path).status_code == status


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_delete_is_for_readers_only(app, make_user, role):
    client = browser_for(app, make_user, role)
    for method in ("GET", "POST"):
        answer = call(client, method, "/account/delete")
        expected = {None: 302, Role.READER: 200 if method == "GET" else 400}.get(role, 403)
        assert answer.status_code == expected


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_links_from_mail_work_for_whoever_holds_them(app, make_user, make_post, make_comment, role):
    target = make_user(email="target@example.com")
    make_comment(make_post(), guest=("Gus", "gus@example.com"))
    client = browser_for(app, make_user, role)
    links = [
        f"/account/password/reset/{tokens.reset_token(target)}",
        f"/account/email/confirm/{tokens.email_change_token(target, 'new@example.com')}",
        f"/account/unsubscribe/{tokens.unsubscribe_token(target, 'replies')}",
        f"/account/guest-comments/remove/{tokens.guest_removal_token('gus@example.com')}",
    ]
    for link in links:
        assert client.get(link).status_code == 200, link
    verify = client.get(f"/account/verify/{tokens.verify_token(target)}")
    assert verify.status_code == 303
    for link in links:
        assert client.get(link[:-3] + "abc").status_code == 404, link
