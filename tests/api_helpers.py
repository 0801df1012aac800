"""Helpers for the JSON API's tests: tokens made through the service, bearer calls."""

from blogapp.api.tokens import create_token
from blogapp.models import Scope

PROBLEM = "application/problem+json"


def token_for(user, *scopes: str, name: str = "test") -> str:
    """A new token of ``user`` with ``scopes`` (all their role allows when none given)."""
    chosen = list(scopes) or [s.value for s in Scope.allowed_to(user.role_enum)]
    return create_token(user, name, chosen)[1]


def bearer(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


def assert_problem(response, status: int) -> dict:
    """The response is a problem+json of ``status``; its body."""
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == PROBLEM, response.data[:500]
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"].startswith("/api/v1/problems/")
    return body
