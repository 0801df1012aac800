"""Every API operation × token scope × role, generated from the operations' declarations:
a caller the operation is for gets past the permission checks (to success, or to a
validation or domain answer); anyone else gets a 401 or 403 problem."""

import pytest

from blogapp.api import declared_operations
from blogapp.api.operations import Who
from blogapp.api.tokens import PREFIX, hash_token
from blogapp.extensions import db
from blogapp.models import ApiToken, Role, Scope
from tests.api_helpers import PROBLEM, bearer

OPERATIONS = declared_operations()
ROLES = (Role.READER, Role.STAFF, Role.MODERATOR, Role.ADMIN)
# The permission layer's refusals; any other 403 is the operation's own rule (not your
# comment, comments closed, not your post).
REFUSALS = ("/api/v1/problems/insufficient-scope", "/api/v1/problems/not-allowed")


def _token(user, scope: Scope) -> str:
    """A token with exactly ``scope``, even one the role could not choose today (as after a
    role change): the role is checked on every request."""
    secret = f"{PREFIX}matrix-{user.id}-{scope.value}"
    db.session.add(
        ApiToken(
            user=user, name="matrix", scopes=scope.value, token_hash=hash_token(secret), hint="pat_"
        )
    )
    db.session.commit()
    return secret


def _url(op, post, comment) -> str:
    values = {"slug": post.slug, "comment_id": comment.id, "post_id": post.id}
    path = op.path
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    return "/api/v1" + path


def _call(client, op, url, token):
    kwargs = {"json": {}} if op.body is not None else {}
    return client.open(url, method=op.method, headers=bearer(token), **kwargs)


def test_every_operation_is_in_the_matrix():
    names = {op.name for op in OPERATIONS}
    assert len(names) == len(OPERATIONS) >= 20
    assert all((op.who is Who.ANYONE) == (op.scope is None) for op in OPERATIONS)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_operation_by_scope_and_role(client, make_user, make_post, make_comment, op):
    people = {role: make_user(role) for role in ROLES}
    post = make_post(author=people[Role.STAFF])
    comment = make_comment(post, body="A question for the matrix")
    url = _url(op, post, comment)
    anonymous = _call(client, op, url, None)
    if op.who is Who.ANYONE:
        assert anonymous.status_code < 400 or anonymous.status_code in (404, 422), anonymous.data
    else:
        assert anonymous.status_code == 401 and anonymous.mimetype == PROBLEM
    for role, user in people.items():
        for scope in Scope:
            response = _call(client, op, url, _token(user, scope))
            allowed = op.who.admits(user) and op.scope in (None, scope)
            case = f"{op.name} as {role.value} with {scope.value}: {response.status_code}"
            assert response.status_code not in (401, 500), case
            if allowed:
                refused = response.status_code == 403 and response.get_json()["type"] in REFUSALS
                assert not refused, case
            else:
                assert response.status_code == 403 and response.mimetype == PROBLEM, case
                assert response.get_json()["type"] in REFUSALS, case
