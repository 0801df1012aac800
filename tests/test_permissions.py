"""Who may open which page: a table of role x route."""

import pytest

from blogapp.models import Role

PUBLIC = ["/", "/feed.atom", "/sitemap.xml", "/robots.txt"]
EMPLOYEE_ONLY = ["/studio/", "/studio/?status=draft"]
ADMIN_ONLY = ["/admin/users"]
SIGNED_IN = ["/account/security"]

ROLES = [Role.GUEST, Role.READER, Role.STAFF, Role.MODERATOR, Role.ADMIN]

EXPECTED = {
    # route group: {role: status}
    "public": {r: 200 for r in ROLES},
    "employee": {
        Role.GUEST: 302,
        Role.READER: 403,
        Role.STAFF: 200,
        Role.MODERATOR: 200,
        Role.ADMIN: 200,
    },
    "signed_in": {r: 302 if r is Role.GUEST else 200 for r in ROLES},
    "admin": {
        Role.GUEST: 302,
        Role.READER: 403,
        Role.STAFF: 403,
        Role.MODERATOR: 403,
        Role.ADMIN: 200,
    },
}
CASES = (
    [(url, "public") for url in PUBLIC]
    + [(url, "employee") for url in EMPLOYEE_ONLY]
    + [(url, "admin") for url in ADMIN_ONLY]
    + [(url, "signed_in") for url in SIGNED_IN]
)


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("url,group", CASES)
def test_role_route_table(client, auth, make_user, role, url, group):
    if role is not Role.GUEST:
        auth.login(make_user(role).email)
    response = client.get(url)
    assert response.status_code == EXPECTED[group][role]
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/account/login?next=")
    if response.status_code == 403:
        assert "can&#39;t open this page" in response.text


def test_staff_see_their_own_posts_admins_see_all(client, auth, make_user, make_post):
    staff, other = make_user(Role.STAFF), make_user(Role.STAFF)
    make_post(author=staff, title="Mine to edit")
    make_post(author=other, title="Not mine")
    auth.login(staff.email)
    page = client.get("/studio/").text
    assert "Mine to edit" in page and "Not mine" not in page
    auth.logout()
    auth.login(make_user(Role.ADMIN).email)
    page = client.get("/studio/").text
    assert "Mine to edit" in page and "Not mine" in page
