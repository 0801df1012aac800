"""Who may use which studio route: a table of role x route, over every /studio URL."""

import pytest

from blogapp.extensions import db
from blogapp.models import Revision, Role

ROLES = [Role.GUEST, Role.READER, Role.STAFF, Role.MODERATOR, Role.ADMIN]

# (method, url template, status for an employee who may edit the post)
ROUTES = [
    ("GET", "/studio/", 200),
    ("GET", "/studio/?status=draft", 200),
    ("GET", "/studio/posts/new", 200),
    ("POST", "/studio/posts/new", 400),
    ("POST", "/studio/posts/autosave", 400),
    ("POST", "/studio/preview", 400),
    ("GET", "/studio/uploads/", 200),
    ("POST", "/studio/uploads/", 400),
    ("GET", "/studio/profile/", 200),
    ("POST", "/studio/profile/", 400),
    ("GET", "/studio/posts/{own}/edit", 200),
    ("POST", "/studio/posts/{own}/edit", 400),
    ("POST", "/studio/posts/{own}/autosave", 400),
    ("GET", "/studio/posts/{own}/history", 200),
    ("GET", "/studio/posts/{own}/revisions/{rev}", 200),
    ("POST", "/studio/posts/{own}/revisions/{rev}/restore", 302),
]


def expected(role: Role, status_for_employee: int) -> int:
    if role is Role.GUEST:
        return 302
    if role is Role.READER:
        return 403
    return status_for_employee


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("method,template,allowed", ROUTES, ids=[f"{m} {t}" for m, t, _ in ROUTES])
def test_every_studio_route_by_role(
    client, auth, make_user, make_post, role, method, template, allowed
):
    user = make_user(role) if role is not Role.GUEST else None
    # The post belongs to the person asking when they are an employee, else to a staff member.
    post = make_post(author=user if user is not None and user.is_employee else None)
    revision = Revision(post=post, author_id=post.author_id, version=1, title="t", body_source="b")
    db.session.add(revision)
    db.session.commit()
    if user is not None:
        auth.login(user.email)
    url = template.format(own=post.id, rev=revision.id)
    response = client.open(url, method=method, data={})
    assert response.status_code == expected(role, allowed)
    if response.status_code == 302 and role is Role.GUEST:
        assert response.headers["Location"].startswith("/account/login?next=")
    if response.status_code == 403:
        assert "can&#39;t open this page" in response.text


# (method, url template, status for an admin); staff and moderators get 403.
OTHERS_POST_ROUTES = [
    ("GET", "/studio/posts/{post}/edit", 200),
    ("POST", "/studio/posts/{post}/edit", 400),
    ("POST", "/studio/posts/{post}/autosave", 400),
    ("GET", "/studio/posts/{post}/history", 200),
    ("GET", "/studio/posts/{post}/revisions/{rev}", 200),
    ("POST", "/studio/posts/{post}/revisions/{rev}/restore", 302),
]


@pytest.mark.parametrize("role", [Role.STAFF, Role.MODERATOR, Role.ADMIN], ids=lambda r: r.value)
@pytest.mark.parametrize(
    "method,template,admin_status",
    OTHERS_POST_ROUTES,
    ids=[f"{m} {t}" for m, t, _ in OTHERS_POST_ROUTES],
)
def test_someone_elses_post_only_admins(
    client, auth, make_user, make_post, role, method, template, admin_status
):
    post = make_post(author=make_user(Role.STAFF))
    revision = Revision(post=post, author_id=post.author_id, version=1, title="t", body_source="b")
    db.session.add(revision)
    db.session.commit()
    auth.login(make_user(role).email)
    response = client.open(template.format(post=post.id, rev=revision.id), method=method, data={})
    assert response.status_code == (admin_status if role is Role.ADMIN else 403)
