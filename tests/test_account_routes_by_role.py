"""The routes of issue 15's points 1-3 and 6 that the other role tables leave out, and the
follow button, for every role: who gets in, who is sent to log in, who is refused.
(tests/test_account_permissions.py has the account pages, tests/test_people_web.py the
People pages.)"""

import pytest
import sqlalchemy as sa

from blogapp.accounts import tokens
from blogapp.admin import invites
from blogapp.admin import services as people
from blogapp.extensions import db
from blogapp.models import Follow, Role, User
from tests.conftest import Auth, csrf_from

pytestmark = pytest.mark.usefixtures("separate_browsers")
ROLES = [None, Role.READER, Role.STAFF, Role.MODERATOR, Role.ADMIN]
LOGIN = "/account/login?next="


def browser_for(app, make_user, role):
    client = app.test_client()
    if role is not None:
        make_user(role, email="me@example.com")
        assert Auth(client).login("me@example.com").status_code == 302
    return client


def post_form(client, path: str, **data):
    page = client.get("/account/password/forgot")
    return client.post(path, data={"csrf_token": csrf_from(page.text), **data})


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_following_a_thread_is_for_anyone_signed_in(app, make_user, make_post, role):
    post = make_post()
    client = browser_for(app, make_user, role)
    answer = post_form(client, f"/posts/{post.slug}/follow", follow="1")
    follows = db.session.scalar(sa.select(sa.func.count(Follow.id)))
    if role is None:
        assert answer.status_code == 302 and answer.headers["Location"].startswith(LOGIN)
        assert follows == 0
    else:
        assert answer.status_code == 303 and follows == 1


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        ("/account/security/password", {"current_password": "wrong one"}, 400),
        ("/account/security/logout-everywhere", {}, 303),
        ("/account/logout", {}, 302),
    ],
    ids=["change-password", "logout-everywhere", "logout"],
)
def test_sign_in_matters_signed_in_only(app, make_user, role, path, data, status):
    answer = post_form(browser_for(app, make_user, role), path, **data)
    if role is None:
        assert answer.status_code == 302 and answer.headers["Location"].startswith(LOGIN)
    else:
        assert answer.status_code == status


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
@pytest.mark.parametrize("path", ["/account/login", "/account/register"])
def test_login_and_registration_are_for_the_signed_out(app, make_user, role, path):
    answer = browser_for(app, make_user, role).get(path)
    if role is None:
        assert answer.status_code == 200
    else:
        assert answer.status_code == 302 and answer.headers["Location"] == "/"


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
@pytest.mark.parametrize("action", ["disable", "enable"])
def test_the_old_people_addresses_are_for_admins_only(app, make_user, role, action):
    target = make_user(Role.STAFF, email="target@example.com")
    if action == "enable":
        people.disable_account(target, None)
    client = browser_for(app, make_user, role)
    answer = post_form(client, f"/admin/users/{target.id}/{action}")
    expected = {None: 302, Role.ADMIN: 303}.get(role, 403)
    assert answer.status_code == expected
    db.session.expire_all()
    changed = db.session.get(User, target.id).is_active == (action == "enable")
    assert changed == (role is Role.ADMIN)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_mailed_links_work_for_whoever_holds_them(app, make_user, role):
    """An invitation and an unsubscribe link are their own credential, whoever is
    signed in on the browser that opens them."""
    target = make_user(email="target@example.com")
    invited = people.invite_employee("new@example.com", "Nova Newhire", Role.STAFF, "Writer", None)
    client = browser_for(app, make_user, role)
    assert client.get(f"/welcome/{invites.invitation_token(invited)}").status_code == 200
    follows = f"/account/unsubscribe/{tokens.unsubscribe_token(target, 'follows')}"
    assert client.post(follows).status_code == 200
    db.session.expire_all()
    assert not db.session.get(User, target.id).notify_follows
