"""One request to an operation: who is asking (the bearer token), whether they may, the
query and body read into the operation's shapes, and the answer as JSON (with an ETag on
reads)."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Response, g, request
from pydantic import BaseModel, ValidationError

from blogapp.api.operations import Operation, Who
from blogapp.api.problems import ApiProblem
from blogapp.api.tokens import token_for
from blogapp.comments.guests import GuestIdentity
from blogapp.comments.viewer import Viewer
from blogapp.models import ApiToken, Guest
from blogapp.models.base import utcnow
from blogapp.query_args import MAX_ID
from blogapp.sitesettings.store import site_settings

JSON = "application/json"


def authenticate() -> None:
    """Read the bearer token, if any, into g.api_token and make its person the request's
    current_user (services and the audit log see them as the web would). Cookies and the
    session are never read under /api/: no cookie means no cross-site forgery."""
    g.api_token = None
    g._login_user = Guest()  # Flask-Login's per-request user: never the session's
    header = request.headers.get("Authorization")
    if header is None:
        return
    kind, _, secret = header.partition(" ")
    token = token_for(secret.strip()) if kind.lower() == "bearer" else None
    if token is None:
        raise ApiProblem(
            401,
            "The token is unknown, revoked, or its account is disabled.",
            slug="invalid-token",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    g.api_token = token
    g._login_user = token.user


def current_token() -> ApiToken | None:
    return g.get("api_token")


def api_viewer() -> Viewer:
    """The token's person as a thread's viewer (no guest cookie: the API has no cookies)."""
    token = current_token()
    return Viewer(
        user_id=token.user_id if token else None,
        is_moderator=bool(token and token.user.is_moderator),
        guest=GuestIdentity(),
        now=utcnow(),
        edit_window=timedelta(minutes=site_settings()["COMMENT_EDIT_MINUTES"]),
    )


def authorize(op: Operation) -> None:
    """Refuse a caller the operation is not for: no token (401), a token without the
    operation's scope, or a person whose role does not allow it (403)."""
    if op.who is Who.ANYONE:
        return
    token = current_token()
    if token is None:
        raise ApiProblem(401, headers={"WWW-Authenticate": "Bearer"})
    if op.scope.value not in token.scope_set:
        raise ApiProblem(
            403,
            f"This token lacks the '{op.scope.value}' scope this operation needs.",
            slug="insufficient-scope",
            headers={
                "WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{op.scope.value}"'
            },
        )
    if not op.who.admits(token.user):
        raise ApiProblem(403, f"This operation is for {op.who.value}s.", slug="not-allowed")


def _validation_problem(error: ValidationError, where: str) -> ApiProblem:
    errors = []
    for item in error.errors(include_url=False):
        if item["type"] == "json_invalid":
            raise ApiProblem(
                400, f"The body is not valid JSON: {item['msg']}.", slug="malformed-json"
            )
        field = ".".join(str(part) for part in item["loc"]) or where
        errors.append({"field": field, "message": item["msg"]})
    return ApiProblem(422, "Some values were not accepted; see errors.", errors=errors)


def read_query(model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise _validation_problem(error, "query") from None


def read_body(model: type[BaseModel]) -> BaseModel:
    if request.mimetype != JSON:
        raise ApiProblem(415, "Send the body as application/json.")
    raw = request.get_data(cache=False)  # over API_MAX_BODY_BYTES: a 413 from Werkzeug
    try:
        return model.model_validate_json(raw or b"null")
    except ValidationError as error:
        raise _validation_problem(error, "body") from None


@dataclass(frozen=True)
class Prepared:
    """A resource already written as JSON, with its ETag: what an operation keeps in a
    cache to answer again without serialising or hashing it."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, resource: BaseModel) -> "Prepared":
        body = resource.model_dump_json().encode()
        return cls(body, hashlib.blake2b(body, digest_size=16).hexdigest())


def answer(op: Operation, result: BaseModel | Prepared | None) -> Response:
    if result is None:
        return Response(status=204)
    if not isinstance(result, Prepared):
        result = Prepared.of(result)
    response = Response(result.body, status=op.status, mimetype=JSON)
    if op.method == "GET":
        response.headers["Cache-Control"] = "private, no-cache" if current_token() else "no-cache"
        response.vary.add("Authorization")
        response.set_etag(result.etag)
        response.make_conditional(request)
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def view_for(op: Operation) -> Callable:
    """The Flask view that runs ``op``: checks, reading, the operation, the answer."""

    def api_view(**path_args):
        if any(type(v) is int and v > MAX_ID for v in path_args.values()):
            raise ApiProblem(404)
        authorize(op)
        if op.query is not None:
            path_args["query"] = read_query(op.query)
        elif request.args:
            names = ", ".join(sorted(request.args))[:200]
            raise ApiProblem(422, f"This operation takes no query parameters (got {names}).")
        if op.body is not None:
            path_args["body"] = read_body(op.body)
        return answer(op, op.view(**path_args))

    api_view.__name__ = api_view.__qualname__ = op.name
    api_view.__doc__ = op.view.__doc__
    return api_view
