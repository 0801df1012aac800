"""Schemathesis (property-based testing from the OpenAPI document) against a live server on
127.0.0.1: every operation, with a reader's token and an employee's, answers no 5xx and
nothing its document does not describe (status, content type, body schema), and a token
never gets past an operation its scope or role does not allow."""

import threading

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

from blogapp.extensions import db
from blogapp.models import Role
from tests.api_helpers import bearer, token_for

pytestmark = pytest.mark.slow

# Examples per operation, per generation mode; each is sent with both tokens. Keeps the run
# (about 25 operations) well under a minute on a quiet machine.
EXAMPLES = 4
TOKEN_SCOPES = {
    "reader": ("read", "comment"),
    "employee": ("read", "comment", "respond", "publish", "moderate"),
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def served(make_app, make_user, make_post, make_comment):
    """The app on a free port of 127.0.0.1, with a post, a comment and two tokens."""
    app = make_app(SERVER_NAME=None, API_RATE_LIMIT="100000 per minute")
    with app.app_context():
        staff = make_user(Role.STAFF)
        post = make_post(author=staff)
        comment = make_comment(post, body="A customer question")
        tokens = {
            "reader": token_for(make_user(Role.READER), *TOKEN_SCOPES["reader"]),
            "employee": token_for(make_user(Role.MODERATOR), *TOKEN_SCOPES["employee"]),
        }
        known = {"slug": post.slug, "comment_id": comment.id, "post_id": post.id}
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", tokens, known
    server.shutdown()
    thread.join(timeout=5)


def never_beyond(who: str):
    """A check: an operation the token's scopes or its person's role do not allow is
    refused, never done."""
    scopes = TOKEN_SCOPES[who]

    def never_beyond_scope(ctx, response, case):
        needs = case.operation.definition.raw.get("x-parley-scope")
        for_whom = case.operation.definition.raw.get("x-parley-who")
        allowed = needs is None or (
            needs in scopes and (who == "employee" or for_whom == "account")
        )
        if not allowed:
            assert response.status_code in (401, 403, 404, 405, 413, 415, 422, 429), (
                f"{case.operation.label} as {who}: {response.status_code}"
            )
        return None

    return never_beyond_scope


def refused_as_invalid(ctx, response, case):
    """Data the document does not allow is refused (any 4xx: 413 for a body too large
    counts, which Schemathesis's own negative_data_rejection does not list)."""
    assert 400 <= response.status_code < 500, (
        f"{case.operation.label} accepted data its document forbids: {response.status_code}"
    )
    return None


def test_every_operation_against_its_document(served):
    base, tokens, known = served
    document = requests.get(f"{base}/api/v1/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(document)
    session = requests.Session()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        path_names = {
            p["name"] for p in operation.definition.raw.get("parameters", ()) if p["in"] == "path"
        }
        real = {k: v for k, v in known.items() if k in path_names}
        # The Authorization header is given, so negative cases break the query, path or
        # body (the header is sent as each token's in turn).
        fixed = bearer(tokens["reader"])
        strategies = [operation.as_strategy(mode, headers=fixed) for mode in GenerationMode]
        if real:
            strategies.append(operation.as_strategy(path_parameters=real, headers=fixed))

        @given(case=st.one_of(strategies))
        @settings(
            max_examples=EXAMPLES * len(strategies),
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            for who, token in tokens.items():
                headers = bearer(token)
                checks = CHECKS + [never_beyond(who)]
                if case._meta is not None and not case._meta.generation.mode.is_positive:
                    checks = checks + [refused_as_invalid]
                case.call_and_validate(
                    base_url=f"{base}/api/v1", session=session, headers=headers, checks=checks
                )

        check()
