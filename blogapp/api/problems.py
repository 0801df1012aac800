"""Errors under /api/ as RFC 9457 problem details (application/problem+json), never HTML."""

import json

from flask import Response
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "application/problem+json"
PREFIX = "/api/"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}

DETAILS = {
    401: "Send a personal access token as 'Authorization: Bearer pat_…'.",
    404: "There is nothing at this address, or it is not public.",
    405: "This address does not take that method.",
    413: "The request body is larger than this API accepts.",
    429: "Too many requests in a short time; wait for the RateLimit header's t seconds.",
    500: "Something went wrong on our side; it is logged.",
    503: "The database is briefly unavailable; try again in a moment.",
}


class ApiProblem(Exception):
    """An operation's refusal: the status, what went wrong, and the fields to blame."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        errors: list[dict[str, str]] | None = None,
        title: str | None = None,
        slug: str | None = None,
        headers: dict[str, str] | None = None,
        **extra,
    ):
        super().__init__(detail or TITLES.get(status, ""))
        self.status, self.detail, self.errors = status, detail, errors
        self.title, self.slug, self.headers, self.extra = title, slug, headers or {}, extra


def field_error(field: str, message: str, status: int = 422) -> ApiProblem:
    """A validation failure naming one field."""
    return ApiProblem(status, message, errors=[{"field": field, "message": message}])


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    errors=None,
    title: str | None = None,
    slug: str | None = None,
    headers=None,
    **extra,
) -> Response:
    """The problem+json response for ``status``; ``slug`` names the kind of problem."""
    title = title or TITLES.get(status, "Error")
    slug = slug or title.lower().replace(" ", "-")
    body = {
        "type": f"/api/v1/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail or DETAILS.get(status, title),
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_problem(problem: ApiProblem) -> Response:
    return problem_response(
        problem.status,
        problem.detail,
        errors=problem.errors,
        title=problem.title,
        slug=problem.slug,
        headers=problem.headers,
        **problem.extra,
    )


def from_http_error(error: HTTPException) -> Response:
    """Werkzeug's error (404, 405, 413, 429...) as a problem, keeping its headers (Allow,
    Retry-After)."""
    code = error.code or 500
    headers = {}
    if error.response is None:
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    detail = DETAILS.get(code)
    if code == 429:
        detail = f"Too many requests ({error.description}); wait and try again."
    elif code == 400 and error.description and code not in DETAILS:
        detail = "The request could not be read."
    return problem_response(code, detail, headers=headers)


def is_api_request(path: str) -> bool:
    return path == PREFIX.rstrip("/") or path.startswith(PREFIX)
