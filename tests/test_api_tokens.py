"""Personal access tokens: made on /account/tokens, shown once, stored hashed, scoped by
role, revocable, "last used" noted at most once a minute, dead with a disabled account."""

import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blogapp.admin.services import disable_account
from blogapp.api import tokens
from blogapp.extensions import db
from blogapp.models import ApiToken, Role, Scope
from blogapp.models.base import utcnow
from tests.api_helpers import assert_problem, bearer, token_for
from tests.conftest import csrf_from

TOKEN_RE = re.compile(r'value="(pat_[A-Za-z0-9_-]+)"')


def _make(client, name="Help desk", scopes=("read",)):
    page = client.get("/account/tokens")
    data = {"name": name, "scopes": list(scopes), "csrf_token": csrf_from(page.text)}
    return client.post("/account/tokens", data=data)


@pytest.mark.parametrize(
    "role, offered",
    [
        (Role.READER, ["read", "comment"]),
        (Role.STAFF, ["read", "comment", "respond", "publish"]),
        (Role.MODERATOR, ["read", "comment", "respond", "publish", "moderate"]),
        (Role.ADMIN, ["read", "comment", "respond", "publish", "moderate"]),
    ],
)
def test_the_page_offers_only_the_scopes_the_role_allows(client, auth, make_user, role, offered):
    user = make_user(role)
    auth.login(user.email)
    page = client.get("/account/tokens")
    assert page.status_code == 200
    shown = re.findall(r'name="scopes" type="checkbox" value="(\w+)"', page.text)
    assert sorted(shown) == sorted(offered)
    assert "API tokens" in client.get("/account").text


def test_a_token_is_shown_once_and_stored_hashed(client, auth, make_user):
    reader = make_user(Role.READER)
    auth.login(reader.email)
    response = _make(client, scopes=("read", "comment"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = TOKEN_RE.search(response.text).group(1)
    assert len(secret) > 40
    row = db.session.scalars(sa.select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (row.hint, row.name, row.scopes) and row.scopes == "read comment"
    again = client.get("/account/tokens")
    assert secret not in again.text and "Help desk" in again.text
    me = client.get("/api/v1/comments/1", headers=bearer(secret))
    assert_problem(me, 404)  # the token works (a bad one is 401)


def test_a_scope_beyond_the_role_is_refused_and_the_name_kept(client, auth, make_user):
    reader = make_user(Role.READER)
    auth.login(reader.email)
    response = _make(client, name="Sneaky", scopes=("read", "moderate"))
    assert response.status_code == 400
    assert "not a valid choice" in response.text and 'value="Sneaky"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0
    with pytest.raises(tokens.TokenError):
        tokens.create_token(reader, "Sneaky", ["moderate"])


def test_no_name_or_no_scope_is_a_message_on_the_form(client, auth, make_user):
    auth.login(make_user(Role.READER).email)
    assert "Give the token a name" in _make(client, name="  ").text
    assert "Choose at least one scope" in _make(client, name="Named", scopes=()).text


def test_revoking_stops_the_token_at_once(client, auth, make_user):
    reader = make_user(Role.READER)
    secret = token_for(reader, "read")
    row = db.session.scalars(sa.select(ApiToken)).one()
    assert client.get("/api/v1/posts", headers=bearer(secret)).status_code == 200
    auth.login(reader.email)
    page = client.get("/account/tokens")
    revoked = client.post(
        f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf_from(page.text)}
    )
    assert revoked.status_code == 303
    body = assert_problem(client.get("/api/v1/posts", headers=bearer(secret)), 401)
    assert "revoked" in body["detail"]


def test_nobody_revokes_another_persons_token(client, auth, make_user):
    owner, other = make_user(Role.READER), make_user(Role.READER)
    token_for(owner, "read")
    row = db.session.scalars(sa.select(ApiToken)).one()
    auth.login(other.email)
    page = client.get("/account/tokens")
    response = client.post(
        f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 404
    db.session.refresh(row)
    assert row.revoked_at is None


def test_a_disabled_accounts_tokens_stop_working(client, make_user):
    staff, admin = make_user(Role.STAFF), make_user(Role.ADMIN)
    secret = token_for(staff)
    assert client.get("/api/v1/posts", headers=bearer(secret)).status_code == 200
    disable_account(staff, admin)
    assert_problem(client.get("/api/v1/posts", headers=bearer(secret)), 401)


def test_last_used_moves_at_most_once_a_minute(app, make_user):
    reader = make_user(Role.READER)
    secret = token_for(reader, "read")
    start = utcnow()
    assert tokens.token_for(secret, now=start) is not None
    row = db.session.scalars(sa.select(ApiToken)).one()
    db.session.refresh(row)
    assert row.last_used_at == start
    tokens.token_for(secret, now=start + timedelta(seconds=30))
    db.session.refresh(row)
    assert row.last_used_at == start
    later = start + timedelta(seconds=61)
    tokens.token_for(secret, now=later)
    db.session.refresh(row)
    assert row.last_used_at == later


@pytest.mark.parametrize(
    "header",
    [
        "Bearer pat_nothing",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "pat_" + "x" * 500,
        "pat_x",
    ],
)
def test_a_bad_authorization_header_is_a_401_problem(client, header):
    body = assert_problem(client.get("/api/v1/posts", headers={"Authorization": header}), 401)
    assert body["type"].endswith("invalid-token")


def test_the_session_cookie_never_signs_in_to_the_api(client, auth, make_user, make_post):
    reader = make_user(Role.READER)
    post = make_post()
    auth.login(reader.email)
    response = client.post(f"/api/v1/posts/{post.slug}/comments", json={"body": "Hi there"})
    assert_problem(response, 401)


def test_scopes_allowed_to_each_role_are_defined_once():
    assert Scope.allowed_to(Role.READER) == [Scope.READ, Scope.COMMENT]
    assert Scope.MODERATE not in Scope.allowed_to(Role.STAFF)
