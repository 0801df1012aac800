"""The JSON API at /api/v1: personal access tokens, operations declared once
(api/operations.py), problem+json errors, per-token rate limits, ETags, CORS for the
public reads, and the OpenAPI document and its reference page built from them."""

import time

from flask import Blueprint, Flask, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from blogapp.api import problems
from blogapp.api.operations import Operation, operations_in


def declared_operations() -> list[Operation]:
    """Every operation the API's modules declare, in the order of the reference."""
    from blogapp.api import comment_ops, public_ops, staff_ops, studio_ops

    return operations_in(public_ops, comment_ops, staff_ops, studio_ops)


def register(app: Flask) -> None:
    """Mount /api/v1 and /account/tokens; keep the operations on the app."""
    from blogapp.api.dispatch import authenticate, view_for
    from blogapp.api.token_views import bp as tokens_bp
    from blogapp.extensions import csrf, limiter

    ops = declared_operations()
    bp = Blueprint("api", __name__, url_prefix="/api/v1")
    for op in ops:
        bp.add_url_rule(op.rule, endpoint=op.name, view_func=view_for(op), methods=[op.method])
    bp.add_url_rule("/openapi.json", "openapi", openapi_document)
    bp.add_url_rule("/docs", "docs", reference_page)

    @bp.before_request
    def before_api_request() -> None:
        request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]
        if request.endpoint != "api.docs":  # an HTML page, drawn for the signed-in browser
            authenticate()

    @bp.teardown_request
    def forget_token(error=None) -> None:
        # Gone with the request even where the app context outlives it (the tests').
        g.pop("_login_user", None)
        g.pop("api_token", None)

    bp.after_request(_rate_limit_headers)
    bp.after_request(_cors)
    limiter.limit(_token_limit, key_func=_token_key)(bp)
    csrf.exempt(bp)  # no cookie is read under /api/: nothing for a forged request to ride on
    app.register_blueprint(bp)
    app.register_blueprint(tokens_bp)
    app.extensions["parley_api"] = {op.name: op for op in ops}
    app.extensions["parley_api_errors"] = _problem_for
    app.register_error_handler(problems.ApiProblem, problems.from_problem)


def api_operations(app: Flask | None = None) -> list[Operation]:
    return list((app or current_app).extensions["parley_api"].values())


def _token_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _token_key() -> str:
    """Each token counts on its own (by its hash: no query to find it); no token, the address."""
    header = request.headers.get("Authorization")
    if header:
        from blogapp.api.tokens import hash_token

        return f"api-token:{hash_token(header)[:32]}"
    return f"api-address:{request.remote_addr}"


def _rate_limit_headers(response):
    """RateLimit and RateLimit-Policy (draft-ietf-httpapi-ratelimit-headers)."""
    from blogapp.extensions import limiter

    current = limiter.current_limit
    if current is not None:
        window = current.limit.get_expiry()
        left = max(0, int(current.reset_at - time.time()))
        response.headers["RateLimit-Policy"] = f'"default";q={current.limit.amount};w={window}'
        response.headers["RateLimit"] = f'"default";r={max(0, current.remaining)};t={left}'
    return response


def _cors(response):
    """Origins API_CORS_ORIGINS names may read the public operations (never with
    credentials: a browser sends no token across origins)."""
    origin = request.headers.get("Origin")
    if not origin or origin.lower() not in current_app.config["API_CORS_ORIGINS"]:
        return response
    op = current_app.extensions["parley_api"].get((request.endpoint or "").rpartition(".")[2])
    public = op is not None and any(
        o.public and o.rule == op.rule for o in current_app.extensions["parley_api"].values()
    )
    if public or request.endpoint in ("api.openapi",):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "ETag, RateLimit, RateLimit-Policy"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET"
            response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
            response.headers["Access-Control-Max-Age"] = "600"
    response.vary.add("Origin")
    return response


def _problem_for(error: Exception, code: int):
    """Any error under /api/ as problem+json (blogapp/errors.py asks): None elsewhere."""
    if not problems.is_api_request(request.path):
        return None
    if isinstance(error, MethodNotAllowed) and _no_such_address(error):
        return problems.problem_response(404)
    if isinstance(error, HTTPException):
        return problems.from_http_error(error)
    if code == 409:
        return problems.problem_response(
            409, "Someone else changed this at the same moment; read it again and retry."
        )
    return problems.problem_response(code, headers={"Retry-After": "30"} if code == 503 else None)


def _no_such_address(error: MethodNotAllowed) -> bool:
    """Werkzeug answers 405 when an address matches another method's rule but for a value
    its converter refuses (/comments/<an id past MAX_ID>): when no method it names finds a
    view, no method has the address, so it is a 404."""
    from flask.globals import request_ctx

    adapter = request_ctx.url_adapter
    if adapter is None:
        return False
    for method in error.valid_methods or ():
        try:
            adapter.match(request.path, method=method)
        except HTTPException:
            continue
        return False
    return True


def _document() -> dict:
    from flask import url_for

    from blogapp.api.openapi import build_document
    from blogapp.sitesettings.store import site_settings

    server = url_for("api.openapi", _external=True).rsplit("/", 1)[0]
    return build_document(api_operations(), server, site_settings()["SITE_NAME"])


def openapi_document():
    """The OpenAPI 3.1 document of this API."""
    from flask import jsonify

    return jsonify(_document())


def reference_page():
    """The API's reference, drawn from the OpenAPI document on the server (no scripts)."""
    return render_template("api/docs.html", doc=_document())
